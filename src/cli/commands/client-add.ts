import { Command } from 'commander';
import type { ClientInput } from '../../oidc/index.ts';
import { act, type CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { readText } from '../files.ts';
import { collect } from '../options.ts';

interface Options {
  id?: string;
  name?: string;
  redirectUri?: string[];
  postLogoutUri?: string[];
  backchannelLogoutUri?: string;
  public?: boolean;
  logoUri?: string;
  policyUri?: string;
  tosUri?: string;
  grant?: string[];
  alg?: string;
  firstParty?: boolean;
  refreshTokens?: string;
  json?: string;
}

function readJson(file: string): ClientInput {
  try {
    return JSON.parse(readText(file, 'json')) as ClientInput;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new CliError('cli.invalid_option', 'json', `${file} is not JSON (${err.message})`);
  }
}

// Every field is checked by the client registry, which names the one that is wrong (`redirect_uris.0: …`).
const inputOf = (o: Options): ClientInput =>
  o.json
    ? readJson(o.json)
    : {
        client_id: o.id ?? '',
        client_name: o.name ?? o.id ?? '',
        redirect_uris: o.redirectUri ?? [],
        post_logout_redirect_uris: o.postLogoutUri,
        backchannel_logout_uri: o.backchannelLogoutUri,
        public: o.public,
        logo_uri: o.logoUri,
        policy_uri: o.policyUri,
        tos_uri: o.tosUri,
        grant_types: o.grant as ClientInput['grant_types'],
        id_token_signed_response_alg: o.alg as ClientInput['id_token_signed_response_alg'],
        first_party: o.firstParty,
        refresh_tokens: o.refreshTokens as ClientInput['refresh_tokens'],
      };

export default (ctx: CliContext) =>
  new Command('add')
    .description('register an app; its client_secret is shown once')
    .option('--id <id>', 'the client_id: letters, digits, dot, dash and underscore, 3 to 100 long')
    .option('--name <name>', 'the name people see on the consent page (default: the id)')
    .option('--redirect-uri <uri>', 'an exact redirect URI; repeat for more', collect)
    .option('--post-logout-uri <uri>', 'where to go after sign-out; repeat for more', collect)
    .option('--backchannel-logout-uri <uri>', 'told when a person signs out')
    .option('--public', 'a public client (no secret; PKCE)')
    .option('--logo-uri <uri>')
    .option('--policy-uri <uri>')
    .option('--tos-uri <uri>')
    .option('--grant <type>', 'authorization_code, refresh_token or client_credentials; repeat for more', collect)
    .option('--alg <alg>', 'ID token signing algorithm: ES256 (the default) or RS256')
    .option('--first-party', "the company's own app: no consent page")
    .option('--refresh-tokens <when>', 'offline_access (only when the app asks, the default) or always')
    .option('--json <file>', 'the client metadata as a JSON file, instead of the options above')
    .action(
      act(ctx, (o: Options) =>
        ctx.withAdmin(async (admin) => {
          console.log(JSON.stringify(await admin.clients.add(inputOf(o)), null, 2));
          console.error('Keep the client_secret now: it is not shown again.');
        }),
      ),
    );
