// The VPN login over RADIUS: directory password, then the one-time code by Access-Challenge (or both in one field
// for clients set to passOTP). This module knows the flow, not the parts: they come in as ports.
import type { AuditStep } from '../audit/index.ts';
import type { AccessDecision, AccessRequest, ReplyAttribute } from './messages.ts';
import { replyMessageFor, type VpnMessage } from './reply-messages.ts';

/**
 * An Access-Challenge between its two packets: whose password was checked, from where, and what that check recorded.
 */
export interface Challenge {
  accountId: string;
  client: string;
  userName: string;
  /** The gateway's address the password came from (null for a State kept before this was). */
  source: string | null;
  /** What the password step recorded (the directory sign-in), for the one row of the login. */
  steps: AuditStep[];
  /** When the challenge was sent (null for a State kept before this was). */
  createdAt: number | null;
}

export interface ChallengeStates {
  create(challenge: Omit<Challenge, 'createdAt'>): Promise<Buffer>;
  /**
   * The challenge the State was made for, if it is this NAS's and this user's and unused; it is spent. `late`: it
   * had expired (an answer all the same, never reported as unanswered).
   */
  consume(state: Buffer, client: string, userName: string): Promise<(Challenge & { late: boolean }) | undefined>;
  /** Removes the expired States; returns those never answered, each to one caller only, on any node. */
  purge(): Promise<Challenge[]>;
}

export interface VpnLoginPorts {
  /**
   * Password check; throws an error with a `code` (e.g. directory.wrong_password, directory.unreachable, or
   * ratelimit.throttled after too many failures). `request` says which client is trying, for the limits.
   */
  checkPassword(
    userName: string,
    password: string,
    request: AccessRequest,
  ): Promise<{ accountId: string; groups: readonly string[]; workforce: boolean }>;
  /**
   * `groups` when the caller has them at hand; otherwise they are read. `checkCode` checks a code typed in the same
   * request (passOTP) against the tokens this decision read, as `validateCode` would.
   */
  secondFactor(
    appId: string,
    accountId: string,
    groups?: readonly string[],
  ): Promise<{ askCode: boolean; mustEnrol: boolean; checkCode(code: string, source: string): Promise<void> }>;
  /** Throws an error with a `code` (otp.wrong_code, otp.replayed, otp.locked, otp.throttled, otp.malformed). */
  validateCode(accountId: string, code: string, source: string): Promise<void>;
  /** True until the person's first successful code over RADIUS: the FAQ's "second password" wording. */
  firstCodeLogin(accountId: string): Promise<boolean>;
  states: ChallengeStates;
  /** The Reply-Message's words, in the language of the account it is about (its last used), when one is known. */
  message(id: VpnMessage, accountId?: string): Promise<string>;
  /** Attributes the NAS gets on Accept for this person (e.g. Class or Filter-Id by directory group). */
  replyAttributes(accountId: string, groups?: readonly string[]): Promise<ReplyAttribute[]>;
  /**
   * Whom a name typed means, read without asking the directory (it may be down): the account linked to a directory
   * name, none for a name that means nobody. A refusal before the password is proven is about that person, so the
   * helpdesk finds it under any form of the name.
   */
  accountOf(userName: string): Promise<string | undefined>;
  /** Takes out what this login's password step recorded, to be kept with the challenge's State (`Audit.takeSteps`). */
  takeSteps(): AuditStep[];
  audit(event: {
    action: string;
    subject: string | null;
    outcome: string;
    source: string | null;
    details?: Record<string, unknown>;
    steps?: readonly AuditStep[];
  }): Promise<void>;
}

const otpCodeLength = 6;

type Checked = Awaited<ReturnType<VpnLoginPorts['checkPassword']>>;

const reject = async (p: VpnLoginPorts, id: VpnMessage, accountId?: string): Promise<AccessDecision> => ({
  kind: 'reject',
  replyMessage: await p.message(id, accountId),
});

