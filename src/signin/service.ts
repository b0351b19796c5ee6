// The protocol-neutral sign-in: after the first factor, the second-factor decision (policy/) says whether the person
// is done or must type a code or register a token first; the flow waits for that step and completes once. Protocol
// adapters (OIDC interactions, later SAML) turn its outcome into their answer. No HTTP, no SQL.
import type { Clock, Random } from '../clock/index.ts';
import type { Confirmed, Enrolment, OtpService } from '../otp/index.ts';
import type { SecondFactorRule } from '../policy/index.ts';
import { SignInError } from './errors.ts';
import { secondFactorStep, withCode, type SignedIn, type SignInFlow } from './flow.ts';
import type { SignInFlowStore } from './store.ts';

export interface SignInPorts {
  store: SignInFlowStore;
  clock: Clock;
  random: Random;
  secondFactor: SecondFactorRule;
  otp: Pick<OtpService, 'validate' | 'beginEnrolment' | 'pendingEnrolment' | 'confirmEnrolment'>;
  /** The name an authenticator app shows beside the code (the directory name or the e-mail). */
  label(accountId: string): Promise<string>;
  /** Tells the person by mail that a token was registered (and which ones it replaced). */
  afterEnrolment(accountId: string, confirmed: Confirmed): Promise<void>;
  /** How long a sign-in waits for its second factor. */
  flowTtlSeconds: number;
}

export interface FirstFactorDone {
  /** The protocol's handle for this sign-in (the OIDC interaction uid). */
  handle: string;
  appId: string;
  accountId: string;
  /** What the first factor proved (`pwd`), or for a step-up what the SSO session already holds. */
  amr: string[];
  /** The groups the first factor just read, so the policy need not read them again. */
  groups?: readonly string[];
  /** The request itself asks for the code (OIDC `acr_values=urn:tessera:mfa`). */
  requestedMfa: boolean;
}

export function createSignIn(p: SignInPorts) {
  async function complete(flow: SignInFlow, amr: string[], declinedEnrolment = false): Promise<SignedIn> {
    // Single use is the database's word: of two racing submissions one completes the flow.
    if (!(await p.store.complete(flow.id, p.clock.now()))) throw new SignInError('signin.flow_expired');
    return { accountId: flow.accountId, amr, declinedEnrolment };
  }

  return {
    /** Whether this person, at this app, with this request, still owes a second factor (never once `otp` is proven). */
    async needsSecondFactor(
      appId: string,
      accountId: string,
      amr: readonly string[],
      requestedMfa: boolean,
    ): Promise<boolean> {
      if (amr.includes('otp')) return false;
      return secondFactorStep(await p.secondFactor(appId, accountId), requestedMfa) !== undefined;
    },

    /**
     * After the first factor: `done` when the app asks for nothing more, else a stored flow at its second-factor step.
     * Until that flow completes the person is signed in nowhere (T44).
     */
    async afterFirstFactor(input: FirstFactorDone): Promise<{ done: SignedIn } | { flow: SignInFlow }> {
      const needed = input.amr.includes('otp')
        ? undefined
        : secondFactorStep(await p.secondFactor(input.appId, input.accountId, input.groups), input.requestedMfa);
      if (!needed) return { done: { accountId: input.accountId, amr: input.amr, declinedEnrolment: false } };
      const now = p.clock.now();
      const flow: SignInFlow = {
        id: p.random.bytes(24).toString('base64url'),
        handle: input.handle,
        appId: input.appId,
        accountId: input.accountId,
        amr: input.amr,
        ...needed,
        expiresAt: now + p.flowTtlSeconds * 1000,
        createdAt: now,
      };
      await p.store.save(flow);
      return { flow };
    },

    /** The open flow of this handle (the adapter has checked that the handle is this browser's). */
    find: (handle: string) => p.store.findOpen(handle, p.clock.now()),

    async submitCode(flow: SignInFlow, code: unknown, source?: string): Promise<SignedIn> {
      await p.otp.validate(flow.accountId, code, { source });
      return complete(flow, withCode(flow.amr));
    },

    /**
     * The registration this flow shows: the one already begun (a wrong first code shows the same QR again) or a new
     * one. The flow holds the first factor only, so the OTP module refuses it to a person who has a token (T44).
     */
    async enrolment(flow: SignInFlow, enrolmentId?: string): Promise<Enrolment> {
      const label = await p.label(flow.accountId);
      return (
        (enrolmentId !== undefined && (await p.otp.pendingEnrolment(flow.accountId, enrolmentId, label))) ||
        p.otp.beginEnrolment(flow.accountId, label, 'mobile', { proof: 'first_factor' })
      );
    },

    async confirmEnrolment(flow: SignInFlow, enrolmentId: string, code: unknown, source?: string): Promise<SignedIn> {
      const confirmed = await p.otp.confirmEnrolment(flow.accountId, enrolmentId, code, {
        source,
        proof: 'first_factor',
      });
      await p.afterEnrolment(flow.accountId, confirmed);
      return complete(flow, withCode(flow.amr));
    },

    /** Forgets flows that expired over a day ago (kept that long for the helpdesk's questions, then gone). */
    purge: () => p.store.purge(p.clock.now() - 24 * 3600 * 1000),

    /** "Remind me later": only where the flow allows it, never where the app or the request asked for the code. */
    async putOffEnrolment(flow: SignInFlow): Promise<SignedIn> {
      if (!flow.optional) throw new SignInError('signin.code_required');
      return complete(flow, flow.amr, true);
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
