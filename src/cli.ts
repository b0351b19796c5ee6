#!/usr/bin/env node
// tessera serve | migrate | client … | user add | keys rotate | directory sync | policy … | campaign send | radius …
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createServer, type TesseraServer } from './server.ts';
import { openStore } from './store/index.ts';
import { systemClock } from './clock/index.ts';
import { rotateSigningKeys, createSqlSecretStore, ClientError, type ClientInput } from './oidc/index.ts';
import { IdentityError } from './identity/index.ts';
import { base32Decode, checkHardwareImport, OtpError, type HardwareImport, type TokenDescription } from './otp/index.ts';
import { CampaignError } from './delivery/index.ts';
import type { AppPolicy, OtpMode } from './policy/index.ts';
import { RadiusClientError, RadiusConfigError, type VpnSession } from './radius/index.ts';
import { createDirectorySource } from './directory/index.ts';
import type { RecordedEvent } from './audit/index.ts';

const usage = `Usage: tessera <command>
  serve [--demo]                       start Tessera (HTTP on http.port)
  migrate                              apply database migrations
  client add --id ID --name NAME --redirect-uri URI [--redirect-uri URI …]
             [--post-logout-uri URI …] [--backchannel-logout-uri URI] [--public]
             [--logo-uri URI] [--policy-uri URI] [--tos-uri URI] [--grant TYPE …]
             [--alg ES256|RS256] [--first-party] [--refresh-tokens offline_access|always] [--json FILE]
                                       refresh tokens only when the app asks (offline_access, the default) or always
  client list | client remove --id ID
  user add --email EMAIL --password PASSWORD [--name NAME] [--workforce]
                                       --workforce: a staff account kept here, not in a directory (may use the VPN)
  keys rotate                          new signing keys; old ones stay published until their tokens expire
  directory sync                       disable accounts gone or disabled in the directory, end their sessions
  directory check [--user NAME]        connect, bind the service account and search; with --user, show the entry that
                                       name signs in as, mapped as Tessera sees it (no password needed)
  policy set --app ID --otp off|optional|required [--go-live YYYY-MM-DD] [--grace-days N] [--group NAME=MODE …]
  policy list                          which app asks for the one-time code, from when, for whom
  campaign send --subject TEXT --html FILE [--text FILE]
                                       marketing mail to every customer who opted in, with one-click unsubscribe
  radius client add --name NAME --address IP|CIDR [--secret SECRET] [--password-and-code]
                    [--no-message-authenticator] [--group NAME …]
                                       a VPN gateway; without --secret a random one is made and shown once;
                                       with --group only members of those directory groups log in through it
  radius client list | radius client remove --name NAME
  radius sessions [--active] [--user NAME] [--limit N] [--format table|json]
                                       VPN sessions the gateways reported by accounting, newest first
  otp tokens --user NAME [--format table|json]
                                       a person's OTP tokens: serial, state, failed codes, locked until when
  otp unlock --serial SERIAL           helpdesk, once the person is identified: lift a token's lock and clear its failures
  otp unbind --serial SERIAL           a lost or returned token stops working at once; the person registers a new one
  otp import --file FILE [--encoding hex|base32]
                                       hardware tokens from the vendor's seed file, one per line: serial,secret[,digits[,period]]
                                       (period 30, 60 or hotp); the whole file is checked before anything is stored
  otp assign --user NAME --serial SERIAL
                                       give a person an imported hardware token; it works at once
  audit [--user NAME] [--action PREFIX] [--limit N] [--format table|json]
                                       the audit log, newest first: why a sign-in or VPN login was refused, who changed what
  audit verify                         check the audit log's hash chain: was any event changed or removed`;

const noDirectory = 'no directory is configured (directory.urls, TESSERA_DIRECTORY_URLS)';

