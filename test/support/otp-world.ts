// Shared by the OTP module's tests (src/otp/*.test.ts): a migrated database reached by two "nodes" (two
// stores with their own connections), accounts, codes from oathtool as an authenticator app shows them, and a
// recorded audit trail.
import { before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSealer, openStore, type Sealer, type Store } from '../../src/store/index.ts';
import { manualClock, cryptoRandom } from '../../src/clock/index.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import {
  createOtpService,
  createSqlOtpStore,
  type OtpAuditEvent,
  type OtpPolicy,
  type OtpService,
} from '../../src/otp/index.ts';

/** A TOTP code computed by oathtool (the RFC reference implementation) for the given instant. */
export function oathtool(
  secretBase32: string,
  atMs: number,
  options: { algorithm?: string; digits?: number; periodSeconds?: number } = {},
): string {
  const args = [
    `--totp=${options.algorithm ?? 'SHA1'}`,
    '-b',
    `--digits=${options.digits ?? 6}`,
    `--time-step-size=${options.periodSeconds ?? 30}s`,
    `--now=@${Math.floor(atMs / 1000)}`,
    secretBase32,
  ];
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim();
}

/** A code that is certainly not `code`. */
export const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

export interface OtpWorld {
  readonly nodes: [Store, Store];
  readonly clock: ReturnType<typeof manualClock>;
  readonly sealer: Sealer;
  readonly events: OtpAuditEvent[];
  /** The OTP service of node 0 (or node 1), sharing the clock, key and audit trail. */
  otp(node?: 0 | 1): OtpService;
  account(): Promise<string>;
  /** An account with an active mobile token; the clock is then one step later so the next code is fresh. */
  enrolled(accountId?: string): Promise<{ accountId: string; tokenId: string; serial: string; secretBase32: string }>;
  /** A separate service on node 0 with a different policy. */
  withPolicy(policy: Partial<OtpPolicy>): OtpService;
}

export function otpWorld(dialect: 'sqlite' | 'postgres'): OtpWorld {
  const clock = manualClock(Date.UTC(2026, 10, 23, 9, 0, 0));
  const sealer = createSealer(randomBytes(32));
  const events: OtpAuditEvent[] = [];
  let database: TestDatabase;
  let nodes: [Store, Store];
  const services: OtpService[] = [];
  const make = (store: Store, policy?: Partial<OtpPolicy>) =>
    createOtpService({
      store: createSqlOtpStore(store.db),
      sealer,
      clock,
      random: cryptoRandom,
      issuerName: 'Tessera',
      policy,
      audit: async (event) => {
        events.push(event);
      },
    });
  before(async () => {
    database = await createTestDatabase(dialect);
    nodes = [openStore(database.url), openStore(database.url)];
    await nodes[0].migrate();
    services.push(make(nodes[0]), make(nodes[1]));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await database.drop();
  });
  const world: OtpWorld = {
    get nodes() {
      return nodes;
    },
    clock,
    sealer,
    events,
    otp: (node = 0) => services[node],
    withPolicy: (policy) => make(nodes[0], policy),
    async account() {
      const id = randomUUID();
      await nodes[0].db
        .insertInto('accounts')
        .values({
          id,
          email: `${id}@example.com`,
          email_verified: 1,
          password_hash: null,
          name: null,
          status: 'active',
          created_at: 0,
          updated_at: 0,
        })
        .execute();
      return id;
    },
    async enrolled(accountId) {
      const id = accountId ?? (await world.account());
      const enrolment = await services[0].beginEnrolment(id, 'jsmith', 'mobile', { proof: 'registration' });
      await services[0].confirmEnrolment(id, enrolment.tokenId, oathtool(enrolment.secretBase32, clock.now()), {
        proof: 'registration',
      });
      clock.advance(30_000);
      return {
        accountId: id,
        tokenId: enrolment.tokenId,
        serial: enrolment.serial,
        secretBase32: enrolment.secretBase32,
      };
    },
  };
  return world;
}
