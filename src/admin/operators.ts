// The operator's other work: accounts made by hand, second-factor policies, signing keys, the directory sync and
// marketing campaigns.
import type { Account } from '../identity/index.ts';
import type { AppPolicy, OtpMode } from '../policy/index.ts';
import { AdminError } from './errors.ts';
import type { DirectoryCheck } from './directory-check.ts';
import { recorder } from './changes.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';
import { reasonOf } from './tokens.ts';

export interface UserInput {
  email: string;
  password: string;
  name?: string;
  /** A staff account kept here, not in a directory (it may use the VPN). */
  workforce?: boolean;
}

export interface PolicyInput {
  appId: string;
  otp: string;
  /** When `required` is enforced from (ms); null: at once. */
  goLiveAt: number | null;
  graceDays: number;
  /** Group name → mode, in the order given; names compare without case. */
  groups: Array<{ name: string; mode: string }>;
}

const modes: readonly string[] = ['off', 'optional', 'required'] satisfies OtpMode[];
const isMode = (mode: string): mode is OtpMode => modes.includes(mode);
const maxGraceDays = 365;
/** The IT support console's app (the OIDC client it signs in as). */
export const consoleAppId = 'tessera-console';

export function checkPolicy(input: PolicyInput): AppPolicy {
  if (!isMode(input.otp)) throw new AdminError('admin.invalid_otp_mode', { field: 'otp' });
  if (!Number.isInteger(input.graceDays) || input.graceDays < 0 || input.graceDays > maxGraceDays) {
    throw new AdminError('admin.invalid_grace_days', { field: 'grace-days', params: { max: maxGraceDays } });
  }
  const groupOverrides: Record<string, OtpMode> = {};
  for (const { name, mode } of input.groups) {
    if (!name || !isMode(mode)) {
      throw new AdminError('admin.invalid_group', { field: 'group', subject: `${name}=${mode}` });
    }
    const twin = Object.keys(groupOverrides).find((other) => other.toLowerCase() === name.toLowerCase());
    if (twin !== undefined) throw new AdminError('admin.group_twice', { field: 'group', subject: twin });
    groupOverrides[name] = mode;
  }
  // The console changes other people's factors: its sign-in always asks for the code, and its policy says so too.
  if (input.appId === consoleAppId && [input.otp, ...Object.values(groupOverrides)].some((m) => m !== 'required')) {
    throw new AdminError('admin.console_needs_code', { field: 'otp' });
  }
  const graceSeconds = input.graceDays * 86400;
  return { appId: input.appId, otp: input.otp, goLiveAt: input.goLiveAt, graceSeconds, groupOverrides };
}

export function operatorAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  return {
    /** A confirmed account; the password is checked as at registration (length, breached, not the e-mail). */
    addUser: (input: UserInput): Promise<Account> => p.accounts.createByOperator(input),

    /** Which app asks for the one-time code, from when, for whom. */
    async setPolicy(input: PolicyInput, reason?: string): Promise<AppPolicy> {
      const policy = checkPolicy(input);
      await p.policies.save(policy, p.clock.now());
      await record('policy.set', policy.appId, { ...policy, ...reasonOf(reason) });
      return policy;
    },
    listPolicies: () => p.policies.list(),

    /**
     * The published next keys sign from now on, new next keys are published, the old ones stay published until their
     * tokens expire. Returns the keys that now sign.
     */
    async rotateSigningKeys(options?: { force?: boolean }): Promise<string[]> {
      const signing = await p.rotateSigningKeys(options);
      await record('keys.rotate', null, { signing, ...(options?.force ? { force: true } : {}) });
      return signing;
    },

    /**
     * The directory connection check (`tessera directory check`): which servers answered, whether the service account
     * binds and searches, and with a name how that person's entry maps. Recorded with its outcome, never a password.
     */
    async checkDirectory(user?: string): Promise<DirectoryCheck> {
      if (!p.checkDirectory) throw new AdminError('admin.no_directory');
      const report = await p.checkDirectory(user);
      const outcome = report.bound && !report.problem ? 'success' : 'failure';
      const details = { ...(user ? { user } : {}), failedServers: report.failedServers.length };
      await p.audit.record({ actor: o.actor, action: 'directory.check', subject: null, outcome, details });
      return report;
    },

    /** Disables accounts gone or disabled in the directory and ends their sessions. */
    async syncDirectory(): Promise<{ checked: number; disabled: number }> {
      if (!p.workforce) throw new AdminError('admin.no_directory');
      return p.workforce.sync();
    },

    /** Marketing mail to every customer who opted in, queued for the running servers to send. */
    sendCampaign: (input: { subject: string; html: string; text?: string }) => p.sendCampaign(input),
  };
}
