import { TesseraError, type ErrorDetails } from '../errors/index.ts';

// Stable codes for what an operator asked that cannot be done; each transport (the CLI now, the console later) maps
// them once to its words.
export type AdminErrorCode =
  /** No account is known by the e-mail address or directory name given. */
  | 'admin.account_unknown'
  /** Unlock: no token with this serial is in use (active or locked). */
  | 'admin.token_not_in_use'
  /** Unbind: no token with this serial belongs to anyone. */
  | 'admin.token_not_bound'
  /** Assign: no imported hardware token has this serial. */
  | 'admin.serial_unknown'
  /** Assign: the hardware token is someone's already. */
  | 'admin.serial_taken'
  | 'admin.no_directory'
  | 'admin.invalid_limit'
  | 'admin.invalid_action'
  /** A page of a list starts after a place that is not a positive whole number. */
  | 'admin.invalid_page'
  /** Test Access-Request: no gateway has this name. */
  | 'admin.gateway_unknown'
  /** Test Access-Request: this server does not listen for RADIUS (no radius section, or not started). */
  | 'admin.radius_off'
  | 'admin.invalid_otp_mode'
  | 'admin.invalid_grace_days'
  | 'admin.invalid_group'
  | 'admin.group_twice'
  /** The console's policy cannot ask for less than the code, for anyone. */
  | 'admin.console_needs_code'
  /** The operator's roles do not allow this operation (or the person it is about is out of their scope). */
  | 'admin.forbidden'
  | 'admin.invalid_role'
  /** Only a helpdesk grant can be limited to a directory group. */
  | 'admin.scope_not_for_role'
  /** A scope with an `=` is an OU's DN, and this one is not a DN (or is the root). */
  | 'admin.invalid_ou'
  /** A grant names a person (`--user`) or a directory group (`--group`): exactly one of them. */
  | 'admin.grantee_needed'
  /** Revoke: the grantee does not hold this role with this scope. */
  | 'admin.grant_unknown'
  /** The OIDC client stands for a SAML app (`saml:<entity ID>`): it goes with the app (`saml sp remove`). */
  | 'admin.client_is_saml_app';

export class AdminError extends TesseraError<AdminErrorCode> {
  /** What the error is about, as the operator gave it: a login name, a serial, a group. Never a secret. */
  readonly subject: string | undefined;
  constructor(code: AdminErrorCode, details: ErrorDetails & { subject?: string } = {}) {
    super(code, details);
    this.subject = details.subject;
  }
}
