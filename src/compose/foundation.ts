// Store and secrets: the database (migrated), the sealer for secrets at rest, the audit log, metrics, and the named
// secrets every node shares.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { ConfigError, envVariable, type Config } from '../config.ts';
import { openStore, createSealer, operatorLockWaitMs, SealingError, sharedDatabaseName } from '../store/index.ts';
import { systemClock, type Clock } from '../clock/index.ts';
import { createAudit, createSqlAuditStore, type DomainEvent } from '../audit/index.ts';
import { createRateLimiter, createRedisCounterStore, createSqlCounterStore } from '../ratelimit/index.ts';
import {
  createSqlOidcStore,
  createSqlSecretStore,
  loadNamedSecret,
  loadSigningKeys,
  type SecretStore,
} from '../oidc/index.ts';
import { createLogger, createMetrics } from '../web/index.ts';
import { createChangeFeed, openChangeTransport } from '../cluster/index.ts';
import { workerIndex } from '../workers/index.ts';

// The key that seals secrets at rest: from configuration, or generated once into the data directory (laptop default).
function keyEncryptionKey(config: Config): Buffer {
  if (config.secrets.keyEncryptionKey) return Buffer.from(config.secrets.keyEncryptionKey, 'base64');
  const file = resolve(config.dataDir, 'key-encryption.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

// The usual cause: a second node started with its own generated key instead of the cluster's.
function otherKeyEncryptionKey(): ConfigError {
  const key = 'secrets.keyEncryptionKey';
  return new ConfigError(
    `${key} (${envVariable(key)}) does not open the secrets this database holds: every node of one database needs ` +
      'the same key (a key replaced on purpose goes into secrets.previousKeyEncryptionKeys)',
  );
}

async function loadSecrets(
  secrets: SecretStore,
  sealer: ReturnType<typeof createSealer>,
  clock: Clock,
  config: Config,
) {
  const named = (name: string) => loadNamedSecret(secrets, sealer, clock, name);
  const [signingKeys, cookieKey, csrfKey, codePepper, unsubscribeKey, captchaKey, deviceKey] = await Promise.all([
    loadSigningKeys(secrets, sealer, clock, config.tokens.refreshTokenSeconds * 1000),
    named('cookie-key'),
    named('csrf-key'),
    named('code-pepper'),
    named('unsubscribe-key'),
    named('captcha-key'),
    named('device-key'),
  ]);
  return { signingKeys, cookieKey, csrfKey, codePepper, unsubscribeKey, captchaKey, deviceKey };
}

// A chain per process start: no two processes ever share one, with no lease to expire or take over (a restart, a
// `tessera admin` command next to the running server, a node killed mid-write); anchors find them all in audit_chains.
function auditChain(config: Config, writer: 'serve' | 'cli'): string {
  const worker = workerIndex();
  const role = writer === 'cli' ? 'cli' : worker !== undefined ? `w${worker}` : 'serve';
  return `${config.cluster.nodeName}/${role}/${randomBytes(4).toString('hex')}`;
}

export async function composeFoundation(
  config: Config,
  /** `writer`: who appends to the audit log, a server or a command of the CLI (its chain says which). */
  options: { logger?: Logger; clock?: Clock; periodicJobs?: boolean; writer?: 'serve' | 'cli' },
) {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const writer = options.writer ?? 'serve';
  const store = openStore(config.databaseUrl, writer === 'cli' ? { lockWaitMs: operatorLockWaitMs } : {});
  await store.migrate();
  // Rotating the key-encryption key: the new key seals, the previous ones still open what they sealed.
  const previousKeys = config.secrets.previousKeyEncryptionKeys.map((k) => Buffer.from(k, 'base64'));
  const sealer = createSealer(keyEncryptionKey(config), previousKeys);
  // The address of the request being served, for the audit log (T9: behind a proxy only as Fastify's trustProxy
  // allows).
  const requestSource = new AsyncLocalStorage<{ ip: string }>();
  const audit = createAudit(createSqlAuditStore(store.db), clock, () => requestSource.getStore()?.ip, {
    chain: auditChain(config, writer),
    anchorEveryRows: config.audit.anchorEveryRows,
    anchorEverySeconds: config.audit.anchorEverySeconds,
    warn: (message) => logger.warn(message),
  });
  // Domain services report events about a subject; the subject is the actor unless a caller says otherwise.
  const auditAs = (fallbackActor: string) => (event: DomainEvent) =>
    audit.record({ actor: event.subject ?? fallbackActor, ...event });
  const secrets = await loadSecrets(createSqlSecretStore(store.db), sealer, clock, config).catch(async (err) => {
    // Nothing else holds the process open: a node that cannot start says why and exits at once.
    await store.close();
    throw err instanceof SealingError ? otherKeyEncryptionKey() : err;
  });
  // What every node keeps in memory (apps, gateways, policies, keys) is reloaded when any process changes it.
  const backstopMs = config.cluster.backstopSeconds * 1000;
  const feed = createChangeFeed({
    transport: openChangeTransport(store, {
      sqlitePollMs: config.cluster.sqlitePollMs,
      redisUrl: config.cluster.redisUrl,
      onError: (err) => logger.warn({ err: (err as Error).message }, 'change feed connection lost; reconnecting'),
    }),
    backstopMs,
    // Delays between processes are measured on the machine's clock, whatever clock the services are given.
    now: () => Date.now(),
    onError: (err, what) => logger.warn({ err: (err as Error).message, topic: what }, 'reload after a change failed'),
    onApplied: (topic, delayMs) => logger.debug({ topic, delayMs }, 'change from another process applied'),
  });
  // Attempt counters where every node sees them: the database, or Redis (keys named after the database, so that
  // installations sharing one Redis keep apart).
  const limiter = createRateLimiter(
    config.limits.counters === 'redis'
      ? createRedisCounterStore(
          { url: config.cluster.redisUrl!, prefix: `tessera:limits:${sharedDatabaseName(store.url)}:` },
          clock,
        )
      : createSqlCounterStore(store.counters, clock),
  );
  // Links in mail always use the configured issuer, never the request's Host header (T21).
  const link = (path: string) => new URL(path, `${config.issuer}/`).toString();
  return {
    config,
    clock,
    logger,
    // Closed with its anchor timer, which would otherwise go on asking a closed database, and the counters' Redis.
    store: {
      ...store,
      async close() {
        audit.close();
        await limiter.close();
        await store.close();
      },
    },
    sealer,
    requestSource,
    audit,
    auditAs,
    metrics: createMetrics(),
    secrets,
    feed,
    backstopMs,
    link,
    secureCookies: config.issuer.startsWith('https:'),
    limiter,
    oidcStore: createSqlOidcStore(store.db),
    periodicJobs: options.periodicJobs ?? true,
  };
}

export type Foundation = Awaited<ReturnType<typeof composeFoundation>>;
