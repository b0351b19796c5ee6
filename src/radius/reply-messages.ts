// The one table from a typed error's code (src/errors) to the VPN's Reply-Message: what a person reads on the VPN
// client. Whatever the table does not name is the step's own refusal: a wrong password, or a wrong code.

export type VpnMessage =
  | 'second_password'
  | 'otp_code'
  | 'wrong_password'
  | 'wrong_code'
  | 'code_used'
  | 'locked'
  | 'throttled'
  | 'unreachable'
  | 'enrol'
  | 'expired'
  | 'account_disabled'
  | 'account_locked'
  | 'account_expired'
  | 'password_expired'
  | 'not_allowed'
  | 'pap_required';

// The directory reports its account states only once the password is proven, so telling them apart reveals nothing
// to a guesser; shown as "wrong password" they send people who typed it right to the helpdesk (the OTP FAQ's "I know
// I am entering the right IT code and password").
const byCode: ReadonlyMap<string, VpnMessage> = new Map<string, VpnMessage>([
  ['directory.unreachable', 'unreachable'],
  ['ratelimit.throttled', 'throttled'],
  ['directory.account_disabled', 'account_disabled'],
  ['directory.account_locked', 'account_locked'],
  ['directory.account_expired', 'account_expired'],
  ['directory.password_expired', 'password_expired'],
  // The answer to a challenge: the account was disabled since its password was checked.
  ['identity.invalid_credentials', 'wrong_password'],
  ['otp.replayed', 'code_used'],
  ['otp.locked', 'locked'],
  ['otp.throttled', 'locked'],
]);

/** The Reply-Message for an error at the password step (`wrong_password` otherwise) or the code step (`wrong_code`). */
export function replyMessageFor(err: unknown, step: 'password' | 'code'): VpnMessage {
  const code = (err as { code?: unknown } | null)?.code;
  const mapped = typeof code === 'string' ? byCode.get(code) : undefined;
  return mapped ?? (step === 'password' ? 'wrong_password' : 'wrong_code');
}
