// The VPN login over RADIUS: directory password, then the one-time code by Access-Challenge (or both in one field
// for clients set to passOTP). This module knows the flow, not the parts: they come in as ports.
import type { AccessDecision, AccessRequest, ReplyAttribute } from './messages.ts';

export interface ChallengeStates {
  create(accountId: string, client: string, userName: string): Promise<Buffer>;
  /** The account the State was made for, if it is this NAS's and this user's, unexpired and unused; it is spent. */
  consume(state: Buffer, client: string, userName: string): Promise<string | undefined>;
  purge(): Promise<void>;
}

export type VpnMessage = 'second_password' | 'otp_code' | 'wrong_password' | 'wrong_code' | 'code_used' | 'locked' | 'unreachable' | 'enrol' | 'expired';

export interface VpnLoginPorts {
  /** Password check; throws an error with a `code` (e.g. directory.wrong_password, directory.unreachable). */
  checkPassword(userName: string, password: string): Promise<{ accountId: string }>;
  secondFactor(appId: string, accountId: string): Promise<{ askCode: boolean; mustEnrol: boolean }>;
  /** Throws an error with a `code` (otp.wrong_code, otp.replayed, otp.locked, otp.throttled, otp.malformed). */
  validateCode(accountId: string, code: string, source: string): Promise<void>;
  /** True until the person's first successful code over RADIUS: the FAQ's "second password" wording. */
  firstCodeLogin(accountId: string): Promise<boolean>;
  states: ChallengeStates;
  message(id: VpnMessage): string;
  /** Clients whose users type password and code together in the password field (passOTP). */
  passwordAndCode(client: string): boolean;
  /** Attributes the NAS gets on Accept for this person (e.g. Class or Filter-Id by directory group). */
  replyAttributes(accountId: string): Promise<ReplyAttribute[]>;
  audit(event: { action: string; subject: string | null; outcome: string; source: string; details?: Record<string, unknown> }): Promise<void>;
}

const otpCodeLength = 6;

export function createVpnLogin(p: VpnLoginPorts): (request: AccessRequest) => Promise<AccessDecision> {
  const reject = (id: VpnMessage): AccessDecision => ({ kind: 'reject', replyMessage: p.message(id) });
  const codeMessage = (err: unknown): VpnMessage => {
    const code = (err as { code?: string }).code;
    return code === 'otp.replayed' ? 'code_used' : code === 'otp.locked' || code === 'otp.throttled' ? 'locked' : 'wrong_code';
  };

  async function secondStep(request: AccessRequest, accountId: string, code: string): Promise<AccessDecision> {
    try {
      await p.validateCode(accountId, code, request.source.address);
    } catch (err) {
      await p.audit({ action: 'radius.reject', subject: accountId, outcome: 'failure', source: request.source.address, details: { client: request.client, reason: (err as { code?: string }).code } });
      return reject(codeMessage(err));
    }
    await p.audit({ action: 'radius.accept', subject: accountId, outcome: 'success', source: request.source.address, details: { client: request.client, factors: ['pwd', 'otp'] } });
    return { kind: 'accept', attributes: await p.replyAttributes(accountId) };
  }

  return async (request) => {
    const userName = request.userName ?? '';
    const secret = request.password?.toString('utf8') ?? '';
    if (!userName || !secret) return reject('wrong_password');

    // The answer to an Access-Challenge: the State says whose password was already checked.
    if (request.state) {
      const accountId = await p.states.consume(request.state, request.client, userName);
      if (!accountId) {
        await p.audit({ action: 'radius.reject', subject: null, outcome: 'failure', source: request.source.address, details: { client: request.client, reason: 'state_invalid' } });
        return reject('expired');
      }
      return secondStep(request, accountId, secret);
    }

    const passOtp = p.passwordAndCode(request.client);
    const [password, code] = passOtp && secret.length > otpCodeLength
      ? [secret.slice(0, -otpCodeLength), secret.slice(-otpCodeLength)] : [secret, undefined];
    let accountId: string;
    try {
      ({ accountId } = await p.checkPassword(userName, password));
    } catch (err) {
      const unreachable = (err as { code?: string }).code === 'directory.unreachable';
      await p.audit({ action: 'radius.reject', subject: null, outcome: 'failure', source: request.source.address, details: { client: request.client, reason: (err as { code?: string }).code ?? 'error' } });
      return reject(unreachable ? 'unreachable' : 'wrong_password');
    }
    const decision = await p.secondFactor(`radius:${request.client}`, accountId);
    if (decision.mustEnrol) {
      await p.audit({ action: 'radius.reject', subject: accountId, outcome: 'failure', source: request.source.address, details: { client: request.client, reason: 'must_enrol' } });
      return reject('enrol');
    }
    if (!decision.askCode) {
      await p.audit({ action: 'radius.accept', subject: accountId, outcome: 'success', source: request.source.address, details: { client: request.client, factors: ['pwd'] } });
      return { kind: 'accept', attributes: await p.replyAttributes(accountId) };
    }
    if (code !== undefined) return secondStep(request, accountId, code);
    const state = await p.states.create(accountId, request.client, userName);
    return { kind: 'challenge', state, replyMessage: p.message(await p.firstCodeLogin(accountId) ? 'second_password' : 'otp_code') };
  };
}