// Every outcome is audited with the gateway's address and name, and the name the person typed: a refusal of a name
// nobody has is about no account, and the helpdesk still finds it by that name. A login by challenge is one row
// too: the one written when the code arrives carries the password step kept with the State (`earlier`).
function audit(
  p: VpnLoginPorts,
  request: AccessRequest,
  action: 'radius.accept' | 'radius.reject',
  subject: string | null,
  details: Record<string, unknown>,
  earlier?: readonly AuditStep[],
): Promise<void> {
  return p.audit({
    action,
    subject,
    outcome: action === 'radius.accept' ? 'success' : 'failure',
    source: request.source.address,
    details: { client: request.client, user: request.userName, ...details },
    ...(earlier ? { steps: earlier } : {}),
  });
}

async function accept(
  p: VpnLoginPorts,
  request: AccessRequest,
  accountId: string,
  factors: string[],
  groups?: readonly string[],
  earlier?: readonly AuditStep[],
): Promise<AccessDecision> {
  await audit(p, request, 'radius.accept', accountId, { factors }, earlier);
  return { kind: 'accept', attributes: await p.replyAttributes(accountId, groups) };
}

// Every reason names who decided: `radius.` for this flow, the domain's own code (directory., otp., identity.) else.
const reasonOf = (err: unknown) => (err as { code?: string }).code ?? 'radius.internal_error';

async function secondStep(
  p: VpnLoginPorts,
  request: AccessRequest,
  accountId: string,
  checkCode: (source: string) => Promise<void>,
  groups?: readonly string[],
  earlier?: readonly AuditStep[],
): Promise<AccessDecision> {
  try {
    await checkCode(request.source.address);
  } catch (err) {
    await audit(p, request, 'radius.reject', accountId, { reason: reasonOf(err) }, earlier);
    return reject(p, replyMessageFor(err, 'code'), accountId);
  }
  return accept(p, request, accountId, ['pwd', 'otp'], groups, earlier);
}

// A gateway set to CHAP, MS-CHAP or EAP hides the password and code from the server, which must read both.
const unreadable = (request: AccessRequest, userName: string, secret: string) =>
  request.hiddenPasswordMethod !== null || !userName || !secret;

// Called only for a request that is `unreadable`; the audit names the method, for the network administrator who set
// the gateway up.
async function refuseUnreadable(p: VpnLoginPorts, request: AccessRequest, userName: string): Promise<AccessDecision> {
  if (request.hiddenPasswordMethod !== null) {
    await audit(p, request, 'radius.reject', null, {
      reason: 'radius.pap_required',
      method: request.hiddenPasswordMethod,
    });
    return reject(p, 'pap_required');
  }
  await audit(p, request, 'radius.reject', userName ? ((await p.accountOf(userName)) ?? null) : null, {
    reason: userName ? 'radius.no_password' : 'radius.no_user_name',
  });
  return reject(p, 'wrong_password');
}

// The answer to an Access-Challenge: the State says whose password was already checked, and what that recorded.
async function answerChallenge(
  p: VpnLoginPorts,
  request: AccessRequest,
  state: Buffer,
  userName: string,
  secret: string,
): Promise<AccessDecision> {
  const challenge = await p.states.consume(state, request.client, userName);
  if (!challenge) {
    await audit(p, request, 'radius.reject', (await p.accountOf(userName)) ?? null, {
      reason: 'radius.state_invalid',
    });
    return reject(p, 'expired');
  }
  const { accountId, steps } = challenge;
  if (challenge.late) {
    await audit(p, request, 'radius.reject', accountId, { reason: 'radius.challenge_expired' }, steps);
    return reject(p, 'expired', accountId);
  }
  return secondStep(p, request, accountId, (source) => p.validateCode(accountId, secret, source), undefined, steps);
}

// Told only now that the password is proven, like the directory's own account states. Group names compare
// without case, as AD and OpenLDAP (cn: caseIgnoreMatch) compare them: a typo in case must not lock everyone out.
const inAllowedGroup = (request: AccessRequest, groups: readonly string[]) =>
  request.allowedGroups.length === 0 ||
  groups.some((g) => request.allowedGroups.some((allowed) => allowed.toLowerCase() === g.toLowerCase()));

