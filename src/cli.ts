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

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  if (err instanceof ConfigError || err instanceof ClientError || err instanceof IdentityError || err instanceof CampaignError) {
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
