// Every directory failure is a typed error with a stable `code`; the edge maps codes to messages.
// No error ever carries a password, a bind password or the entry's attributes.

import { TesseraError } from '../errors/index.ts';

export type DirectoryErrorCode =
  | 'directory.wrong_password'
  | 'directory.empty_password'
  | 'directory.password_too_long'
  | 'directory.invalid_name'
  | 'directory.account_disabled'
  | 'directory.account_locked'
  | 'directory.account_expired'
  | 'directory.password_expired'
  | 'directory.ambiguous_user'
  | 'directory.unreachable'
  | 'directory.misconfigured';

export class DirectoryError extends TesseraError<DirectoryErrorCode> {
  /** The directory's own diagnostic text (e.g. AD's "data 533"), when it gave one. Never a secret. */
  readonly diagnostic: string | null;
  constructor(
    code: DirectoryErrorCode,
    message: string,
    options: { diagnostic?: string | null; cause?: unknown } = {},
  ) {
    super(code, { message, cause: options.cause });
    this.name = 'DirectoryError';
    this.diagnostic = options.diagnostic ?? null;
  }
}

/** Unknown users get this too, so the caller cannot tell which names exist (checklist T6). */
export class WrongPasswordError extends DirectoryError {
  constructor(diagnostic?: string | null) {
    super('directory.wrong_password', 'Wrong name or password', { diagnostic });
  }
}

/** Refused before any bind: an empty simple bind is an anonymous bind that "succeeds" (CVE-2022-0730). */
export class EmptyPasswordError extends DirectoryError {
  constructor() {
    super('directory.empty_password', 'The password is empty');
  }
}

export class PasswordTooLongError extends DirectoryError {
  constructor(maxBytes: number) {
    super('directory.password_too_long', `The password is longer than ${maxBytes} bytes`);
  }
}

export class InvalidNameError extends DirectoryError {
  constructor(reason: string) {
    super('directory.invalid_name', `The sign-in name is not usable: ${reason}`);
  }
}

export class AccountDisabledError extends DirectoryError {
  constructor(diagnostic?: string | null) {
    super('directory.account_disabled', 'The account is disabled', { diagnostic });
  }
}

export class AccountLockedError extends DirectoryError {
  constructor(diagnostic?: string | null) {
    super('directory.account_locked', 'The account is locked out', { diagnostic });
  }
}

export class AccountExpiredError extends DirectoryError {
  constructor(diagnostic?: string | null) {
    super('directory.account_expired', 'The account has expired', { diagnostic });
  }
}

export class PasswordExpiredError extends DirectoryError {
  constructor(diagnostic?: string | null) {
    super('directory.password_expired', 'The password has expired and must be changed', { diagnostic });
  }
}

export class AmbiguousUserError extends DirectoryError {
  constructor() {
    super('directory.ambiguous_user', 'More than one directory entry matches this name; check userFilter');
  }
}

/** The directory could not be asked: never reported as a wrong password. */
export class DirectoryUnreachableError extends DirectoryError {
  constructor(detail: string, cause?: unknown) {
    super('directory.unreachable', `Directory unreachable: ${detail}`, { cause });
  }
}

/** The directory answered with something only a configuration mistake explains (bad base DN, service bind refused). */
export class DirectoryMisconfiguredError extends DirectoryError {
  constructor(detail: string, diagnostic?: string | null) {
    super('directory.misconfigured', `Directory configuration problem: ${detail}`, { diagnostic });
  }
}
