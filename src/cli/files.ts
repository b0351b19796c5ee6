import { readFileSync } from 'node:fs';
import { CliError } from './errors.ts';

/** A file an option names, or an error naming the option and why it cannot be read (`ENOENT`). */
export function readText(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CliError('cli.unreadable_file', option, `cannot read ${file} (${why})`);
  }
}
