// Who may try a password (or ask for a reset mail), and how often: the one rule the sign-in page, the VPN and the
// reset page apply. Throttling must not let anyone keep the right person out (checklist T47, T8; ASVS V6.3.1), so
// it follows OWASP's "device cookies":
//  - a browser that signed in to the account before (a valid device cookie for the name tried) is counted on its
//    own: others failing never refuse it, and it is throttled itself when it keeps failing;
//  - any other attempt is counted per (account, client) first, with a small allowance; then per client across
//    accounts (one place trying many names); then per account, with an allowance high enough that only guessing
//    from many places reaches it.
// The order matters: the limiter counts the keys one after the other and gives back what an attempt counted when a
// later key refuses it, so an attacker throttled at their own address never spends the account's allowance.
import { accountFromKey, accountKey, deviceKey, gatewayKey, sourceKey, stationKey } from './keys.ts';
import type { Limit } from './types.ts';

export interface AttemptRules {
  /** One account from one client: what a person who mistypes gets, and all an attacker at one address gets. */
  perAccountSource: Limit;
  /** One client trying any accounts (password spraying). Not applied to a gateway, which speaks for many people. */
  perSource: Limit;
  /** One account from every client without a device cookie: reached only by guessing from many places. */
  perAccount: Limit;
  /** One browser holding a device cookie for the account. */
  perDevice: Limit;
}

/**
 * Where an attempt comes from, as precisely as it is known: the client's address (web), the client a VPN gateway
 * names (Calling-Station-Id), or else only the gateway.
 */
export type AttemptSource = { ip: string } | { station: string } | { gateway: string };

export interface Attempt {
  /** What is limited ('signin', 'vpn', 'reset'): counters of different actions never mix. */
  action: string;
  /** The account name as typed. */
  account: string;
  source: AttemptSource;
  /** The device id of a valid device cookie for this account name, if the attempt carries one. */
  device?: string;
}

/** The limits one attempt is counted under, in the order they are counted. */
export function attemptLimits(attempt: Attempt, rules: AttemptRules): Array<{ key: string; rule: Limit }> {
  const { action, account, source } = attempt;
  if (attempt.device !== undefined) return [{ key: deviceKey(action, attempt.device), rule: rules.perDevice }];
  const client =
    'ip' in source
      ? sourceKey(action, source.ip)
      : 'station' in source
        ? stationKey(action, source.station)
        : gatewayKey(action, source.gateway);
  return [
    { key: accountFromKey(client, account), rule: rules.perAccountSource },
    ...('gateway' in source ? [] : [{ key: client, rule: rules.perSource }]),
    { key: accountKey(action, account), rule: rules.perAccount },
  ];
}
