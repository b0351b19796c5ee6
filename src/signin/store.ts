// What the sign-in flow needs from storage; src/signin/sql/ implements it with Kysely.
import type { SignInFlow } from './flow.ts';

export interface SignInFlowStore {
  /** Stores the flow; a flow with the same handle is replaced (the person went back and signed in again). */
  save(flow: SignInFlow): Promise<void>;
  /** The flow of this handle, unless it completed or expired at `atMs`. */
  findOpen(handle: string, atMs: number): Promise<SignInFlow | undefined>;
  /** Marks the flow completed; true for exactly one caller, and only while it is open at `atMs`. */
  complete(id: string, atMs: number): Promise<boolean>;
  purge(beforeMs: number): Promise<void>;
}
