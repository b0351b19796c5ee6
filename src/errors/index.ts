// One base for every failure Tessera names to a person or a program: a stable `code` that each transport maps once
// (a page message, problem+json, an OAuth error, a RADIUS Reply-Message, a CLI exit), the form field it belongs to,
// the numbers its message names, and for a refusal that passes with time, when to come back. Never a secret.

export interface ErrorDetails {
  /** The form field or option the error belongs to, so a page can tie the message to it. */
  field?: string;
  /** Numbers the message names, e.g. the shortest password accepted (`{ min: 15 }`). */
  params?: Readonly<Record<string, number>>;
  /** Seconds until the next attempt is taken (HTTP Retry-After). */
  retryAfterSeconds?: number;
  /** The text for logs when it says more than the code; the code stays what callers switch on. */
  message?: string;
  cause?: unknown;
}

export class TesseraError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly field: string | undefined;
  readonly params: Readonly<Record<string, number>> | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: Code, details: ErrorDetails = {}) {
    super(details.message ?? code, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = details.field;
    this.params = details.params;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

export const isTesseraError = (err: unknown): err is TesseraError => err instanceof TesseraError;
