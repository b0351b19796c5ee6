import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation, type Database, type Sealer } from '../../store/index.ts';
import type { Clock } from '../../clock/index.ts';
import { radiusClientSchema, type RadiusClientConfig } from '../config.ts';
import { RadiusClientError } from '../errors.ts';

// 43 letters and digits, 256 bits, far above RFC 2865's 16-octet floor. Not base64url: its '-' and '_' trip gateways'
// forms and command lines, and a secret that starts with '-' is read as an option (radclient, radtest).
const secretAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const generatedSecret = () =>
  Array.from({ length: 43 }, () => secretAlphabet[randomInt(secretAlphabet.length)]).join('');

export interface StoredClientInput {
  name: string;
  address: string;
  /** Omitted: a random one is made (the recommended way), shown once to the operator. */
  secret?: string;
  requireMessageAuthenticator?: boolean;
  passwordAndCode?: boolean;
  allowedGroups?: string[];
}

export type StoredClientSummary = Omit<RadiusClientConfig, 'secret'> & { createdAt: number };

export interface StoredClients {
  add(input: StoredClientInput): Promise<{ client: StoredClientSummary; secret: string }>;
  list(): Promise<StoredClientSummary[]>;
  remove(name: string): Promise<void>;
  /** With secrets, for the server's client table. */
  load(): Promise<RadiusClientConfig[]>;
}

// The secret is bound to the client's name, so a sealed secret copied onto another row does not open.
const sealContext = (name: string) => `radius-client:${name}`;

/** `configuredNames`: the clients in the configuration, which a stored one may not shadow. */
export function createSqlStoredClients(
  db: Kysely<Database>,
  sealer: Sealer,
  clock: Clock,
  configuredNames: readonly string[] = [],
): StoredClients {
  const summary = (row: Database['radius_clients']): StoredClientSummary => ({
    name: row.name,
    address: row.address,
    requireMessageAuthenticator: row.require_message_authenticator === 1,
    passwordAndCode: row.password_and_code === 1,
    allowedGroups: JSON.parse(row.allowed_groups) as string[],
    createdAt: row.created_at,
  });
  return {
    async add(input) {
      const parsed = radiusClientSchema.safeParse({ ...input, secret: input.secret ?? generatedSecret() });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new RadiusClientError('radius.client_invalid', `${issue.path.join('.') || 'client'}: ${issue.message}`);
      }
      const client = parsed.data;
      if (configuredNames.includes(client.name))
        throw new RadiusClientError('radius.client_exists', `name: ${client.name} is already a configured client`);
      const row = {
        name: client.name,
        address: client.address,
        secret_sealed: sealer.seal(client.secret, sealContext(client.name)),
        require_message_authenticator: client.requireMessageAuthenticator ? 1 : 0,
        password_and_code: client.passwordAndCode ? 1 : 0,
        allowed_groups: JSON.stringify(client.allowedGroups),
        created_at: clock.now(),
      };
      try {
        await db.insertInto('radius_clients').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error))
          throw new RadiusClientError('radius.client_exists', `name: ${client.name} is already a client`);
        throw error;
      }
      return { client: summary(row), secret: client.secret };
    },
    async list() {
      return (await db.selectFrom('radius_clients').selectAll().orderBy('name').execute()).map(summary);
    },
    async remove(name) {
      const removed = await db.deleteFrom('radius_clients').where('name', '=', name).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0)
        throw new RadiusClientError('radius.client_unknown', `name: no stored client is called ${name}`);
    },
    async load() {
      const rows = await db.selectFrom('radius_clients').selectAll().execute();
      return rows.map((row) => ({ ...summary(row), secret: sealer.open(row.secret_sealed, sealContext(row.name)) }));
    },
  };
}