/** A composed server for one command, closed afterwards whatever happens. */
async function withServer<T>(config: Config, fn: (server: TesseraServer) => Promise<T>): Promise<T> {
  const server = await createServer(config);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/**
 * `tessera directory check`: what a newcomer setting up the directory needs to see, step by step — which servers
 * answered, whether the service account binds and searches, and how a person's entry maps. Errors say what the
 * directory said; none carries a password.
 */
async function checkDirectory(directory: NonNullable<Config['directory']>, user: string | undefined): Promise<number> {
  const failed: string[] = [];
  const source = createDirectorySource(directory, { clock: systemClock, onServerFailed: (url, reason) => failed.push(`${url} (${reason})`) });
  try {
    // A plain name nobody has still makes the service account bind and search: the connection check.
    await source.describe('tessera-directory-check').finally(() => {
      for (const server of failed) console.log(`did not answer: ${server}`);
    });
    console.log(`service account ${directory.bindDn}: bound, and searched ${directory.baseDn}`);
    if (user === undefined) return 0;
    const found = await source.describe(user);
    if (found === null) {
      console.error(`no entry matches ${user}: check userFilter, attributes.login and domains`);
      return 1;
    }
    console.log(JSON.stringify({ dn: found.dn, ...found.person, status: found.status }, null, 2));
    return 0;
  } catch (err) {
    const { message, diagnostic } = err as { message: string; diagnostic?: string | null };
    console.error(`${message}${diagnostic ? ` (the directory said: ${diagnostic})` : ''}`);
    return 1;
  } finally {
    await source.close();
  }
}

/** `fn` also gets the migrations this run applied. */
async function withStore<T>(config: Config, fn: (store: ReturnType<typeof openStore>, applied: string[]) => Promise<T>): Promise<T> {
  const store = openStore(config.databaseUrl);
  try {
    const applied = await store.migrate();
    return await fn(store, applied);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      demo: { type: 'boolean' }, id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true }, 'post-logout-uri': { type: 'string', multiple: true },
      'backchannel-logout-uri': { type: 'string' }, public: { type: 'boolean' }, 'logo-uri': { type: 'string' },
      'policy-uri': { type: 'string' }, 'tos-uri': { type: 'string' }, grant: { type: 'string', multiple: true },
      alg: { type: 'string' }, 'first-party': { type: 'boolean' }, 'refresh-tokens': { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      subject: { type: 'string' }, html: { type: 'string' }, text: { type: 'string' },
      address: { type: 'string' }, secret: { type: 'string' }, 'password-and-code': { type: 'boolean' }, 'no-message-authenticator': { type: 'boolean' },
      active: { type: 'boolean' }, workforce: { type: 'boolean' }, user: { type: 'string' }, limit: { type: 'string' }, format: { type: 'string' },
      app: { type: 'string' }, action: { type: 'string' }, serial: { type: 'string' }, file: { type: 'string' }, encoding: { type: 'string' }, otp: { type: 'string' }, 'go-live': { type: 'string' }, 'grace-days': { type: 'string' }, group: { type: 'string', multiple: true },
    },
  });
  const [command, sub, action] = positionals;
  if (values.help || !command) { console.log(usage); return command ? 0 : 2; }
  const config = loadConfig({ overrides: values.demo ? { demo: true } : {} });

  switch ([command, sub, action].filter(Boolean).join(' ')) {
    case 'serve': {
      const { serve } = await import('./serve.ts');
      await serve(config);
      return 0;
    }
    case 'migrate': {
      const applied = await withStore(config, async (_store, migrations) => migrations);
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    case 'client add': {
      const input: ClientInput = values.json ? JSON.parse(readFileSync(values.json, 'utf8')) : {
        client_id: values.id ?? '', client_name: values.name ?? values.id ?? '', redirect_uris: values['redirect-uri'] ?? [],
        post_logout_redirect_uris: values['post-logout-uri'], backchannel_logout_uri: values['backchannel-logout-uri'],
        public: values.public, logo_uri: values['logo-uri'], policy_uri: values['policy-uri'], tos_uri: values['tos-uri'],
        grant_types: values.grant as ClientInput['grant_types'], id_token_signed_response_alg: values.alg as 'ES256' | 'RS256' | undefined,
        first_party: values['first-party'], refresh_tokens: values['refresh-tokens'] as ClientInput['refresh_tokens'],
      };
      await withServer(config, async (server) => {
        console.log(JSON.stringify(await server.clients.add(input), null, 2));
        console.error('Keep the client_secret now: it is not shown again.');
      });
      return 0;
    }
    case 'client list': case 'client remove': {
      await withServer(config, async (server) => {
        if (sub === 'list') console.log(JSON.stringify(await server.clients.list(), null, 2));
        else { await server.clients.remove(values.id ?? ''); console.log(`removed ${values.id}`); }
      });
      return 0;
    }
    case 'user add': {
      await withServer(config, async (server) => {
        const account = await server.accounts.createByOperator({ email: values.email, password: values.password, name: values.name, workforce: values.workforce });
        console.log(`created ${account.kind} account ${account.email} (${account.id})`);
      });
      return 0;
    }
    case 'keys rotate': {
      await withServer(config, async (server) => {
        const secrets = createSqlSecretStore(server.store.db);
        console.log((await rotateSigningKeys(secrets, server.sealer, systemClock)).join('\n'));
      });
      return 0;
    }
    case 'policy set': {
      const policy = parsePolicy(values);
      await withServer(config, async (server) => {
        await server.policies.save(policy, Date.now());
        await server.audit.record({ actor: 'operator', action: 'policy.set', subject: policy.appId, outcome: 'success', details: { ...policy } });
        console.log(JSON.stringify(policy, null, 2));
      });
      return 0;
    }
    case 'policy list': {
      await withServer(config, async (server) => { console.log(JSON.stringify(await server.policies.list(), null, 2)); });
      return 0;
    }
    case 'campaign send': {
      const { subject, html } = values;
      if (!subject || !html) { console.error(usage); return 2; }
      await withServer(config, async (server) => {
        const { recipients } = await server.sendCampaign({
          subject, html: readFileSync(html, 'utf8'), text: values.text ? readFileSync(values.text, 'utf8') : undefined,
        });
        console.log(`queued ${recipients} mails; the running server sends them at ${config.mail.marketingPerMinute} a minute`);
      });
      return 0;
    }
    case 'directory check': {
      if (!config.directory) { console.error(noDirectory); return 1; }
      return checkDirectory(config.directory, values.user);
    }
    case 'directory sync': {
      return withServer(config, async (server) => {
        if (!server.workforce) { console.error(noDirectory); return 1; }
        const result = await server.workforce.sync();
        console.log(`checked ${result.checked} workforce accounts, disabled ${result.disabled}`);
        return 0;
      });
    }
    case 'radius client add': {
      const { name, address } = values;
      if (!name || !address) throw new UsageError('radius client add: --name and --address are required');
      await withServer(config, async (server) => {
        const { client, secret } = await server.radiusClients.add({
          name, address, secret: values.secret,
          passwordAndCode: values['password-and-code'], requireMessageAuthenticator: !values['no-message-authenticator'],
          allowedGroups: (values.group as string[] | undefined) ?? [],
        });
        await server.audit.record({ actor: 'operator', action: 'radius.client.add', subject: client.name, outcome: 'success', details: { address: client.address, allowedGroups: client.allowedGroups } });
        console.log(JSON.stringify(client, null, 2));
        if (!values.secret) console.log(`shared secret: ${secret}\nKeep it now: it is not shown again. Running servers pick the client up at its first packet.`);
        if (!config.radius) console.error('note: RADIUS is not configured here (radius.port, TESSERA_RADIUS_PORT); no server will listen.');
      });
      return 0;
    }
    case 'radius client list': {
      await withServer(config, async (server) => {
        const configured = (config.radius?.clients ?? []).map(({ secret: _secret, ...c }) => ({ ...c, source: 'configuration' }));
        const stored = (await server.radiusClients.list()).map((c) => ({ ...c, source: 'database' }));
        console.log(JSON.stringify([...configured, ...stored], null, 2));
      });
      return 0;
    }
    case 'radius client remove': {
      const { name } = values;
      if (!name) throw new UsageError('radius client remove: --name is required');
      await withServer(config, async (server) => {
        await server.radiusClients.remove(name);
        await server.audit.record({ actor: 'operator', action: 'radius.client.remove', subject: name, outcome: 'success' });
        console.log(`removed ${name}; running servers stop answering it within radius.clientRefreshMs`);
      });
      return 0;
    }
    case 'radius sessions': {
      const limit = parseLimit('radius sessions', values.limit);
      const format = parseFormat('radius sessions', values.format);
      await withServer(config, async (server) => {
        const sessions = await server.vpnSessions.list({ active: values.active, userName: values.user, limit });
        console.log(format === 'json' ? JSON.stringify(sessions, null, 2) : formatSessions(sessions));
      });
      return 0;
    }
    case 'otp tokens': {
      if (!values.user) throw new UsageError('otp tokens: --user is required (an e-mail or directory name)');
      const format = parseFormat('otp tokens', values.format);
      return withServer(config, async (server) => {
        const account = await server.accounts.findByLogin(values.user!);
        if (!account) { console.error(`no account matches ${values.user}`); return 1; }
        const tokens = await server.otp.list(account.id);
        console.log(format === 'json' ? JSON.stringify(tokens, null, 2) : formatTokens(tokens, Date.now()));
        return 0;
      });
    }
    case 'otp import': {
      if (!values.file) throw new UsageError('otp import: --file is required');
      const encoding = values.encoding ?? 'hex';
      if (encoding !== 'hex' && encoding !== 'base32') throw new UsageError('otp import: --encoding must be hex or base32');
      let text: string;
      try { text = readFileSync(values.file, 'utf8'); } catch (err) {
        throw new UsageError(`otp import: cannot read ${values.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const { tokens, problems } = readSeedFile(text, encoding);
      if (problems.length > 0) {
        for (const problem of problems) console.error(problem);
        console.error(`nothing imported: mend ${values.file} and run again`);
        return 1;
      }
      return withServer(config, async (server) => {
        let imported = 0;
        const present: string[] = [];
        for (const token of tokens) {
          try {
            await server.otp.importHardware(token);
            imported++;
          } catch (err) {
            if ((err as { code?: string }).code !== 'otp.serial_taken') throw err;
            present.push(token.serial);
          }
        }
        await server.audit.record({ actor: 'operator', action: 'helpdesk.otp_import', subject: null, outcome: 'success', details: { imported, alreadyThere: present.length } });
        console.log(`imported ${imported} hardware token(s)${present.length > 0 ? `; already there, left as they were: ${present.join(', ')}` : ''}`);
        return 0;
      });
    }
    case 'otp assign': {
      if (!values.user || !values.serial) throw new UsageError('otp assign: --user and --serial are required');
      return withServer(config, async (server) => {
        const account = await server.accounts.findByLogin(values.user!);
        if (!account) { console.error(`no account matches ${values.user}`); return 1; }
        try {
          await server.audit.asOneEvent(async () => {
            await server.otp.assignHardware(account.id, values.serial!);
            await server.audit.record({ actor: 'operator', action: 'helpdesk.otp_assign', subject: account.id, outcome: 'success', details: { serial: values.serial } });
          });
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code !== 'otp.serial_unknown' && code !== 'otp.serial_taken') throw err;
          console.error(code === 'otp.serial_taken' ? `${values.serial} belongs to someone already: unbind it first` : `no imported hardware token has serial ${values.serial}`);
          return 1;
        }
        console.log(`assigned ${values.serial} to ${account.username ?? account.email}; it works at once`);
        return 0;
      });
    }
    case 'otp unlock': case 'otp unbind': {
      const serial = values.serial;
      if (!serial) throw new UsageError(`otp ${sub}: --serial is required (as printed on the token or shown by otp tokens)`);
      return withServer(config, async (server) => {
        // One audit row by the operator, the token change its step.
        const done = await server.audit.asOneEvent(async () => {
          try {
            await (sub === 'unlock' ? server.otp.unlock(serial) : server.otp.unbind(serial));
          } catch (err) {
            if (!(err instanceof OtpError)) throw err;
            return false;
          }
          await server.audit.record({ actor: 'operator', action: `helpdesk.otp_${sub}`, subject: null, outcome: 'success', details: { serial } });
          return true;
        });
        if (!done) {
          console.error(`no token with serial ${serial}${sub === 'unlock' ? ' that is in use' : ' belongs to anyone'}: check it with otp tokens --user`);
          return 1;
        }
        console.log(sub === 'unlock' ? `unlocked ${serial}: its failed codes are cleared` : `unbound ${serial}: it no longer works; the person registers a new token on the account page`);
        return 0;
      });
    }
    case 'audit': {
      const limit = parseLimit('audit', values.limit);
      const format = parseFormat('audit', values.format);
      if (values.action !== undefined && !/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(values.action)) throw new UsageError('audit: --action must be an action name or its first parts, like radius or radius.reject');
      await withServer(config, async (server) => {
        const account = values.user === undefined ? undefined : await server.accounts.findByLogin(values.user);
        const who = values.user === undefined ? undefined : { name: values.user, accountId: account?.id };
        const events = await server.audit.list({ who, action: values.action, limit });
        const names = new Map<string, string>();
        for (const subject of new Set(events.map((e) => e.subject).filter((s): s is string => s !== null))) {
          const named = await server.accounts.findAccount(subject);
          if (named) names.set(subject, named.username ?? named.email ?? subject);
        }
        console.log(format === 'json' ? JSON.stringify(events, null, 2) : formatEvents(events, names));
      });
      return 0;
    }
    case 'audit verify': {
      return withServer(config, async (server) => {
        const verdict = await server.audit.verify();
        if (verdict.ok) { console.log(`audit log intact: ${verdict.events} events, each chained to the one before`); return 0; }
        console.error(`audit log broken at event ${verdict.brokenAt}: it, or one before it, was changed or removed after it was written`);
        return 1;
      });
    }
    default:
      console.error(usage);
      return 2;
  }
}

class UsageError extends Error {}

function parseLimit(command: string, value: string | undefined): number {
  const limit = value === undefined ? 50 : Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`${command}: --limit must be a whole number from 1 to 10000`);
  return limit;
}

function parseFormat(command: string, value: string | undefined): 'table' | 'json' {
  if (value !== undefined && value !== 'table' && value !== 'json') throw new UsageError(`${command}: --format must be table or json`);
  return value ?? 'table';
}

const utc = (ms: number | null) => ms === null ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function formatEvents(events: RecordedEvent[], names: Map<string, string>): string {
  if (events.length === 0) return 'no audit events match';
  const rows = [['#', 'TIME (UTC)', 'ACTION', 'OUTCOME', 'SUBJECT', 'SOURCE', 'DETAILS']];
  for (const e of events) {
    // The reason first: it is what the helpdesk looks for; the steps of a VPN login in the order they ran.
    const { reason, steps, ...rest } = e.details as { reason?: unknown; steps?: Array<{ action: string; outcome: string }> };
    const details = [
      ...(reason === undefined ? [] : [`reason=${String(reason)}`]),
      ...Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`),
      ...(steps === undefined ? [] : [`steps: ${steps.map((s) => `${s.action} ${s.outcome}`).join(', ')}`]),
    ].join(' ');
    rows.push([String(e.seq), utc(e.at), e.action, e.outcome, e.subject === null ? '' : names.get(e.subject) ?? e.subject, e.source ?? '', details]);
  }
  return formatTable(rows);
}

/**
 * A vendor's seed file: `serial,secret[,digits[,period]]` a line, `#` comments, a header line naming `serial`. Every
 * line is checked as the import would check it, so a bad file stores nothing; problems name the line, never a secret.
 */
function readSeedFile(text: string, encoding: 'hex' | 'base32'): { tokens: HardwareImport[]; problems: string[] } {
  const tokens: HardwareImport[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^serial\b/i.test(line)) return;
    const where = `line ${index + 1}`;
    const [serial = '', secretText = '', digits = '6', period = '30', ...extra] = line.split(',').map((f) => f.trim());
    const secretOk = encoding === 'hex' ? /^([0-9a-fA-F]{2})+$/.test(secretText) : /^[A-Za-z2-7]+=*$/.test(secretText);
    if (extra.length > 0 || !secretOk || !['6', '8'].includes(digits) || !['30', '60', 'hotp'].includes(period)) {
      problems.push(`${where}: expected serial,secret in ${encoding}[,6|8[,30|60|hotp]]`);
      return;
    }
    const token: HardwareImport = {
      serial, secret: encoding === 'hex' ? Buffer.from(secretText, 'hex') : base32Decode(secretText.toUpperCase()),
      digits: Number(digits) as 6 | 8, periodSeconds: period === 'hotp' ? null : Number(period),
    };
    try {
      const { serial: stored } = checkHardwareImport(token);
      if (seen.has(stored)) throw new RangeError(`serial ${stored} appears twice in the file`);
      seen.add(stored);
      tokens.push({ ...token, serial: stored });
    } catch (err) {
      problems.push(`${where}: ${err instanceof OtpError ? 'the serial must be 1–64 letters, digits or . _ : -' : (err as Error).message}`);
    }
  });
  return { tokens, problems };
}

