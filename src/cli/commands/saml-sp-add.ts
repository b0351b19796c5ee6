import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { act, type CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { RequiredOption } from '../options.ts';

interface Options {
  metadata: string;
  name?: string;
  nameId?: 'persistent' | 'email' | 'unspecified';
  attributes?: 'claims' | 'plain';
  signResponse?: boolean;
  relayState?: string;
  release?: string;
  wsfedToken?: 'saml1.1' | 'saml2.0';
  encrypt?: 'aes256-gcm' | 'aes256-cbc';
}

// Metadata files are a few KiB; a megabyte is far past any real one.
const maxMetadataBytes = 1_048_576;

/** The metadata from a file, or from an http(s) URL as its owner publishes it. */
async function readMetadata(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    let response: Response;
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
    } catch (err) {
      throw new CliError('cli.unreadable_file', 'metadata', `cannot fetch ${source}: ${(err as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new CliError('cli.unreadable_file', 'metadata', `${source} answered ${response.status}`);
    if (text.length > maxMetadataBytes) throw new CliError('cli.unreadable_file', 'metadata', `${source} is too large`);
    return text;
  }
  try {
    const text = await readFile(source, 'utf8');
    if (text.length > maxMetadataBytes) throw new Error('larger than 1 MiB');
    return text;
  } catch (err) {
    throw new CliError('cli.unreadable_file', 'metadata', `cannot read ${source}: ${(err as Error).message}`);
  }
}

export default (ctx: CliContext) =>
  new Command('add')
    .description('add a SAML app from its metadata; its OTP policy is `policy set --app saml:<entity ID>`')
    .addOption(new RequiredOption('--metadata <file|url>', "the app's SAML metadata: a file, or an http(s) URL"))
    .option('--name <name>', 'the name people see on the sign-in page (default: the entity ID)')
    .addOption(
      new Option('--name-id <format>', 'persistent (pairwise, default), email, or unspecified (the UPN)').choices([
        'persistent',
        'email',
        'unspecified',
      ]),
    )
    .addOption(
      new Option('--attributes <names>', 'claims (ADFS claim URIs, default) or plain names').choices([
        'claims',
        'plain',
      ]),
    )
    .option('--sign-response', 'sign the whole Response too, not only the assertion')
    .option(
      '--release <names>',
      'the attributes the app gets, comma-separated: mail,upn,displayName,groups (the default), givenName,surname,' +
        'employeeId (from the directory)',
    )
    .addOption(
      new Option('--wsfed-token <type>', 'WS-Federation: saml1.1 (default, as ADFS) or saml2.0').choices([
        'saml1.1',
        'saml2.0',
      ]),
    )
    .addOption(
      new Option(
        '--encrypt [cipher]',
        "encrypt the assertion to the app's encryption certificate (from its metadata): aes256-gcm (default) or " +
          'aes256-cbc',
      )
        .choices(['aes256-gcm', 'aes256-cbc'])
        .preset('aes256-gcm'),
    )
    .option('--relay-state <value>', 'where an IdP-initiated sign-in (/saml/start?app=<entity ID>) lands in the app')
    .action(
      act(ctx, async (o: Options) => {
        const metadata = await readMetadata(o.metadata);
        const settings = {
          nameIdFormat: o.nameId,
          attributeNames: o.attributes,
          signResponse: o.signResponse,
          relayState: o.relayState,
          release: o.release?.split(',').map((n) => n.trim()) as never,
          wsfedToken: o.wsfedToken,
          encrypt: o.encrypt,
        };
        await ctx.withAdmin(async (admin) => {
          console.log(JSON.stringify(await admin.saml.add({ metadata, name: o.name, settings }), null, 2));
        });
      }),
    );
