// The VPN login over RADIUS: directory password, then the one-time code by Access-Challenge (or both in one field
// for clients set to passOTP). This module knows the flow, not the parts: they come in as ports.
import type { AccessDecision, AccessRequest, ReplyAttribute } from './messages.ts';

export interface ChallengeStates {
  create(accountId: string, client: string, userName: string): Promise<Buffer>;
  /** The account the State was made for, if it is this NAS's and this user's, unexpired and unused; it is spent. */
  consume(state: Buffer, client: string, userName: string): Promise<string | undefined>;
  purge(): Promise<void>;
}

export type VpnMessage = 'second_password' | 'otp_code' | 'wrong_password' | 'wrong_code' | 'code_used' | 'locked' | 'throttled' | 'unreachable' | 'enrol' | 'expired'
  | 'account_disabled' | 'account_locked' | 'account_expired' | 'password_expired' | 'not_allowed' | 'pap_required';

// The directory reports these only once the password is proven, so telling them apart reveals nothing to a guesser;
// shown as "wrong password" they send people who typed it right to the helpdesk (the OTP FAQ's "I know I am entering
// the right IT code and password").
const passwordCheckMessages = new Map<string | undefined, VpnMessage>([
  ['directory.unreachable', 'unreachable'],
  ['web.rate_limited', 'throttled'],
  ['directory.account_disabled', 'account_disabled'],
  ['directory.account_locked', 'account_locked'],
  ['directory.account_expired', 'account_expired'],
  ['directory.password_expired', 'password_expired'],
]);

export interface VpnLoginPorts {
  /**
   * Password check; throws an error with a `code` (e.g. directory.wrong_password, directory.unreachable, or
   * web.rate_limited after too many failures). `request` says which client is trying, for the limits.
   */
  checkPassword(userName: string, password: string, request: AccessRequest): Promise<{ accountId: string; groups: readonly string[]; workforce: boolean }>;
  /**
   * `groups` when the caller has them at hand; otherwise they are read. `checkCode` checks a code typed in the same
   * request (passOTP) against the tokens this decision read, as `validateCode` would.
   */
  secondFactor(appId: string, accountId: string, groups?: readonly string[]): Promise<{ askCode: boolean; mustEnrol: boolean; checkCode(code: string, source: string): Promise<void> }>;
  /** Throws an error with a `code` (otp.wrong_code, otp.replayed, otp.locked, otp.throttled, otp.malformed). */
  validateCode(accountId: string, code: string, source: string): Promise<void>;
  /** True until the person's first successful code over RADIUS: the FAQ's "second password" wording. */
  firstCodeLogin(accountId: string): Promise<boolean>;
  states: ChallengeStates;
  message(id: VpnMessage): string;
  /** Attributes the NAS gets on Accept for this person (e.g. Class or Filter-Id by directory group). */
  replyAttributes(accountId: string, groups?: readonly string[]): Promise<ReplyAttribute[]>;
  audit(event: { action: string; subject: string | null; outcome: string; source: string; details?: Record<string, unknown> }): Promise<void>;
}

const otpCodeLength = 6;