function formatTokens(tokens: TokenDescription[], now: number): string {
  if (tokens.length === 0) return 'no OTP tokens: the person has not registered one';
  const rows = [['SERIAL', 'TYPE', 'STATE', 'FAILED CODES', 'LOCKED UNTIL (UTC)', 'REGISTERED (UTC)']];
  for (const t of tokens) rows.push([t.serial, t.type, t.state, String(t.failures), t.lockedUntil > now ? utc(t.lockedUntil) : '', utc(t.activatedAt ?? t.createdAt)]);
  return formatTable(rows);
}

function formatSessions(sessions: VpnSession[]): string {
  if (sessions.length === 0) return 'no VPN sessions recorded';
  const bytes = (n: number | null) => n === null ? '' : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
  const rows = [['USER', 'GATEWAY', 'ADDRESS', 'FROM', 'STARTED (UTC)', 'ENDED (UTC)', 'IN', 'OUT', 'END CAUSE']];
  for (const s of sessions) {
    rows.push([s.userName ?? '', s.client, s.framedAddress ?? '', s.callingStation ?? '', utc(s.startedAt), s.stoppedAt === null ? 'active' : utc(s.stoppedAt), bytes(s.inputOctets), bytes(s.outputOctets), s.terminateCause ?? '']);
  }
  return formatTable(rows);
}

