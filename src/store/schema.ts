// One typed view of every table. Times are integers in milliseconds since the epoch (`…At`),
// flags are 0/1 integers and structured values JSON text, so one query runs on SQLite and PostgreSQL.
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  // Customers sign up with an e-mail; workforce accounts come from the directory, linked by its stable id.
  kind: Generated<'customer' | 'workforce'>;
  email: string | null;
  email_verified: number;
  directory_id: string | null;
  /** The directory entry's DN, refreshed with the groups; added by 0019, so null for rows older than it. */
  directory_dn: Generated<string | null>;
  username: string | null;
  /** JSON array of the directory group names, refreshed at each sign-in. */
  groups: Generated<string>;
  password_hash: string | null;
  name: string | null;
  status: 'active' | 'disabled';
  created_at: number;
  updated_at: number;
  /** The language the person last used (a catalogue's tag, e.g. `ro`); null until they use a page. */
  locale: Generated<string | null>;
}

export interface EmailVerificationsTable {
  id: string;
  account_id: string;
  token_hash: string;
  code_hash: string;
  expires_at: number;
  attempts: number;
  consumed_at: number | null;
  // The sign-in interaction that started the sign-up, so confirming in the same browser continues it.
  interaction_uid: string | null;
  created_at: number;
  /** 1: made for a sign-up with an address that has an account; no code opens it. */
  decoy: Generated<number>;
}

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  account_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface OidcClientsTable {
  client_id: string;
  metadata: string;
  created_at: number;
}

export interface SecretsTable {
  name: string;
  // AES-256-GCM sealed JSON (see store/sealing.ts).
  sealed_value: string;
  created_at: number;
  retired_at: number | null;
  /** Signing keys: when it began to sign; null while it is the published "next" key. */
  activated_at: number | null;
}

export interface ClusterChangesTable {
  topic: string;
  version: number;
  /** The process that wrote the last change (it skips its own). */
  origin: string;
  changed_at: number;
}

export interface ClusterNodesTable {
  id: string;
  /** JSON: the settings every node must share (issuer). */
  settings: string;
  started_at: number;
  seen_at: number;
}

