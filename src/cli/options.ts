// Option helpers shared by the commands: required options named when missing, and the values several commands parse.
import { type Command, Option } from 'commander';
import { CliError } from './errors.ts';

/** An option the command cannot run without; when missing, the error names it and says what to give. */
export class RequiredOption extends Option {
  readonly hint: string;
  constructor(flags: string, description: string, hint = '') {
    super(flags, `${description} (required)`);
    this.hint = hint;
  }
}

/** `otp unlock`, say: the names from the root down, the root left out. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Run before each action: every RequiredOption given (an empty value counts as given; the command checks it). */
export function checkRequired(command: Command): void {
  for (const option of command.options) {
    if (!(option instanceof RequiredOption) || command.getOptionValue(option.attributeName()) !== undefined) continue;
    const hint = option.hint ? ` (${option.hint})` : '';
    throw new CliError('cli.missing_option', option.long ?? option.flags, `${option.long} is required${hint}`);
  }
}

export type Format = 'table' | 'json';
export const formatOption = () =>
  new Option('--format <format>', 'table for people, json for programs').default('table');
export const limitOption = () =>
  new Option('--limit <n>', 'at most this many, newest first (1 to 10000)').default('50');

export function parseFormat(value: string): Format {
  if (value !== 'table' && value !== 'json') {
    throw new CliError('cli.invalid_option', 'format', '--format must be table or json');
  }
  return value;
}

/** The number as given (NaN when it is none); the admin service says which numbers it takes. */
export const parseLimit = (value: string): number => Number(value);

/** For repeatable options: `--group A --group B`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
