import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { pskcNeeds, type ImportResult, type PskcSecrets, type SeedEncoding } from '../../admin/index.ts';
import { act, type CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { readText } from '../files.ts';
import { RequiredOption } from '../options.ts';
import { readSecret } from '../secrets.ts';

const encodings: SeedEncoding[] = ['hex', 'base32'];

interface Options {
  file: string;
  encoding: SeedEncoding;
  passwordStdin?: boolean;
  password?: string;
  keyFile?: string;
}

/** The vendor's transport key: a file holding it in hex, or its 16, 24 or 32 bytes as they are. */
function readKey(file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CliError('cli.unreadable_file', '--key-file', `cannot read ${file} (${why})`);
  }
  const text = bytes.toString('latin1').trim();
  const key = /^([0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/.test(text) ? Buffer.from(text, 'hex') : bytes;
  if (![16, 24, 32].includes(key.length)) {
    throw new CliError(
      'cli.invalid_option',
      '--key-file',
      '--key-file must hold a 16, 24 or 32-byte key (or it in hex)',
    );
  }
  return key;
}

/** What opens the file, asked for only when the file says it needs it. */
async function secretsFor(text: string, o: Options): Promise<PskcSecrets> {
  const needs = pskcNeeds(text);
  if (needs === 'key') {
    if (o.keyFile === undefined) {
      throw new CliError('cli.missing_option', '--key-file', `${o.file} is protected with a key: give --key-file`);
    }
    return { key: readKey(o.keyFile) };
  }
  if (needs !== 'password') return {};
  const password = await readSecret({
    value: o.password,
    fromStdin: o.passwordStdin,
    option: '--password',
    stdinOption: '--password-stdin',
    prompt: `Password of ${o.file}: `,
  });
  if (password === undefined) {
    const how = 'pipe it in with --password-stdin, or run this at a terminal to be asked';
    throw new CliError('cli.missing_option', '--password-stdin', `${o.file} is protected with a password: ${how}`);
  }
  return { password };
}

function report(result: ImportResult, file: string): number | undefined {
  if (result.problems.length > 0) {
    for (const problem of result.problems) console.error(problem);
    console.error(`nothing imported: mend ${file} and run again`);
    return 1;
  }
  const { alreadyThere } = result;
  const present = alreadyThere.length > 0 ? `; already there, left as they were: ${alreadyThere.join(', ')}` : '';
  console.log(`imported ${result.imported} hardware token(s)${present}`);
}

export default (ctx: CliContext) =>
  new Command('import')
    .description(
      "hardware tokens from the vendor's file: PSKC (RFC 6030; plain, or protected with a password or a key) or " +
        'a seed file, one per line: serial,secret[,digits[,period]] (period 30, 60 or hotp); the whole file is ' +
        'checked before anything is stored',
    )
    .addOption(new RequiredOption('--file <file>', 'the PSKC or seed file'))
    .addOption(
      new Option('--encoding <encoding>', 'seed file: how the secrets are written').choices(encodings).default('hex'),
    )
    .option('--password-stdin', 'PSKC with a password: read it from standard input (at a terminal: asked for)')
    .option('--password <password>', 'for scripts only: the shell history and the process list keep it')
    .option('--key-file <file>', 'PSKC with a pre-shared key: the file holding the key (hex or its bytes)')
    .action(
      act(ctx, async (o: Options) => {
        const text = readText(o.file, 'file');
        // A PSKC file is XML; a seed file is lines of text that never start with "<".
        const pskc = text
          .replace(/^\uFEFF/, '')
          .trimStart()
          .startsWith('<');
        const secrets = pskc ? await secretsFor(text, o) : {};
        return ctx.withAdmin(async (admin) => {
          const result = pskc
            ? await admin.tokens.importPskcFile(text, secrets)
            : await admin.tokens.importSeedFile(text, o.encoding);
          return report(result, o.file);
        });
      }),
    );
