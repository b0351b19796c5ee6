// What the registration flow needs from storage; src/registration/sql/ implements it with Kysely. Every "once" rule
// is a conditional update whose affected-row count decides, so it holds across nodes.
import type { RegistrationFlow, RegistrationStep } from './flow.ts';

export interface HelpdeskCodeRow {
  id: string;
  accountId: string;
  codeHash: string;
  issuedBy: string;
  expiresAt: number;
  createdAt: number;
}

export interface RegistrationStore {
  create(flow: RegistrationFlow): Promise<void>;
  /** The flow, unless it completed, ended or expired at `atMs`. */
  findOpen(id: string, atMs: number): Promise<RegistrationFlow | undefined>;
  /**
   * Counts an answer at `step` before it is compared, while the flow is open there and has had fewer than `max`
   * wrong answers; false otherwise. A right answer then passes the step (which clears the count).
   */
  reserveAnswer(id: string, step: RegistrationStep, max: number, atMs: number): Promise<boolean>;
  /** Ends the flow once it has had `max` wrong answers at its step; true when this call ended it. */
  endIfSpent(id: string, max: number, atMs: number): Promise<boolean>;
  /** Moves an open flow from `from` to `to`, clearing its wrong answers and its SMS code; true for one caller. */
  advance(id: string, from: RegistrationStep, to: RegistrationStep, atMs: number): Promise<boolean>;
  setSmsCode(id: string, sms: { hash: string; expiresAt: number; smsId: string }): Promise<void>;
  setEnrolment(id: string, enrolmentId: string): Promise<void>;
  /** Marks the flow completed; true for exactly one caller, and only while it is open at `atMs`. */
  complete(id: string, atMs: number): Promise<boolean>;
  /** Stores a helpdesk code; the person's earlier unused codes stop working (one code per person at a time). */
  issueCode(row: HelpdeskCodeRow): Promise<void>;
  /** Uses the person's unused, unexpired code with this hash; true for exactly one caller. */
  useCode(accountId: string, codeHash: string, atMs: number): Promise<boolean>;
  /** Forgets flows and codes that expired before `beforeMs`. */
  purge(beforeMs: number): Promise<void>;
}
