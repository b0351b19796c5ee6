#!/usr/bin/env node
// tessera serve | migrate | client add|list|remove | user add | keys rotate
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createServer } from './server.ts';
import { openStore } from './store/index.ts';
import { systemClock } from './clock/index.ts';
import { rotateSigningKeys, ClientError, type ClientInput } from './oidc/index.ts';
import { IdentityError } from './identity/index.ts';
import { CampaignError } from './delivery/index.ts';
import type { AppPolicy, OtpMode } from './policy/index.ts';

const usage = `Usage: tessera <command>
  serve [--demo]                       start Tessera (HTTP on http.port)
  migrate                              apply database migrations
  client add --id ID --name NAME --redirect-uri URI [--redirect-uri URI …]
             [--post-logout-uri URI …] [--backchannel-logout-uri URI] [--public]
             [--logo-uri URI] [--policy-uri URI] [--tos-uri URI] [--grant TYPE …]
             [--alg ES256|RS256] [--first-party] [--json FILE]
  client list | client remove --id ID
  user add --email EMAIL --password PASSWORD [--name NAME]
  keys rotate                          new signing keys; old ones stay published until their tokens expire
  directory sync                       disable accounts gone or disabled in the directory, end their sessions
  policy set --app ID --otp off|optional|required [--go-live YYYY-MM-DD] [--grace-days N] [--group NAME=MODE …]
  policy list                          which app asks for the one-time code, from when, for whom
  campaign send --subject TEXT --html FILE [--text FILE]
                                       marketing mail to every customer who opted in, with one-click unsubscribe`;

async function withStore<T>(config: Config, fn: (store: ReturnType<typeof openStore>) => Promise<T>): Promise<T> {
  const store = openStore(config.databaseUrl);
  try {
    await store.migrate();
    return await fn(store);
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
      alg: { type: 'string' }, 'first-party': { type: 'boolean' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      subject: { type: 'string' }, html: { type: 'string' }, text: { type: 'string' },
      app: { type: 'string' }, otp: { type: 'string' }, 'go-live': { type: 'string' }, 'grace-days': { type: 'string' }, group: { type: 'string', multiple: true },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) { console.log(usage); return command ? 0 : 2; }
  const config = loadConfig({ overrides: values.demo ? { demo: true } : {} });

  switch (`${command}${sub ? ' ' + sub : ''}`) {
    case 'serve': {
      const { serve } = await import('./serve.ts');
      await serve(config);
      return 0;
    }
    case 'migrate': {
      const applied = await withStore(config, async () => []);
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    case 'client add': {
      const input: ClientInput = values.json ? JSON.parse(readFileSync(values.json, 'utf8')) : {
        client_id: values.id ?? '', client_name: values.name ?? values.id ?? '', redirect_uris: values['redirect-uri'] ?? [],
        post_logout_redirect_uris: values['post-logout-uri'], backchannel_logout_uri: values['backchannel-logout-uri'],
        public: values.public, logo_uri: values['logo-uri'], policy_uri: values['policy-uri'], tos_uri: values['tos-uri'],
        grant_types: values.grant as ClientInput['grant_types'], id_token_signed_response_alg: values.alg as 'ES256' | 'RS256' | undefined,
        first_party: values['first-party'],
      };
      const server = await createServer(config);
      try {
        console.log(JSON.stringify(await server.clients.add(input), null, 2));
        console.error('Keep the client_secret now: it is not shown again.');
      } finally { await server.close(); }
      return 0;
    }
    case 'client list': case 'client remove': {
      const server = await createServer(config);
      try {
        if (sub === 'list') console.log(JSON.stringify(await server.clients.list(), null, 2));
        else { await server.clients.remove(values.id ?? ''); console.log(`removed ${values.id}`); }
      } finally { await server.close(); }
      return 0;
    }
    case 'user add': {
      const server = await createServer(config);
      try {
        const account = await server.accounts.createByOperator({ email: values.email, password: values.password, name: values.name });
        console.log(`created ${account.email} (${account.id})`);
      } finally { await server.close(); }
      return 0;
    }
    case 'keys rotate': {
      const server = await createServer(config);
      try {
        console.log((await rotateSigningKeys(server.store.db, server.sealer, systemClock)).join('\n'));
      } finally { await server.close(); }
      return 0;
    }
    case 'policy set': {
      const policy = parsePolicy(values);
      const server = await createServer(config);
      try {
        await server.policies.save(policy, Date.now());
        await server.audit.record({ actor: 'operator', action: 'policy.set', subject: policy.appId, outcome: 'success', details: { ...policy } });
        console.log(JSON.stringify(policy, null, 2));
      } finally { await server.close(); }
      return 0;
    }
    case 'policy list': {
      const server = await createServer(config);
      try { console.log(JSON.stringify(await server.policies.list(), null, 2)); } finally { await server.close(); }
      return 0;
    }
    case 'campaign send': {
      if (!values.subject || !values.html) { console.error(usage); return 2; }
      const server = await createServer(config);
      try {
        const { recipients } = await server.sendCampaign({
          subject: values.subject, html: readFileSync(values.html, 'utf8'), text: values.text ? readFileSync(values.text, 'utf8') : undefined,
        });
        console.log(`queued ${recipients} mails; the running server sends them at ${config.mail.marketingPerMinute} a minute`);
      } finally { await server.close(); }
      return 0;
    }
    case 'directory sync': {
      const server = await createServer(config);
      try {
        if (!server.workforce) { console.error('no directory is configured (directory.urls, TESSERA_DIRECTORY_URLS)'); return 1; }
        const result = await server.workforce.sync();
        console.log(`checked ${result.checked} workforce accounts, disabled ${result.disabled}`);
      } finally { await server.close(); }
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

class UsageError extends Error {}

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
    groupOverrides[name] = mode as OtpMode;
  }
  return { appId: values.app, otp: values.otp as OtpMode, goLiveAt: goLive, graceSeconds: graceDays * 86400, groupOverrides };
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  if (err instanceof ConfigError || err instanceof ClientError || err instanceof IdentityError || err instanceof CampaignError || err instanceof UsageError) {
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