// The VPN is for staff: a shop customer's right password opens nothing here, and is told apart from a wrong one
// only in the audit log.
const mayGoOn = (request: AccessRequest, checked: Checked) =>
  checked.workforce && inAllowedGroup(request, checked.groups);

// Called only for a proven password that may not go on.
async function refuseProven(p: VpnLoginPorts, request: AccessRequest, checked: Checked): Promise<AccessDecision> {
  if (!checked.workforce) {
    await audit(p, request, 'radius.reject', null, { reason: 'radius.not_workforce' });
    return reject(p, 'wrong_password');
  }
  await audit(p, request, 'radius.reject', checked.accountId, { reason: 'radius.group_not_allowed' });
  return reject(p, 'not_allowed', checked.accountId);
}

async function answerPassword(
  p: VpnLoginPorts,
  request: AccessRequest,
  userName: string,
  secret: string,
): Promise<AccessDecision> {
  const [password, code] =
    request.passwordAndCode && secret.length > otpCodeLength
      ? [secret.slice(0, -otpCodeLength), secret.slice(-otpCodeLength)]
      : [secret, undefined];
  let checked: Checked;
  try {
    checked = await p.checkPassword(userName, password, request);
  } catch (err) {
    // About whom the name means, also where no check ran to say so (too many wrong passwords: refused before it).
    const reason = reasonOf(err);
    await audit(p, request, 'radius.reject', (await p.accountOf(userName)) ?? null, { reason });
    return reject(p, replyMessageFor(err, 'password'));
  }
  if (!mayGoOn(request, checked)) return refuseProven(p, request, checked);
  const { accountId, groups } = checked;
  const decision = await p.secondFactor(`radius:${request.client}`, accountId, groups);
  if (decision.mustEnrol) {
    await audit(p, request, 'radius.reject', accountId, { reason: 'radius.must_enrol' });
    return reject(p, 'enrol', accountId);
  }
  if (!decision.askCode) return accept(p, request, accountId, ['pwd'], groups);
  if (code !== undefined)
    return secondStep(p, request, accountId, (source) => decision.checkCode(code, source), groups);
  // The password step is not a row of its own: it is kept with the State and joins the row of the code's answer.
  const state = await p.states.create({
    accountId,
    client: request.client,
    userName,
    source: request.source.address,
    steps: p.takeSteps(),
  });
  return {
    kind: 'challenge',
    state,
    replyMessage: await p.message((await p.firstCodeLogin(accountId)) ? 'second_password' : 'otp_code', accountId),
  };
}

// Not async itself: each path is one of the async steps above, so the request waits on no extra promise.
export function createVpnLogin(p: VpnLoginPorts): (request: AccessRequest) => Promise<AccessDecision> {
  return (request) => {
    const userName = request.userName ?? '';
    const secret = request.password?.toString('utf8') ?? '';
    if (unreadable(request, userName, secret)) return refuseUnreadable(p, request, userName);
    if (request.state) return answerChallenge(p, request, request.state, userName, secret);
    return answerPassword(p, request, userName, secret);
  };
}

/**
 * Housekeeping: a challenge that expired unanswered is a login refused for want of a code ("password right, no code
 * typed"): one `radius.reject` row with the password step, written by the node whose purge removed the State.
 */
export function createChallengePurge(p: Pick<VpnLoginPorts, 'states' | 'audit'>): () => Promise<void> {
  return async () => {
    const unanswered = await p.states.purge();
    await Promise.all(
      unanswered.map((c) =>
        p.audit({
          action: 'radius.reject',
          subject: c.accountId,
          outcome: 'failure',
          source: c.source,
          steps: c.steps,
          details: {
            client: c.client,
            user: c.userName,
            reason: 'radius.challenge_unanswered',
            // The row is written at the purge, minutes later: when the person was asked for the code.
            ...(c.createdAt === null ? {} : { challengedAt: new Date(c.createdAt).toISOString() }),
          },
        }),
      ),
    );
  };
}
