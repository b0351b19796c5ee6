import { TesseraError } from '../errors/index.ts';

// Stable codes; the edge maps each to a page message, an API answer or a RADIUS Reply-Message.
export type OtpErrorCode =
  | 'otp.malformed'
  | 'otp.wrong_code'
  | 'otp.replayed'
  | 'otp.throttled'
  | 'otp.locked'
  | 'otp.no_token'
  | 'otp.enrolment_invalid'
  /** Adding or replacing a token needs a code from the person's token (or the registration flow), not only a password. */
  | 'otp.second_factor_required'
  | 'otp.serial_unknown'
  | 'otp.serial_taken'
  | 'otp.resync_failed';

export class OtpError extends TesseraError<OtpErrorCode> {
  /** `retryAfterSeconds`, for `otp.throttled`: seconds until the next attempt is accepted. */
  constructor(code: OtpErrorCode, retryAfterSeconds?: number) {
    super(code, { retryAfterSeconds });
  }
}
