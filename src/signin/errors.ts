import { TesseraError } from '../errors/index.ts';

// Stable codes, mapped once at the edge to a page message (same id in the catalogue).
export type SignInErrorCode =
  /** The flow completed, expired or was never this browser's: start the sign-in again. */
  | 'signin.flow_expired'
  /** "Remind me later" on a sign-in that must have the code (the app's policy or the request asked for it). */
  | 'signin.code_required';

export class SignInError extends TesseraError<SignInErrorCode> {}
