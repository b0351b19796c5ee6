// Passwords and shared secrets never need to be on the command line, where the terminal, the shell history and the
// process list keep them: at a terminal they are asked for without echo, from a script they come on standard input.
// The plain flags stay for scripts that cannot do either.
import { CliError } from './errors.ts';

export interface SecretSource {
  /** The value of the plain flag (`--password`), if given. */
  value?: string;
  /** The `--…-stdin` flag was given. */
  fromStdin?: boolean;
  /** The option names, for messages. */
  option: string;
  stdinOption: string;
  /** The prompt at a terminal, e.g. `Password for a@example.com: `. */
  prompt: string;
  /** Ask twice at a terminal, for a new password. */
  confirm?: boolean;
}

/** The secret, or undefined when none was given and no terminal can be asked. */
export async function readSecret(source: SecretSource): Promise<string | undefined> {
  if (source.value !== undefined && source.fromStdin) {
    throw new CliError('cli.invalid_option', source.option, `give ${source.option} or ${source.stdinOption}, not both`);
  }
  if (source.value !== undefined) return source.value;
  if (!source.fromStdin && !process.stdin.isTTY) return undefined;
  const secret = process.stdin.isTTY ? await askTwice(source) : await readStdin();
  if (secret === '') {
    throw new CliError('cli.invalid_option', source.stdinOption, `${source.stdinOption}: nothing was read`);
  }
  return secret;
}

async function askTwice(source: SecretSource): Promise<string> {
  const first = await askHidden(source.prompt);
  if (!source.confirm || first === '') return first;
  if ((await askHidden('Again, to confirm: ')) !== first) {
    throw new CliError('cli.invalid_option', source.option, 'the two entries differ: nothing was changed');
  }
  return first;
}

/** All of standard input, less the one line ending `echo` or a here-string adds. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line from the terminal, typed without echo; Ctrl-C cancels. */
function askHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed.join(''));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('cli.cancelled', 'password', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed.push(ch);
      }
    };
    input.on('data', onData);
  });
}