export interface OutboxTable {
  id: string;
  category: 'transactional' | 'marketing';
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  headers: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  locked_until: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface AuditEventsTable {
  /** Unique across chains: the tiebreaker of events listed by time. */
  id: Generated<number>;
  /** The writer's chain (one per process start; `legacy` for rows from before chains). */
  chain: string;
  /** The place in its chain, from 1. */
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  source: string | null;
  outcome: string;
  details: string;
  /** `details.user` in lower case: the name typed at a VPN login, for the helpdesk's search. */
  user_typed: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditChainsTable {
  chain: string;
  started_at: number;
}

export interface SessionDetailsTable {
  session_uid: string;
  account_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: number;
  last_seen_at: number;
}

export interface EmailChangesTable {
  id: string;
  account_id: string;
  old_email: string;
  new_email: string;
  token_hash: string;
  undo_token_hash: string;
  expires_at: number;
  confirmed_at: number | null;
  undo_expires_at: number | null;
  undone_at: number | null;
  created_at: number;
}

export interface MarketingConsentsTable {
  account_id: string;
  subscribed: number;
  source: 'signup' | 'account' | 'unsubscribe_link' | 'operator';
  changed_at: number;
}

export interface OtpTokensTable {
  id: string;
  account_id: string | null;
  type: 'mobile' | 'desktop' | 'hardware';
  serial: string;
  state: 'pending' | 'active' | 'locked' | 'revoked';
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  /** Null for counter-based (HOTP) hardware tokens. */
  period_seconds: number | null;
  secret_sealed: string;
  drift: number;
  last_step: number | null;
  failures: number;
  locked_until: number;
  pending_expires_at: number | null;
  created_at: number;
  activated_at: number | null;
  revoked_at: number | null;
}

export interface AppPoliciesTable {
  app_id: string;
  otp: 'off' | 'optional' | 'required';
  go_live_at: number | null;
  grace_seconds: number;
  /** JSON object: group name → otp mode, for the people in that group. */
  group_overrides: string;
  updated_at: number;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface PasswordResetsTable {
  id: string;
  account_id: string;
  token_hash: string;
  /** Digest of the password hash when the link was made: a password changed since makes the link stale. */
  password_fingerprint: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface CaptchaSpentTable {
  signature: string;
  expires_at: number;
}

export interface RadiusStatesTable {
  state_hash: string;
  account_id: string;
  client: string;
  user_name: string;
  expires_at: number;
  used_at: number | null;
  /** JSON: the audit steps of the password check, for the row written when the code arrives (or never does). */
  steps: Generated<string>;
  /** The gateway's address the password came from; null for a State made before this was kept. */
  source: string | null;
  created_at: number | null;
}

export interface RadiusClientsTable {
  name: string;
  address: string;
  secret_sealed: string;
  require_message_authenticator: number;
  password_and_code: number;
  created_at: number;
  /** JSON array of directory group names; '[]' for none. */
  allowed_groups: string;
}

export interface RadiusSessionsTable {
  client: string;
  session_id: string;
  user_name: string | null;
  nas_address: string;
  framed_address: string | null;
  calling_station: string | null;
  started_at: number;
  updated_at: number;
  stopped_at: number | null;
  session_seconds: number | null;
  input_octets: number | null;
  output_octets: number | null;
  terminate_cause: string | null;
}

export interface SigninFlowsTable {
  id: string;
  /** The protocol's handle for the sign-in (an OIDC interaction uid). */
  handle: string;
  app_id: string;
  account_id: string;
  /** JSON array of what the person proved so far (RFC 8176 amr values). */
  amr: string;
  step: 'code' | 'enrol';
  optional: number;
  expires_at: number;
  completed_at: number | null;
  created_at: number;
}

export interface RegistrationFlowsTable {
  id: string;
  account_id: string;
  step: 'employee_id' | 'code' | 'enrol';
  wrong_answers: number;
  sms_code_hash: string | null;
  sms_expires_at: number | null;
  sms_id: string | null;
  enrolment_id: string | null;
  expires_at: number;
  completed_at: number | null;
  created_at: number;
}

export interface RegistrationCodesTable {
  id: string;
  account_id: string;
  code_hash: string;
  /** The operator who issued it (the audit log has the full story). */
  issued_by: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface SmsOutboxTable {
  id: string;
  /** E.164. */
  to_number: string;
  /** Emptied once a gateway took the message. */
  text: string;
  /** What the SMS is about (a registration flow's id), as the sender names it. */
  reference: string;
  status: 'pending' | 'sent' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  locked_until: number;
  last_error: string | null;
  /** Which gateway took it (`http`, `smpp`, `mailbox`) and its id for the message, for delivery reports. */
  provider: string | null;
  provider_id: string | null;
  expires_at: number;
  created_at: number;
  sent_at: number | null;
  delivered_at: number | null;
}

export interface SocialLinksTable {
  provider: string;
  /** The provider's stable id for the person: `sub`, Facebook's id, Microsoft's `tid:oid`. */
  subject: string;
  account_id: string;
  /** The address the provider gave at linking, shown on the account page; never used to find the link. */
  email: string | null;
  created_at: number;
  last_used_at: number | null;
}

export interface SocialFlowsTable {
  state: string;
  provider: string;
  purpose: 'signin' | 'link';
  /** The sign-in's interaction uid, or the account session's uid for a link made on the account page. */
  handle: string;
  account_id: string | null;
  browser_hash: string;
  nonce: string;
  code_verifier: string;
  /** JSON: what the provider vouched for, once the browser is back. */
  identity: string | null;
  returned_at: number | null;
  /** SHA-256 of the mailed link's token that proves the existing account (hex). */
  proof_hash: string | null;
  proven_at: number | null;
  taken_at: number | null;
  expires_at: number;
  created_at: number;
}

export interface OperatorRolesTable {
  id: string;
  role: 'admin' | 'helpdesk' | 'auditor';
  grantee_kind: 'user' | 'group';
  /** The account id (user) or the directory group's name as the operator typed it (group). */
  grantee: string;
  /** What grantee is compared by: the account id, or the group name in lower case. */
  grantee_key: string;
  /** What a helpdesk grant is limited to, as typed: a directory group's name or an OU's DN (scope_kind); null: everyone. */
  scope: string | null;
  /** 'group' or 'ou' when scope is set (0019; older grants were all groups); null with no scope. */
  scope_kind: Generated<'group' | 'ou' | null>;
  /**
   * What scopes compare by: `group:` + the name in lower case, or `ou:` + the normalised DN; '' for none (a unique
   * index cannot compare NULLs alike on both databases).
   */
  scope_key: string;
  granted_by: string;
  created_at: number;
}

export interface Database {
  accounts: AccountsTable;
  email_verifications: EmailVerificationsTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_clients: OidcClientsTable;
  secrets: SecretsTable;
  outbox: OutboxTable;
  audit_events: AuditEventsTable;
  audit_chains: AuditChainsTable;
  session_details: SessionDetailsTable;
  email_changes: EmailChangesTable;
  marketing_consents: MarketingConsentsTable;
  otp_tokens: OtpTokensTable;
  app_policies: AppPoliciesTable;
  rate_limits: RateLimitsTable;
  password_resets: PasswordResetsTable;
  captcha_spent: CaptchaSpentTable;
  radius_states: RadiusStatesTable;
  radius_clients: RadiusClientsTable;
  radius_sessions: RadiusSessionsTable;
  signin_flows: SigninFlowsTable;
  saml_service_providers: SamlServiceProvidersTable;
  saml_keys: SamlKeysTable;
  saml_requests: SamlRequestsTable;
  saml_participants: SamlParticipantsTable;
  saml_logouts: SamlLogoutsTable;
  registration_flows: RegistrationFlowsTable;
  registration_codes: RegistrationCodesTable;
  sms_outbox: SmsOutboxTable;
  social_links: SocialLinksTable;
  social_flows: SocialFlowsTable;
  operator_roles: OperatorRolesTable;
  cluster_changes: ClusterChangesTable;
  cluster_nodes: ClusterNodesTable;
}

export interface SamlServiceProvidersTable {
  entity_id: string;
  name: string;
  /** The app's SAML metadata XML, as its owner published it. */
  metadata: string;
  /** JSON: Tessera's settings for the app (NameID format, attribute profile, response signing). */
  settings: string;
  created_at: number;
}

export interface SamlKeysTable {
  id: string;
  state: 'current' | 'next' | 'retired';
  private_key_sealed: string;
  /** PEM. */
  certificate: string;
  created_at: number;
  retired_at: number | null;
}

export interface SamlRequestsTable {
  id: string;
  sp_entity_id: string;
  /** The AuthnRequest's ID (InResponseTo of the answer); `idp:<id>` for an IdP-initiated sign-in. */
  request_id: string;
  acs_url: string;
  relay_state: string | null;
  force_authn: number;
  requested_mfa: number;
  code_verifier: string;
  expires_at: number;
  completed_at: number | null;
  created_at: number;
}

export interface SamlParticipantsTable {
  session_uid: string;
  sp_entity_id: string;
  account_id: string;
  name_id: string;
  name_id_format: string;
  session_index: string;
  created_at: number;
}

export interface SamlLogoutsTable {
  id: string;
  session_uid: string;
  /** The app whose LogoutRequest started it; null when the person signed out at Tessera. */
  requester_entity_id: string | null;
  request_id: string | null;
  /** Where the LogoutResponse goes at the end (the requester's SingleLogoutService). */
  response_url: string | null;
  relay_state: string | null;
  expires_at: number;
  completed_at: number | null;
  created_at: number;
}

export type { Generated };