export function createVpnLogin(p: VpnLoginPorts): (request: AccessRequest) => Promise<AccessDecision> {
  const reject = (id: VpnMessage): AccessDecision => ({ kind: 'reject', replyMessage: p.message(id) });
  const codeMessage = (err: unknown): VpnMessage => {
    const code = (err as { code?: string }).code;
    if (code === 'identity.invalid_credentials') return 'wrong_password';
    return code === 'otp.replayed' ? 'code_used' : code === 'otp.locked' || code === 'otp.throttled' ? 'locked' : 'wrong_code';
  };
  // Every outcome is audited with the gateway's address and name, and the name the person typed: a refusal of a name
  // nobody has is about no account, and the helpdesk still finds it by that name.
  const audit = (request: AccessRequest, action: 'radius.accept' | 'radius.reject', subject: string | null, details: Record<string, unknown>) =>
    p.audit({ action, subject, outcome: action === 'radius.accept' ? 'success' : 'failure', source: request.source.address, details: { client: request.client, user: request.userName, ...details } });
  const accept = async (request: AccessRequest, accountId: string, factors: string[], groups?: readonly string[]): Promise<AccessDecision> => {
    await audit(request, 'radius.accept', accountId, { factors });
    return { kind: 'accept', attributes: await p.replyAttributes(accountId, groups) };
  };

  async function secondStep(request: AccessRequest, accountId: string, checkCode: (source: string) => Promise<void>, groups?: readonly string[]): Promise<AccessDecision> {
    try {
      await checkCode(request.source.address);
    } catch (err) {
      await audit(request, 'radius.reject', accountId, { reason: (err as { code?: string }).code });
      return reject(codeMessage(err));
    }
    return accept(request, accountId, ['pwd', 'otp'], groups);
  }

  return async (request) => {
    const userName = request.userName ?? '';
    const secret = request.password?.toString('utf8') ?? '';
    // A gateway set to CHAP, MS-CHAP or EAP hides the password and code from the server, which must read both: the
    // audit names the method, for the network administrator who set the gateway up.
    if (request.hiddenPasswordMethod !== null) {
      await audit(request, 'radius.reject', null, { reason: 'radius.pap_required', method: request.hiddenPasswordMethod });
      return reject('pap_required');
    }
    if (!userName || !secret) {
      await audit(request, 'radius.reject', null, { reason: userName ? 'radius.no_password' : 'radius.no_user_name' });
      return reject('wrong_password');
    }

    // The answer to an Access-Challenge: the State says whose password was already checked.
    if (request.state) {
      const accountId = await p.states.consume(request.state, request.client, userName);
      if (!accountId) {
        await audit(request, 'radius.reject', null, { reason: 'state_invalid' });
        return reject('expired');
      }
      return secondStep(request, accountId, (source) => p.validateCode(accountId, secret, source));
    }

    const [password, code] = request.passwordAndCode && secret.length > otpCodeLength
      ? [secret.slice(0, -otpCodeLength), secret.slice(-otpCodeLength)] : [secret, undefined];
    let checked: Awaited<ReturnType<VpnLoginPorts['checkPassword']>>;
    try {
      checked = await p.checkPassword(userName, password, request);
    } catch (err) {
      const reason = (err as { code?: string }).code;
      await audit(request, 'radius.reject', null, { reason: reason ?? 'error' });
      return reject(passwordCheckMessages.get(reason) ?? 'wrong_password');
    }
    const { accountId, groups } = checked;
    // The VPN is for staff: a shop customer's right password opens nothing here, and is told apart from a wrong one
    // only in the audit log.
    if (!checked.workforce) {
      await audit(request, 'radius.reject', null, { reason: 'radius.not_workforce' });
      return reject('wrong_password');
    }
    // Told only now that the password is proven, like the directory's own account states. Group names compare
    // without case, as AD and OpenLDAP (cn: caseIgnoreMatch) compare them: a typo in case must not lock everyone out.
    if (request.allowedGroups.length > 0 && !groups.some((g) => request.allowedGroups.some((allowed) => allowed.toLowerCase() === g.toLowerCase()))) {
      await audit(request, 'radius.reject', accountId, { reason: 'radius.group_not_allowed' });
      return reject('not_allowed');
    }
    const decision = await p.secondFactor(`radius:${request.client}`, accountId, groups);
    if (decision.mustEnrol) {
      await audit(request, 'radius.reject', accountId, { reason: 'must_enrol' });
      return reject('enrol');
    }
    if (!decision.askCode) return accept(request, accountId, ['pwd'], groups);
    if (code !== undefined) return secondStep(request, accountId, (source) => decision.checkCode(code, source), groups);
    const state = await p.states.create(accountId, request.client, userName);
    return { kind: 'challenge', state, replyMessage: p.message(await p.firstCodeLogin(accountId) ? 'second_password' : 'otp_code') };
  };
}
