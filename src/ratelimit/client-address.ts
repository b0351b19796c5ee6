// The address a request comes from, for limits and the audit log. X-Forwarded-For is believed only when the
// direct peer is a configured proxy, read from the right (each proxy appends the address it saw), and it stops at
// the first hop that is not a trusted proxy: everything further left was written by the client and can be forged.
// A junk hop (not an IP address) ends the walk at the last address we know (checklist T9; authentik
// CVE-2024-47070, where a junk header skipped the password stage).
import { BlockList, isIP } from 'node:net';
import { RateLimitError } from './types.ts';

/** Parses proxy addresses and CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`); a bad entry fails at start, named. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = String(entry).trim().split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (!family || extra !== undefined || !/^\d{1,3}$/.test(String(bits)) || bits > (family === 6 ? 128 : 32)) {
      throw new RateLimitError('ratelimit.invalid_proxy', { cause: `trusted proxy entry ${JSON.stringify(entry)}` });
    }
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** An address as a plain IP: IPv4-mapped IPv6 as IPv4, brackets and ports removed; undefined when it is not one. */
export function parseAddress(value: string): string | undefined {
  let v = value.trim();
  if (v.length === 0 || v.length > 64) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(v);
  if (bracketed) v = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  // Zone ids (fe80::1%eth0) name an interface of the proxy, not a client.
  if (v.includes('%')) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
  if (mapped) v = mapped[1];
  const family = isIP(v);
  if (family === 4) return v;
  if (family === 6) return v.toLowerCase();
  return undefined;
}

const trusted = (list: BlockList, address: string) => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

/**
 * The client's address: the direct peer unless it is a trusted proxy, then the right-most X-Forwarded-For hop
 * that is not a trusted proxy. Returns undefined only when the peer's own address is unknown (socket gone).
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: readonly string[],
): string | undefined {
  const peer = remoteAddress === undefined ? undefined : parseAddress(remoteAddress);
  if (peer === undefined) return undefined;
  const list = trustedProxyList(trustedProxies);
  if (forwardedFor === undefined || !trusted(list, peer)) return peer;
  // Several X-Forwarded-For lines are one list, in order (RFC 9110 §5.3).
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : String(forwardedFor)).split(',');
  let current = peer;
  // At most 32 hops are read: a longer chain is someone's padding, and the answer is already past our proxies.
  for (let i = hops.length - 1; i >= 0 && i >= hops.length - 32; i--) {
    if (!trusted(list, current)) return current;
    const hop = parseAddress(hops[i]);
    if (hop === undefined) return current;
    current = hop;
  }
  return current;
}

/** The unit a per-source limit counts: one IPv4 address, or the /64 an IPv6 subscriber is usually given. */
export function sourceBucket(address: string): string {
  const parsed = parseAddress(address);
  if (parsed === undefined || isIP(parsed) === 4) return parsed ?? address;
  const [head, tail = ''] = parsed.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:… forms other than mapped) sits in the last 64 bits, outside the bucket.
  const groups = parsed.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
