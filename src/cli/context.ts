// What every command gets: the configuration, read when first needed (so `--help` needs none), and the admin
// service over a server composed for the one command and closed afterwards, whatever happens.
import type { AdminService } from '../admin/index.ts';
import { loadConfig, type Config, type ConfigInput } from '../config.ts';
import { createServer, type TesseraServer } from '../server.ts';

export interface CliContext {
  config(overrides?: ConfigInput): Config;
  withServer<T>(fn: (server: TesseraServer) => Promise<T>): Promise<T>;
  withAdmin<T>(fn: (admin: AdminService, config: Config) => Promise<T>): Promise<T>;
  /** The command running (`otp unlock`), for messages. */
  running: string;
  exitCode: number;
}

/**
 * The operator at the server's terminal, who can read its configuration and database anyway: the local superuser
 * (every role), named `operator` in the audit rows the CLI's changes write.
 */
const operator = { kind: 'local', actor: 'operator' } as const;

export function createContext(): CliContext {
  let config: Config | undefined;
  const ctx: CliContext = {
    running: '',
    exitCode: 0,
    config: (overrides) => (config ??= loadConfig({ overrides: overrides ?? {} })),
    async withServer(fn) {
      const server = await createServer(ctx.config(), { writer: 'cli' });
      try {
        return await fn(server);
      } finally {
        await server.close();
      }
    },
    withAdmin: (fn) => ctx.withServer((server) => fn(server.admin(operator), server.config)),
  };
  return ctx;
}

/** A commander action that ends with an exit status (0 or nothing: done). */
// biome-ignore lint/suspicious/noConfusingVoidType: an action that returns nothing is done (exit 0).
export function act<O>(ctx: CliContext, fn: (options: O) => Promise<number | void>): (options: O) => Promise<void> {
  return async (options) => {
    const code = await fn(options);
    if (code) ctx.exitCode = code;
  };
}
