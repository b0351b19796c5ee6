import { TesseraError, type ErrorDetails } from '../errors/index.ts';

// Stable codes, mapped once at the edge to a page message (same id in the catalogue) or a CLI message.
export type RegistrationErrorCode =
  /** The flow completed, expired, died after too many wrong answers, or was never this browser's. */
  | 'registration.flow_expired'
  /** Registration is for directory accounts (employees, vendors, contractors): a directory name is asked for. */
  | 'registration.directory_only'
  /** The employee ID typed is not the directory's: never says which is right. */
  | 'registration.wrong_employee_id'
  /** The SMS or registration code is wrong, expired, used, or someone else's: one answer for all. */
  | 'registration.wrong_code'
  /** The helpdesk asked for a registration code for someone who is not a directory account known here. */
  | 'registration.not_workforce';

export class RegistrationError extends TesseraError<RegistrationErrorCode> {
  constructor(code: RegistrationErrorCode, details: ErrorDetails = {}) {
    super(code, details);
  }
}
