// The names of the counters an edge limits an action by: per account name, per client (an address, or the client a
// VPN gateway names), per (account, client), and per device.
import { sourceBucket } from './client-address.ts';

const accountName = (account: string) => account.normalize('NFC').trim().toLowerCase();

/** The account name as typed, without case or Unicode-form differences: `Ana@Example.com` and `ana@example.com` share one count. */
export const accountKey = (action: string, account: string) => `${action}:account:${accountName(account)}`;

/**
 * IPv4 per address, IPv6 per /64: an IPv6 subscriber holds a whole /64, and stepping through its addresses must not
 * earn a fresh allowance at each one.
 */
export const sourceKey = (action: string, address: string) => `${action}:ip:${sourceBucket(address)}`;

/**
 * A client a VPN gateway names in Calling-Station-Id (RFC 2865 §5.31: its address, or its MAC address on a LAN), or
 * the gateway itself when it names none. Free text from the gateway, quoted so it cannot run into the account name.
 */
export const stationKey = (action: string, station: string) =>
  `${action}:station:${JSON.stringify(station.trim().toLowerCase())}`;
export const gatewayKey = (action: string, gateway: string) => `${action}:gateway:${JSON.stringify(gateway)}`;

/** One account tried from one client (a source, station or gateway key): neither part can end inside the other. */
export const accountFromKey = (clientKey: string, account: string) => `${clientKey}:account:${accountName(account)}`;

/** A browser that proved this account's password before (device cookie): its own count, whoever else fails. */
export const deviceKey = (action: string, device: string) => `${action}:device:${device}`;
