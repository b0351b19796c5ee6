// Building and compiling a Kysely query costs more than SQLite takes to run the small lookups on the hottest paths
// (a VPN login, a token check, an OIDC interaction). Such a query is built and compiled once per database kind
// with placeholders, and each call puts its values in their places: the SQL text, and with it SQLite's prepared
// statement, is the same every time.
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.ts';
import { TesseraError } from '../errors/index.ts';

class Placeholder {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

export class PreparedQueryError extends TesseraError<'store.prepared_query'> {
  constructor(message: string) {
    super('store.prepared_query', { message });
  }
}

type Value = string | number | bigint | boolean | null | Uint8Array;

export type PreparedQuery<P extends Record<string, Value>, O> = (
  db: Kysely<Database>,
  params: P,
) => Promise<QueryResult<O>>;

/** Runs a compiled query its own way instead of through Kysely's connection. */
export type DirectExecutor = (query: CompiledQuery) => Promise<QueryResult<unknown>>;

// SQLite answers synchronously, and Kysely's promise hops around each query (connection mutex, acquire, release) cost
// as much again as SQLite's own work on the small lookups of a VPN login. A database registers here how to run a
// query directly: openStore does it for SQLite, with its statement batcher (sqlite.ts). The executor is kept on
// that database object itself (its transactions are other objects and go through Kysely), not in module state.
const directExecutor = Symbol('tessera.directExecutor');
type WithDirectExecutor = Kysely<Database> & { [directExecutor]?: DirectExecutor };
export function runDirectly(db: Kysely<Database>, executor: DirectExecutor): void {
  Object.defineProperty(db, directExecutor, { value: executor });
}

/**
 * `build` receives stand-ins for the parameters and must use each of them as one plain value (a comparison, a SET,
 * a VALUES entry): the query's shape may not depend on the values, so no `in` lists and no `is null` chosen by value.
 * That rule is checked when the query is first compiled.
 */
export function prepared<P extends Record<string, Value>, O>(
  build: (db: Kysely<Database>, params: P) => Compilable<O>,
): PreparedQuery<P, O> {
  // Keyed by the dialect adapter, which a database and its transactions share.
  const compiled = new WeakMap<object, { query: CompiledQuery<O>; slots: Array<string | undefined> }>();

  const compile = (db: Kysely<Database>) => {
    const used = new Set<string>();
    const stand = new Proxy(
      {},
      {
        get: (_target, name) => {
          used.add(String(name));
          return new Placeholder(String(name));
        },
      },
    ) as P;
    const query = build(db, stand).compile();
    const slots = query.parameters.map((value) => {
      if (value instanceof Placeholder) return value.name;
      if (Array.isArray(value) && value.some((v) => v instanceof Placeholder))
        throw new PreparedQueryError(`prepared query puts a placeholder in a list: ${query.sql}`);
      return undefined;
    });
    const missing = [...used].filter((name) => !slots.includes(name));
    if (missing.length > 0)
      throw new PreparedQueryError(`prepared query does not bind ${missing.join(', ')} as values: ${query.sql}`);
    return { query, slots };
  };

  return async (db, params) => {
    const adapter = db.getExecutor().adapter;
    let entry = compiled.get(adapter);
    if (entry === undefined) {
      entry = compile(db);
      compiled.set(adapter, entry);
    }
    const { query, slots } = entry;
    const parameters = slots.map((name, i) => (name === undefined ? query.parameters[i] : params[name]));
    const direct = (db as WithDirectExecutor)[directExecutor];
    return (direct ? direct({ ...query, parameters }) : db.executeQuery({ ...query, parameters })) as Promise<
      QueryResult<O>
    >;
  };
}

/**
 * A query whose shape depends on a count (the keys of an attempt, the hold-back steps of a policy): each count's
 * query is built and prepared at its first use, as `prepared` does, and kept.
 */
export function preparedBySize<P extends Record<string, Value>, O>(
  build: (db: Kysely<Database>, params: P, size: number) => Compilable<O>,
): (size: number) => PreparedQuery<P, O> {
  const made = new Map<number, PreparedQuery<P, O>>();
  return (size) => {
    let query = made.get(size);
    if (query === undefined) {
      query = prepared((db, params: P) => build(db, params, size));
      made.set(size, query);
    }
    return query;
  };
}
