// RADIUS server options, one zod schema with each default and why (STYLE.md rule 7). The composer nests
// this under `radius` in the application configuration.
import { isIP } from 'node:net';
import { z } from 'zod';
import { encodeReplyAttribute, type ReplyAttribute } from './messages.ts';

function isAddressOrNetwork(value: string): boolean {
  const [address, prefix, ...more] = value.split('/');
  const family = isIP(address);
  if (family === 0 || more.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export const radiusClientSchema = z.object({
  // Shown in counters and logs; unique.
  name: z.string().min(1).max(64),
  // One address (`192.0.2.10`) or a CIDR network (`10.20.0.0/16`, `2001:db8::/48`) the NAS sends from.
  address: z.string().refine(isAddressOrNetwork, 'must be an IP address or a CIDR network'),
  // RFC 2865 §3 asks for at least 16 octets (checklist T38); generate 32+ random characters. Counted in UTF-8 octets.
  secret: z.string().refine((s) => Buffer.byteLength(s, 'utf8') >= 16, 'must be at least 16 octets'),
  // BlastRADIUS (CVE-2024-3596): drop Access-Requests without Message-Authenticator. Turn off only for an old NAS.
  requireMessageAuthenticator: z.boolean().default(true),
  // passOTP: the gateway cannot show a second prompt, so users type the password with the 6-digit code after it.
  passwordAndCode: z.boolean().default(false),
  // Only people in one of these directory groups (as the directory names them) log in through this gateway; the
  // others get a reject saying so once their password is right. Empty: every staff account.
  allowedGroups: z.array(z.string().min(1).max(256)).max(64).default([]),
});

// A reply attribute for an Access-Accept: a standard one by its dictionary name ({ "name": "Filter-Id", "value":
// "staff" }), or a vendor's own by number (RFC 2865 §5.26), as gateways map groups: Fortinet-Group-Name is
// { "vendor": 12356, "type": 1, "value": "staff" }, Cisco-AVPair { "vendor": 9, "type": 1, … }, Palo Alto's
// PaloAlto-User-Group { "vendor": 25461, "type": 5, … }. A vendor value is text (UTF-8) or an unsigned 32-bit integer.
export const replyAttributeSchema = z
  .union([
    z.object({ name: z.string().min(1), value: z.union([z.string(), z.number().int()]) }).strict(),
    z
      .object({
        vendor: z.number().int().min(1).max(0xffffff),
        type: z.number().int().min(1).max(255),
        value: z.union([z.string().min(1), z.number().int().min(0).max(0xffffffff)]),
      })
      .strict(),
  ])
  .transform((attribute, ctx): ReplyAttribute => {
    const reply: ReplyAttribute =
      'name' in attribute
        ? attribute
        : { vendorId: attribute.vendor, type: attribute.type, value: vendorValue(attribute.value) };
    // Checked by encoding it once, as every Access-Accept will: an unknown name or a bad value fails the start.
    try {
      encodeReplyAttribute(reply);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
    return reply;
  });

function vendorValue(value: string | number): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

// A RadSec client is a RADIUS client proven by its certificate instead of a shared secret; the address must still
// match, and the certificate verify against caFile.
export const radsecClientSchema = radiusClientSchema.omit({ secret: true }).extend({
  // When set, the client certificate's CN or a DNS subjectAltName must be exactly this.
  certificateName: z.string().min(1).optional(),
  // TLS already protects every packet, and BlastRADIUS needs a forgery on UDP; a NAS behind a proxy may not send it.
  requireMessageAuthenticator: z.boolean().default(false),
});

export const radsecConfigSchema = z.object({
  // RFC 6614 §2.1: RadSec's registered port.
  port: z.number().int().min(0).max(65535).default(2083),
  // PEM files: this server's certificate and key, and the CA that signs the clients' certificates.
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  caFile: z.string().min(1),
  clients: z.array(radsecClientSchema).default([]),
  // A silent connection is closed after this long; a proxy reconnects when it next has a packet.
  idleTimeoutMs: z.number().int().positive().default(600_000),
});

export const radiusConfigSchema = z
  .object({
    // RFC 2865 §3: the official authentication port. 0 picks a free port (tests).
    port: z.number().int().min(0).max(65535).default(1812),
    // RFC 2866 §3: accounting (VPN sessions) has its own port. Unset: the port after `port` (1813), or a free one with 0.
    accountingPort: z.number().int().min(0).max(65535).optional(),
    // Loopback by default so a laptop start exposes nothing.
    host: z
      .string()
      .refine((h) => isIP(h) !== 0, 'must be an IP address')
      .default('127.0.0.1'),
    clients: z.array(radiusClientSchema).default([]),
    // Clients added with `tessera radius client add` live in the database; every node reloads them this often, and at
    // once (at most each second) when a datagram comes from an address no client matches. It bounds how long a removed
    // (say, stolen) gateway is still answered; a reload is one small read.
    clientRefreshMs: z.number().int().positive().default(5_000),
    // RFC 5080 §2.2.2: keep replies a few seconds so a retransmission gets the same answer without a second OTP check.
    duplicateTtlMs: z.number().int().positive().default(5000),
    // Bounds memory under a flood of distinct requests; the oldest entries go first.
    duplicateCacheSize: z.number().int().positive().default(10_000),
    // Ended VPN sessions (from accounting) are kept this long for operators, then purged.
    sessionRetentionDays: z.number().int().positive().default(90),
    // RADIUS over TLS (RadSec) for gateways and proxies at other sites. Unset: no TLS listener.
    radsec: radsecConfigSchema.optional(),
    // How long close() waits for authentications in progress before closing the socket.
    closeTimeoutMs: z.number().int().nonnegative().default(5000),
  })
  .superRefine((config, ctx) => {
    // Names key counters and per-app OTP policies (`radius:<name>`), across UDP and RadSec clients alike.
    const seen = new Set<string>();
    const check = (name: string, path: Array<string | number>) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path, message: 'must be unique' });
      seen.add(name);
    };
    for (const [index, client] of config.clients.entries()) check(client.name, ['clients', index, 'name']);
    for (const [index, client] of (config.radsec?.clients ?? []).entries()) {
      check(client.name, ['radsec', 'clients', index, 'name']);
    }
  });

export type RadiusConfigInput = z.input<typeof radiusConfigSchema>;
export type RadiusConfig = z.output<typeof radiusConfigSchema>;
export type RadiusClientConfig = z.output<typeof radiusClientSchema>;
