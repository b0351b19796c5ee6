// The whole configuration: one schema, each option with its default and why.
// Sources, strongest last: defaults < tessera.config.json < TESSERA_* environment variables.
// An environment variable is named after the option's path: `http.port` → TESSERA_HTTP_PORT,
// `databaseUrl` → TESSERA_DATABASE_URL. Its value is read as JSON when it parses (numbers, booleans,
// arrays), otherwise as a string.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { z } from 'zod';
import { TesseraError } from './errors/index.ts';
import { directoryConfigSchema } from './directory/index.ts';
import { smsConfigSchema } from './delivery/index.ts';
import { radiusConfigSchema, replyAttributeSchema } from './radius/index.ts';
import { socialConfigSchema } from './social/index.ts';
import { isSupportedLocale, supportedLocales } from './i18n/index.ts';

const port = z.number().int().min(0).max(65535);
const limitSchema = (limit: number, windowSeconds: number) =>
  z
    .object({
      limit: z.number().int().positive().default(limit),
      windowSeconds: z.number().int().positive().default(windowSeconds),
    })
    .prefault({});

export const configSchema = z.object({
  // Where the embedded database, signing keys' wrapping key and other local state live.
  dataDir: z.string().min(1).default('./data'),
  // `sqlite:<path>` (embedded, default under dataDir) or `postgres://…` (several nodes form one cluster).
  databaseUrl: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  // Public base URL; every link in a mail and every token's `iss` uses it, never the Host header.
  issuer: z.url({ protocol: /^https?$/ }).optional(),
  http: z
    .object({
      port: port.default(8080),
      // Loopback by default so a laptop start exposes nothing; set 0.0.0.0 behind a proxy.
      host: z.string().default('127.0.0.1'),
      // Only requests from these proxy addresses may set X-Forwarded-For (checklist T9).
      trustProxy: z.array(z.string()).default([]),
      // Bodies above this are refused with 413 before parsing.
      bodyLimitBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024),
    })
    .prefault({}),
  server: z
    .object({
      // Processes of this node (`tessera serve --workers`): 1, a number, or "auto" for one per core. On PostgreSQL
      // they share HTTP, RADIUS and RadSec ports; an SQLite database keeps one (one writer at a time).
      workers: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).default(1),
    })
    .prefault({}),
  secrets: z
    .object({
      // 32 bytes, base64: wraps signing keys and cookie keys at rest. Generated into dataDir on first start when unset.
      keyEncryptionKey: z
        .base64()
        .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64')
        .optional(),
      // Earlier keys, kept after a rotation so that what they sealed still opens (new values use keyEncryptionKey).
      previousKeyEncryptionKeys: z
        .array(z.base64().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64'))
        .default([]),
    })
    .prefault({}),
  mail: z
    .object({
      from: z.string().default('Tessera <no-reply@localhost>'),
      // `smtp://host:port` of a relay; unset keeps mail in the local mailbox page (demo) without sending.
      smtpUrl: z.url({ protocol: /^smtps?$/ }).optional(),
      // How often the outbox looks for mail to (re)send, and how long before giving up on one message.
      pollMs: z.number().int().positive().default(500),
      maxAttempts: z.number().int().positive().default(12),
      // Campaign mail is spread out to this rate, so the relay and the recipients' providers are not flooded.
      marketingPerMinute: z.number().int().positive().default(60),
    })
    .prefault({}),
  accounts: z
    .object({
      // Life of the verification link and code sent at sign-up.
      verificationTtlSeconds: z
        .number()
        .int()
        .positive()
        .default(24 * 3600),
      // Wrong verification codes before the flow is spent and a new mail must be asked for.
      verificationMaxAttempts: z.number().int().positive().default(5),
      // Life of a password reset link.
      resetTtlSeconds: z
        .number()
        .int()
        .min(300)
        .max(24 * 3600)
        .default(3600),
      // Work of the reset captcha: the browser tries up to this many numbers (about a second on a phone at 100,000).
      captchaMaxNumber: z.number().int().min(1000).max(10_000_000).default(100_000),
      // NIST SP 800-63B rev 4 §3.1.1.2: at least 15 characters where the password is the only factor (sign-up,
      // `user add`, and accounts without an active OTP token); 8 where a second factor goes with it. Never below 8.
      passwordMinLength: z.number().int().min(8).max(1024).default(15),
      passwordMinLengthWithSecondFactor: z.number().int().min(8).max(1024).default(8),
    })
    .prefault({}),
  sessions: z
    .object({
      // NIST SP 800-63B §2.2.3: an overall limit of at most a day counted from the sign-in, and idle at most an hour
      // counted from the last use (a sign-in at an app, or the account page).
      absoluteSeconds: z
        .number()
        .int()
        .positive()
        .max(24 * 3600)
        .default(12 * 3600),
      idleSeconds: z.number().int().positive().max(3600).default(3600),
    })
    .prefault({}),
  tokens: z
    .object({
      accessTokenSeconds: z.number().int().positive().default(600),
      refreshTokenSeconds: z
        .number()
        .int()
        .positive()
        .default(14 * 24 * 3600),
    })
    .prefault({}),
  oidc: z
    .object({
      // oidc-provider refuses outgoing calls (back-channel logout) to loopback and private addresses, against SSRF.
      // Allow them when the apps live on the company's private network; demo mode allows them for the local demo apps.
      allowPrivateNetworkCallbacks: z.boolean().default(false),
    })
    .prefault({}),
  saml: z
    .object({
      // How long an AuthnRequest waits for its sign-in (password, code, registering a token): a sign-in's pace.
      requestTtlSeconds: z.number().int().min(60).max(3600).default(900),
      // How long an assertion may be presented to the app: the POST follows at once, the rest is clock skew.
      assertionSeconds: z.number().int().min(30).max(600).default(300),
      // The largest SAML message read, as XML after inflating: AuthnRequests are a few KiB; a deflate bomb stops here.
      maxMessageBytes: z.number().int().min(4096).max(1_048_576).default(65_536),
      // How an incoming message's structure is checked before it is read: `structure`, the protocol schema's
      // structure checked in-process, stricter where signature wrapping lives (src/saml/structure.ts); `xsd`, the
      // XSD itself in xmllint compiled to WebAssembly, about 80 ms a message (a worker and the schema per message).
      schemaCheck: z.enum(['structure', 'xsd']).default('structure'),
    })
    .prefault({}),
  otp: z
    .object({
      // Shown in authenticator apps beside the account name.
      issuerName: z.string().min(1).max(60).default('Tessera'),
      // RFC 6238 §5.2: accepted time steps either side of the expected one.
      windowSteps: z.number().int().min(0).max(3).default(1),
      // Consecutive wrong codes before growing delays start; NIST SP 800-63B §3.2.2 caps failures before a lock at 100.
      freeFailures: z.number().int().min(1).max(100).default(10),
      maxFailures: z.number().int().min(1).max(100).default(100),
      // How long a started registration waits for its first code.
      enrolmentTtlSeconds: z.number().int().min(60).max(3600).default(600),
    })
    .prefault({}),
  // Attempts per window, counted where every node sees them. They throttle; they never lock.
  // Passwords (web sign-in, and the VPN on its own counters) are counted as src/ratelimit/attempt-limits.ts says.
  limits: z
    .object({
      // Where the counters live: the Tessera database, or the Redis of cluster.redisUrl (two writes of every sign-in
      // and VPN login off the database).
      counters: z.enum(['database', 'redis']).default('database'),
      // One account from one address (or one VPN client): all a person who mistypes needs, all one attacker gets.
      signInPerAccountSource: limitSchema(20, 300),
      // One address trying any accounts (password spraying).
      signInPerSource: limitSchema(100, 300),
      // Wrong current passwords on the account page (change password or e-mail, delete) per account: it is a password
      // check like a sign-in's, and must be no faster a guessing oracle.
      reauthPerAccount: limitSchema(10, 300),
      // One account from everywhere, browsers with its device cookie aside: five times one address's allowance, so
      // only guessing from many addresses reaches it (NIST SP 800-63B §3.2.2: at most 100 failures).
      signInPerAccount: limitSchema(100, 300),
      // A browser holding the account's device cookie: never refused because others failed, throttled if it fails.
      signInPerDevice: limitSchema(10, 300),
      // How long a device cookie proves a browser (browsers keep a cookie at most 400 days).
      deviceCookieDays: z.number().int().min(1).max(400).default(180),
      signUpPerSource: limitSchema(20, 3600),
      // Reset mails for one address: a mailbox is not flooded, and the owner's browser (device cookie) has its own.
      mailPerAccount: limitSchema(5, 3600),
      // Guesses at an account's e-mail confirmation codes, across all its codes (a new code gives no fresh guesses):
      // 10 an hour leave a guesser about one chance in 4,000 a year at a 6-digit code.
      verificationGuessesPerAccount: limitSchema(10, 3600),
      // Reset mails for one address asked from one place: below mailPerAccount, so one place cannot spend it.
      mailPerAccountSource: limitSchema(3, 3600),
      mailPerSource: limitSchema(30, 3600),
      otpApiPerUser: limitSchema(30, 60),
    })
    .prefault({}),
  // The workforce directory (Active Directory / OpenLDAP). Unset: only customer accounts sign in.
  directory: directoryConfigSchema.optional(),
  // How often accounts gone or disabled in the directory are disabled here (and their sessions ended).
  directorySyncMinutes: z.number().int().min(1).default(15),
  // The RADIUS server for VPN gateways (clients with their shared secrets). Unset: no RADIUS listener.
  radius: radiusConfigSchema.optional(),
  // Sign in with Google, Facebook or Microsoft: each provider shows on the sign-in pages once configured.
  social: socialConfigSchema,
  // Reply attributes on Access-Accept by directory group, e.g. { "Contractors": [{ "name": "Filter-Id", "value": "contractors" }],
  // "VPN Users": [{ "vendor": 12356, "type": 1, "value": "staff" }] } (the second is Fortinet-Group-Name).
  // Group names compare without case, as the directories compare them.
  radiusGroupAttributes: z
    .record(z.string(), z.array(replyAttributeSchema))
    .default({})
    .superRefine((byGroup, ctx) => {
      const seen = new Map<string, string>();
      for (const group of Object.keys(byGroup)) {
        const twin = seen.get(group.toLowerCase());
        if (twin !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [group],
            message: `is the group "${twin}" too (group names compare without case): give its attributes once`,
          });
        seen.set(group.toLowerCase(), group);
      }
    }),
  // `npm start` sets this: registers the demo shop and forum, shows the local mailbox page.
  demo: z.boolean().default(false),
  // Where the demo shop and forum listen in demo mode (their sign-in redirects follow): move them when taken.
  demoApps: z
    .object({
      shopPort: port.default(8081),
      forumPort: port.default(8082),
    })
    .prefault({}),
  metrics: z
    .object({
      // When set, /metrics answers only `Authorization: Bearer <token>` (Prometheus' `authorization` setting); unset, anyone who reaches the port reads it.
      bearerToken: z
        .string()
        .regex(/^[\x21-\x7e]{16,512}$/, 'must be 16 to 512 visible ASCII characters')
        .optional(),
    })
    .prefault({}),
  // Several nodes on one database (src/cluster): a change (apps, gateways, policies, keys) reaches every node through
  // the change feed (PostgreSQL LISTEN/NOTIFY; on SQLite a poll of one counter table by a server beside a CLI).
  cluster: z
    .object({
      // Every node reloads everything this often anyway, should a change notice have been lost; a "next" signing key
      // is published at least this long before `tessera keys rotate` lets it sign.
      backstopSeconds: z.number().int().min(1).max(3600).default(30),
      // SQLite only: how often the server looks for a change written by another process (one PRAGMA, microseconds).
      sqlitePollMs: z.number().int().min(10).max(10_000).default(250),
      // Carry the change feed over Redis (PUBLISH/SUBSCRIBE) instead of the database: e.g. PostgreSQL behind a
      // pooler that does not pass LISTEN on. `redis://[:password@]host:6379[/db]`, or `rediss://` for TLS.
      redisUrl: z
        .string()
        .refine((url) => URL.canParse(url) && /^rediss?:$/.test(new URL(url).protocol), {
          message: 'must be a redis:// or rediss:// URL',
        })
        .optional(),
      // This node's name in the audit log's chains (`<nodeName>/<worker>/<start>`): the host name unless two nodes
      // share one host.
      nodeName: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
        .default(
          () =>
            hostname()
              .replace(/[^A-Za-z0-9._-]/g, '-')
              .slice(0, 64) || 'node',
        ),
    })
    .prefault({}),
  audit: z
    .object({
      // Each process's chain records the heads of the other chains that moved, after this many of its own rows or
      // this long, whichever comes first: a chain's removed tail is caught once another chain anchored past it.
      anchorEveryRows: z.number().int().positive().default(1000),
      anchorEverySeconds: z.number().int().positive().default(30),
    })
    .prefault({}),
  log: z
    .object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  // OTP registration at /otp/register: directory password, employee ID, an SMS or helpdesk code, the first code.
  registration: z
    .object({
      // From the password to the new token's first code: time to install an app, short enough to be no standing door.
      flowTtlSeconds: z.number().int().min(300).max(3600).default(1800),
      // Wrong employee IDs, or wrong codes, before a registration is over and starts again from the password.
      maxWrongAnswers: z.number().int().min(1).max(10).default(5),
      // A helpdesk registration code stays good this long (the FAQ: "contact your local IT support team").
      helpdeskCodeTtlSeconds: z
        .number()
        .int()
        .min(300)
        .max(7 * 86_400)
        .default(86_400),
      // ASVS V6.5.5: an SMS code lives at most 10 minutes.
      smsCodeTtlSeconds: z.number().int().min(60).max(600).default(600),
      // Where people find their employee ID, shown when it does not match (e.g. "your profile in Workday, on the
      // intranet"); unset, the page names the HR system in general words.
      employeeIdHint: z.string().min(1).max(300).optional(),
      // Wrong employee IDs and codes per person across registrations: a new registration gives no fresh guesses.
      guessesPerAccount: limitSchema(10, 3600),
    })
    .prefault({}),
  // SMS for registration codes: which gateway (HTTP provider, SMPP 3.4, or the demo's mailbox) and its limits.
  sms: smsConfigSchema.prefault({}),
  // Languages (src/i18n): a request with no ui_locales, no switcher cookie and no Accept-Language Tessera has gets this.
  i18n: z
    .object({
      defaultLocale: z
        .string()
        .refine(isSupportedLocale, `must be one of the catalogues: ${supportedLocales.join(', ')}`)
        .default('en'),
    })
    .prefault({}),
  console: z
    .object({
      // The web console for IT support and administrators changes other people's factors: a desk left unattended
      // signs out after 15 minutes without a request (ASVS V7.3.1 wants a limit; NIST's hour is for a person's own
      // session), and a working day at most from the sign-in with password and code.
      idleSeconds: z
        .number()
        .int()
        .min(60)
        .max(3600)
        .default(15 * 60),
      absoluteSeconds: z
        .number()
        .int()
        .min(300)
        .max(12 * 3600)
        .default(8 * 3600),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;
export type Config = Parsed & { databaseUrl: string; issuer: string };

/** config.invalid: a value the schema refuses; config.port_in_use: a configured port another process holds. */
export class ConfigError extends TesseraError<'config.invalid' | 'config.port_in_use'> {
  constructor(message: string, code: ConfigError['code'] = 'config.invalid') {
    super(code, { message });
  }
}

function envName(path: string[]): string {
  return `TESSERA_${path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

/** The environment variable of an option named by its dotted key: `http.port` → TESSERA_HTTP_PORT. */
export const envVariable = (key: string): string => envName(key.split('.'));

/**
 * A port another process holds stops the start with one line naming the option and its variable, like any other
 * setting that cannot be used (a second `npm start` is the usual cause).
 */
export function portInUse(key: string, port: number, host?: string): ConfigError {
  const where = host === undefined ? '' : ` on ${host}`;
  return new ConfigError(
    `${key} ${port} (${envVariable(key)}) is already in use${where}: stop the other process or ` +
      'choose another port',
    'config.port_in_use',
  );
}

function readEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

// Walks the schema's object shapes so every leaf option has its environment variable.
function leafPaths(schema: z.ZodType, prefix: string[] = []): string[][] {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional || inner instanceof z.ZodPrefault) {
    inner = inner.unwrap() as z.ZodType;
  }
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape).flatMap(([k, v]) => leafPaths(v as z.ZodType, [...prefix, k]));
  }
  return [prefix];
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigInput } = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.TESSERA_CONFIG ?? 'tessera.config.json';
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`Invalid configuration: ${file} is not valid JSON (${(err as Error).message})`);
    }
  }
  raw = structuredClone({ ...raw, ...options.overrides }) as Record<string, unknown>;
  for (const path of leafPaths(configSchema)) {
    const value = env[envName(path)];
    if (value !== undefined && value !== '') setPath(raw, path, readEnvValue(value));
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      return `  ${key || '(root)'} (${envName(issue.path.map(String))}): ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const parsed = result.data;
  if (parsed.limits.counters === 'redis' && !parsed.cluster.redisUrl) {
    throw new ConfigError(
      `Invalid configuration:\n  limits.counters (${envVariable('limits.counters')}): is redis, but cluster.redisUrl ` +
        `(${envVariable('cluster.redisUrl')}) is not set: it names the Redis that keeps them`,
    );
  }
  return {
    ...parsed,
    databaseUrl: parsed.databaseUrl ?? `sqlite:${resolve(parsed.dataDir, 'tessera.db')}`,
    issuer: (parsed.issuer ?? `http://localhost:${parsed.http.port}`).replace(/\/$/, ''),
    // The demo listens for VPN gateways too (UDP 127.0.0.1:1812), so the RADIUS login can be tried with radclient.
    radius: parsed.radius ?? (parsed.demo ? radiusConfigSchema.parse({}) : undefined),
  };
}
