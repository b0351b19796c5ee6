// Which app needs the one-time code, from when, for whom. A region's go-live date switches an app from "ask those
// who have a token" to "required"; in the grace period before it, people without a token are asked to register
// but not blocked.
export type OtpMode = 'off' | 'optional' | 'required';

export interface AppPolicy {
  appId: string;
  otp: OtpMode;
  /** From this moment `required` is enforced; null: at once. */
  goLiveAt: number | null;
  /** Before go-live, for this long, people without a token are prompted to register. */
  graceSeconds: number;
  /** Group name → mode for the people in that group (the strictest of their groups wins); names compare without case. */
  groupOverrides: Record<string, OtpMode>;
}

export interface SecondFactorDecision {
  /** Ask for a one-time code now. */
  askCode: boolean;
  /** The person has no token and must register one before going on. */
  mustEnrol: boolean;
  /** The person has no token and is invited (not obliged) to register one. */
  suggestEnrol: boolean;
}

const strictness: Record<OtpMode, number> = { off: 0, optional: 1, required: 2 };
const none: SecondFactorDecision = { askCode: false, mustEnrol: false, suggestEnrol: false };

export const defaultPolicy = (appId: string): AppPolicy => ({
  appId,
  otp: 'off',
  goLiveAt: null,
  graceSeconds: 0,
  groupOverrides: {},
});

/** The mode that applies to a person: a group override replaces the app's mode; among several, the strictest. */
export function modeFor(policy: AppPolicy, groups: string[]): OtpMode {
  // Without case, as the directories compare group names (AD; OpenLDAP's cn is caseIgnoreMatch): "VPN users" in a
  // policy must not silently miss the group the directory spells "VPN Users".
  const theirs = new Set(groups.map((g) => g.toLowerCase()));
  const overrides = Object.entries(policy.groupOverrides)
    .filter(([group]) => theirs.has(group.toLowerCase()))
    .map(([, mode]) => mode);
  if (overrides.length === 0) return policy.otp;
  return overrides.reduce((a, b) => (strictness[b] > strictness[a] ? b : a));
}

export function decide(
  policy: AppPolicy,
  person: { groups: string[]; hasToken: boolean },
  atMs: number,
): SecondFactorDecision {
  const mode = modeFor(policy, person.groups);
  if (mode === 'off') return none;
  if (mode === 'optional') return { ...none, askCode: person.hasToken };
  const live = policy.goLiveAt === null || atMs >= policy.goLiveAt;
  if (live) return { askCode: person.hasToken, mustEnrol: !person.hasToken, suggestEnrol: false };
  const inGrace = atMs >= policy.goLiveAt! - policy.graceSeconds * 1000;
  return { askCode: person.hasToken, mustEnrol: false, suggestEnrol: inGrace && !person.hasToken };
}
