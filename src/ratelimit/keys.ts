// The names of the counters an edge limits an action by: one per account name, one per client address.
import { sourceBucket } from './client-address.ts';

/** The account name as typed, without case or Unicode-form differences: `Ana@Example.com` and `ana@example.com` share one count. */
export const accountKey = (action: string, account: string) => `${action}:account:${account.normalize('NFC').trim().toLowerCase()}`;

/**
 * IPv4 per address, IPv6 per /64: an IPv6 subscriber holds a whole /64, and stepping through its addresses must not
 * earn a fresh allowance at each one.
 */
export const sourceKey = (action: string, address: string) => `${action}:ip:${sourceBucket(address)}`;