// What a gateway or a person typed (a user name, say) reaches the operator's terminal: control characters are shown
// as \xNN, never sent, so an escape sequence in a name cannot rewrite the screen or hide a line.
const visible = (cell: string) => cell.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function formatTable(cells: string[][]): string {
  const rows = cells.map((row) => row.map(visible));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

function parsePolicy(values: Record<string, unknown>): AppPolicy {
  const modes = ['off', 'optional', 'required'];
  if (typeof values.app !== 'string' || !values.app) throw new UsageError('policy set: --app is required');
  if (!modes.includes(String(values.otp))) throw new UsageError('policy set: --otp must be off, optional or required');
  const goLive = values['go-live'] === undefined ? null : Date.parse(`${values['go-live']}T00:00:00Z`);
  if (goLive !== null && Number.isNaN(goLive)) throw new UsageError('policy set: --go-live must be a date like 2026-12-01');
  const graceDays = values['grace-days'] === undefined ? 0 : Number(values['grace-days']);
  if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > 365) throw new UsageError('policy set: --grace-days must be a whole number of days from 0 to 365');
  const groupOverrides: Record<string, OtpMode> = {};
  for (const entry of (values.group as string[] | undefined) ?? []) {
    const [name, mode] = [entry.slice(0, entry.lastIndexOf('=')), entry.slice(entry.lastIndexOf('=') + 1)];
    if (!name || !modes.includes(mode)) throw new UsageError(`policy set: --group ${entry} must be NAME=off|optional|required`);
    const twin = Object.keys(groupOverrides).find((other) => other.toLowerCase() === name.toLowerCase());
    if (twin !== undefined) throw new UsageError(`policy set: --group ${twin} is given twice (group names compare without case)`);
    groupOverrides[name] = mode as OtpMode;
  }
  return { appId: values.app, otp: values.otp as OtpMode, goLiveAt: goLive, graceSeconds: graceDays * 86400, groupOverrides };
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  if (err instanceof ConfigError || err instanceof ClientError || err instanceof IdentityError || err instanceof CampaignError || err instanceof UsageError || err instanceof RadiusClientError || err instanceof RadiusConfigError) {
    console.error(err instanceof IdentityError ? `error: ${err.code}` : err.message);
  } else if (typeof (err as { code?: unknown }).code === 'string' && String((err as { code: string }).code).startsWith('directory.')) {
    console.error(`error: ${(err as { code: string }).code}`);
  } else if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(err as Error).message}\n\n${usage}`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
});
