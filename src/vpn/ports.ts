// What the VPN login (radius/vpn-login.ts) asks of the rest of Tessera, answered by the identity, OTP, policy and
// rate-limit services: the application rules of a VPN login, kept out of both the RADIUS transport and the composer.
import { callingStation, type ReplyAttribute, type VpnLoginPorts, type VpnMessage } from '../radius/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import type { FirstFactor } from '../signin/index.ts';
import type { CheckedSecondFactor } from '../policy/index.ts';

export interface VpnPortsDeps {
  /** The sign-in page's first factor, applied on counters of the VPN's own. */
  firstFactor: Pick<FirstFactor, 'check'>;
  /** Present when a directory is configured: names the audit log's refusals after the account they mean. */
  workforce?: Pick<WorkforceService, 'isDirectoryName' | 'accountNamed'>;
  secondFactor: CheckedSecondFactor;
  /** Throws when the account was disabled since its password was checked. */
  assertStillActive(accountId: string): Promise<void>;
  validateCode(accountId: string, code: string, options: { source: string }): Promise<unknown>;
  /** Whether the account ever had an Access-Accept that passed a code (the audit log's `radius.accept`). */
  hasLoggedInWithCode(accountId: string): Promise<boolean>;
  groupsOf(accountId: string): Promise<readonly string[]>;
  /** Reply attributes by directory group, as configured (radiusGroupAttributes). */
  groupAttributes: Readonly<Record<string, readonly ReplyAttribute[]>>;
  passwordChangeUrl?: string;
  /** Where a person without an OTP app registers one (/otp/register), when a directory is configured. */
  registrationUrl?: string;
  /** The message catalogue (i18n `t`): Reply-Message texts are the `radius.*` ids. */
  translate(id: string, params: Record<string, string>, locale?: string): string;
  /** The language the account last used on Tessera's pages (issue 22), if any. */
  localeOf(accountId: string): Promise<string | null | undefined>;
}

export type VpnPorts = Pick<
  VpnLoginPorts,
  'checkPassword' | 'secondFactor' | 'validateCode' | 'firstCodeLogin' | 'accountOf' | 'message' | 'replyAttributes'
>;

export function createVpnPorts(d: VpnPortsDeps): VpnPorts {
  // Group names compare without case, as the directories compare them (the configuration refuses two spellings).
  const byGroup = new Map(
    Object.entries(d.groupAttributes).map(([group, attributes]) => [group.toLowerCase(), attributes]),
  );
  return {
    async checkPassword(userName, password, request) {
      // The sign-in page's rule on counters of the VPN's own, so that guessing on the web page alone cannot keep
      // staff off the VPN, nor the other way round. The gateway's address is everyone's behind it: the client is
      // the one it names in Calling-Station-Id, else only the gateway.
      const station = callingStation(request);
      const source = station ? { station } : { gateway: request.client };
      const account = await d.firstFactor.check({ action: 'vpn', name: userName, password, source });
      return { accountId: account.id, groups: account.groups, workforce: account.kind === 'workforce' };
    },
    secondFactor: (appId, accountId, groups) => d.secondFactor(appId, accountId, groups),
    // The answer to a challenge: the account may have been disabled since its password was checked (T7).
    async validateCode(accountId, code, source) {
      await d.assertStillActive(accountId);
      await d.validateCode(accountId, code, { source });
    },
    firstCodeLogin: async (accountId) => !(await d.hasLoggedInWithCode(accountId)),
    accountOf: async (userName) =>
      (d.workforce?.isDirectoryName(userName) ? await d.workforce.accountNamed(userName) : undefined)?.id,
    async message(id: VpnMessage, accountId?: string) {
      const locale = (accountId ? await d.localeOf(accountId) : undefined) ?? undefined;
      if (id === 'password_expired' && d.passwordChangeUrl !== undefined)
        return d.translate('radius.password_expired_at', { url: d.passwordChangeUrl }, locale);
      if (id === 'enrol' && d.registrationUrl !== undefined)
        return d.translate('radius.enrol_at', { url: d.registrationUrl }, locale);
      return d.translate(`radius.${id}`, {}, locale);
    },
    async replyAttributes(accountId, knownGroups) {
      const groups = knownGroups ?? (await d.groupsOf(accountId));
      return groups.flatMap((group) => byGroup.get(group.toLowerCase()) ?? []);
    },
  };
}
