// RADIUS server options, one zod schema with each default and why (STYLE.md rule 7). The composer nests
// this under `radius` in the application configuration.
import { isIP } from 'node:net';
import { z } from 'zod';

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
});

export const radiusConfigSchema = z.object({
  // RFC 2865 §3: the official authentication port. 0 picks a free port (tests).
  port: z.number().int().min(0).max(65535).default(1812),
  // Loopback by default so a laptop start exposes nothing.
  host: z.string().refine((h) => isIP(h) !== 0, 'must be an IP address').default('127.0.0.1'),
  clients: z.array(radiusClientSchema).default([]),
  // RFC 5080 §2.2.2: keep replies a few seconds so a retransmission gets the same answer without a second OTP check.
  duplicateTtlMs: z.number().int().positive().default(5000),
  // Bounds memory under a flood of distinct requests; the oldest entries go first.
  duplicateCacheSize: z.number().int().positive().default(10_000),
  // How long close() waits for authentications in progress before closing the socket.
  closeTimeoutMs: z.number().int().nonnegative().default(5000),
}).superRefine((config, ctx) => {
  const seen = new Set<string>();
  config.clients.forEach((client, index) => {
    if (seen.has(client.name)) ctx.addIssue({ code: 'custom', path: ['clients', index, 'name'], message: 'must be unique' });
    seen.add(client.name);
  });
});

export type RadiusConfigInput = z.input<typeof radiusConfigSchema>;
export type RadiusConfig = z.output<typeof radiusConfigSchema>;
export type RadiusClientConfig = z.output<typeof radiusClientSchema>;
