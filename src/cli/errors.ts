// The CLI's one mapping from a typed error to what the operator reads and the exit status: the i18n catalogue's
// words where it has them, the error's own text where it names a field or what the directory said. Every domain
// error extends TesseraError; anything else is a fault and shows as one, with its stack.
import { CommanderError } from 'commander';
import { TesseraError } from '../errors/index.ts';
import { AdminError } from '../admin/index.ts';
import { isMessageId, t } from '../i18n/index.ts';
import { isDatabaseBusy, operatorLockWaitMs } from '../store/index.ts';

export type CliErrorCode = 'cli.missing_option' | 'cli.invalid_option' | 'cli.unreadable_file' | 'cli.cancelled';

/** What the command line itself got wrong; `message` says it in the operator's words, `field` names the option. */
export class CliError extends TesseraError<CliErrorCode> {
  constructor(code: CliErrorCode, field: string, message: string) {
    super(code, { field, message });
  }
}

/** Exit statuses: 0 done, 1 refused or failed, 2 the command line itself is wrong (see `tessera --help`). */
export const exitStatus = { refused: 1, usage: 2, cancelled: 130 } as const;

const checkTokens = 'check it with otp tokens --user';
const noDirectory = 'no directory is configured (directory.urls, TESSERA_DIRECTORY_URLS)';

type Say = (err: TesseraError, command: string) => string;
const subjectOf = (err: TesseraError) => (err instanceof AdminError ? (err.subject ?? '') : '');
const prefixed =
  (text: (err: TesseraError) => string): Say =>
  (err, command) =>
    `${command}: ${text(err)}`;
const catalogue = (err: TesseraError) => (isMessageId(err.code) ? t(err.code, err.params ?? {}) : err.message);

// By code first, then by the code's concern (the part before the first dot).
const byCode: Record<string, { exit?: number; say: Say }> = {
  'cli.missing_option': { exit: exitStatus.usage, say: prefixed((e) => e.message) },
  'cli.invalid_option': { say: prefixed((e) => e.message) },
  'cli.unreadable_file': { say: prefixed((e) => e.message) },
  'cli.cancelled': { exit: exitStatus.cancelled, say: prefixed(() => 'cancelled') },
  'admin.account_unknown': { say: (e) => `no account matches ${subjectOf(e)}` },
  'admin.token_not_in_use': { say: (e) => `no token with serial ${subjectOf(e)} that is in use: ${checkTokens}` },
  'admin.token_not_bound': { say: (e) => `no token with serial ${subjectOf(e)} belongs to anyone: ${checkTokens}` },
  'admin.serial_unknown': { say: (e) => `no imported hardware token has serial ${subjectOf(e)}` },
  'admin.serial_taken': { say: (e) => `${subjectOf(e)} belongs to someone already: unbind it first` },
  'admin.no_directory': { say: () => noDirectory },
  'admin.invalid_limit': {
    say: prefixed((e) => `--limit must be a whole number from ${e.params?.min} to ${e.params?.max}`),
  },
  'admin.invalid_action': {
    say: prefixed(() => '--action must be an action name or its first parts, like radius or radius.reject'),
  },
  'admin.invalid_otp_mode': { say: prefixed(() => '--otp must be off, optional or required') },
  'admin.invalid_grace_days': {
    say: prefixed((e) => `--grace-days must be a whole number of days from 0 to ${e.params?.max}`),
  },
  'admin.invalid_group': {
    say: prefixed((e) =>
      e.field === 'group' && subjectOf(e) !== ''
        ? `--group ${subjectOf(e)} must be NAME=off|optional|required`
        : `--${e.field} must be a directory group's name`,
    ),
  },
  'admin.console_needs_code': {
    say: prefixed(() => 'the console (tessera-console) always asks for the code: --otp required, no group below it'),
  },
  'admin.forbidden': { say: prefixed(() => 'your roles do not allow this (tessera admin list shows who holds which)') },
  'admin.invalid_role': { say: prefixed((e) => `--role ${subjectOf(e)} must be admin, helpdesk or auditor`) },
  'admin.scope_not_for_role': {
    say: prefixed((e) => `--scope limits a helpdesk grant; ${subjectOf(e)} covers everything it allows`),
  },
  'admin.invalid_ou': {
    say: prefixed((e) => `--scope ${subjectOf(e)} is not an OU's DN (e.g. ou=Romania,ou=people,dc=example,dc=org)`),
  },
  'admin.grantee_needed': { say: prefixed(() => 'give either --user NAME or --group GROUP') },
  'admin.grant_unknown': { say: prefixed(() => 'no such grant: tessera admin list shows them') },
  'admin.invalid_page': { say: prefixed(() => '--before must be a positive whole number (an event number)') },
  'admin.client_is_saml_app': {
    say: prefixed(
      (e) =>
        `this client stands for the SAML app ${subjectOf(e)} and goes with it: ` +
        `tessera saml sp remove --entity-id ${subjectOf(e)}`,
    ),
  },
  'admin.group_twice': {
    say: prefixed((e) => `--group ${subjectOf(e)} is given twice (group names compare without case)`),
  },
};

const byConcern: Record<string, Say> = {
  // The person's words from the catalogue, the field they belong to, and the code to look up.
  identity: (e, command) => `${command}: ${e.field ? `${e.field}: ` : ''}${catalogue(e)} (${e.code})`,
  // For the operator, what the directory said matters more than what a person signing in is told.
  directory: (e) => {
    const { diagnostic } = e as TesseraError & { diagnostic?: string | null };
    return `${e.message}${diagnostic ? ` (the directory said: ${diagnostic})` : ''}`;
  },
  // These name the field and what is wrong with it (`redirect_uris.0: …`, `address: must be …`), never a secret.
  client: (e) => e.message,
  radius: (e) => e.message,
  delivery: (e) => e.message,
  // The catalogue's words, or what exactly is wrong with the metadata.
  saml: (e) => (e.message === e.code ? catalogue(e) : e.message),
  // They name the key and its environment variable.
  config: (e) => e.message,
};

/**
 * The text and exit status for an error a command ended with; undefined: not a known error, a fault. The argument
 * parser has printed its own problems (or the help) already: only its exit status is left to say.
 */
export function describeError(err: unknown, command: string): { text?: string; exit: number } | undefined {
  if (err instanceof CommanderError) return { exit: err.exitCode === 0 ? 0 : exitStatus.usage };
  if (err instanceof TesseraError) {
    const entry = byCode[err.code];
    if (entry) return { text: entry.say(err, command), exit: entry.exit ?? exitStatus.refused };
    const say = byConcern[err.code.split('.')[0]] ?? ((e: TesseraError) => catalogue(e));
    return { text: say(err, command), exit: exitStatus.refused };
  }
  if (isDatabaseBusy(err))
    return {
      text: `${command}: another process held the database's write lock for ${operatorLockWaitMs / 1000} s: try again`,
      exit: exitStatus.refused,
    };
  return undefined;
}
