// The NAS table: which source addresses may talk to the server, and with which shared secret.
// The most specific match wins, so one NAS can have its own secret inside a network that shares another.
import { BlockList, isIP } from 'node:net';
import { RadiusConfigError } from './errors.ts';
import { radiusConfigSchema, type RadiusClientConfig, type RadiusConfig, type RadiusConfigInput } from './config.ts';

export interface RadiusClient {
  readonly name: string;
  readonly secret: Buffer;
  readonly requireMessageAuthenticator: boolean;
  readonly passwordAndCode: boolean;
  readonly allowedGroups: readonly string[];
}

interface Entry {
  client: RadiusClient;
  family: 'ipv4' | 'ipv6';
  prefix: number;
  list: BlockList;
}

export interface ClientTable {
  /** The NAS that `address` belongs to, or undefined (checklist T38: unknown clients are dropped). */
  find(address: string): RadiusClient | undefined;
  readonly names: readonly string[];
}

/** Parses and checks the configuration; the error names the key, never a secret (STYLE.md rules 6–7). */
export function parseRadiusConfig(input: RadiusConfigInput): RadiusConfig {
  const result = radiusConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new RadiusConfigError(
    result.error.issues.map((issue) => ({ key: issue.path.join('.'), problem: issue.message })),
  );
}

// A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; match them against IPv4 networks.
function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

export function createClientTable(configured: readonly RadiusClientConfig[]): ClientTable {
  const entries: Entry[] = configured.map((c) => {
    const [address, prefixText] = c.address.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
    const list = new BlockList();
    list.addSubnet(address, prefix, family);
    const client: RadiusClient = {
      name: c.name,
      secret: Buffer.from(c.secret, 'utf8'),
      requireMessageAuthenticator: c.requireMessageAuthenticator,
      passwordAndCode: c.passwordAndCode,
      allowedGroups: c.allowedGroups,
    };
    return { client, family, prefix, list };
  });
  // Longest prefix first, so `find` returns the most specific client.
  entries.sort((a, b) => b.prefix - a.prefix);
  return {
    names: entries.map((e) => e.client.name),
    find(raw) {
      const address = normalise(raw);
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      return entries.find((e) => e.family === family && e.list.check(address, family))?.client;
    },
  };
}
