// The floor under the RADIUS bench: the same passOTP login written straight on the libraries Tessera uses (node:dgram,
// Tessera's RADIUS codec, ldapts, node:crypto), on one thread, with nothing Tessera adds: no database (so no account,
// no replay guard, no failure count, no rate limit), no audit trail, no policy, no metrics. It answers what a Node
// process on this machine can do at all, so that the bench tells Tessera's own cost from the platform's.
import { createSocket } from 'node:dgram';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { AndFilter, Client, EqualityFilter } from 'ldapts';
import {
  AttributeCode,
  decodePacket,
  encodeResponse,
  getAttribute,
  PacketCode,
  unhidePassword,
  verifyMessageAuthenticator,
} from '../src/radius/index.ts';
import { base32Decode, totp } from '../src/otp/index.ts';
import { totpParameters } from './radius-load.ts';

export interface BareRadiusOptions {
  secret: string;
  ldap: { url: string; bindDn: string; bindPassword: string; baseDn: string; groupBaseDn: string };
  /** Login name → Base32 TOTP secret, as FreeRADIUS's users file has them. */
  totpSecrets: Map<string, string>;
}

export interface BareRadius {
  port: number;
  close(): Promise<void>;
}

// Tessera's default directory.poolSize, for each of the two pools.
const poolSize = 4;

/** A few connections, each carrying one request at a time, as Tessera's pools do. */
class Pool {
  readonly #idle: Client[];
  readonly #waiting: Array<(client: Client) => void> = [];
  constructor(clients: Client[]) {
    this.#idle = [...clients];
  }
  async use<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = this.#idle.pop() ?? (await new Promise<Client>((resolve) => this.#waiting.push(resolve)));
    try {
      return await work(client);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(client);
      else this.#idle.push(client);
    }
  }
}

/** Search, bind as the person, search their groups, then the code of the current step or one either side. */
export async function startBareRadius(o: BareRadiusOptions): Promise<BareRadius> {
  const secret = Buffer.from(o.secret);
  const keys = new Map<string, KeyObject>(
    [...o.totpSecrets].map(([name, s]) => [name, createSecretKey(base32Decode(s))]),
  );
  const open = async (bind: boolean) => {
    const client = new Client({ url: o.ldap.url, timeout: 1500, connectTimeout: 1000 });
    if (bind) await client.bind(o.ldap.bindDn, o.ldap.bindPassword);
    return client;
  };
  const serviceClients = await Promise.all(Array.from({ length: poolSize }, () => open(true)));
  const bindClients = await Promise.all(Array.from({ length: poolSize }, () => open(false)));
  const service = new Pool(serviceClients);
  const binds = new Pool(bindClients);

  async function login(name: string, typed: string): Promise<boolean> {
    const [password, code] = [typed.slice(0, -6), typed.slice(-6)];
    const { searchEntries } = await service.use((c) =>
      c.search(o.ldap.baseDn, {
        scope: 'sub',
        filter: new AndFilter({
          filters: [
            new EqualityFilter({ attribute: 'objectClass', value: 'inetOrgPerson' }),
            new EqualityFilter({ attribute: 'uid', value: name }),
          ],
        }),
        attributes: ['uid', 'cn', 'mail', 'entryUUID'],
        sizeLimit: 2,
      }),
    );
    if (searchEntries.length !== 1 || password === '') return false;
    const dn = searchEntries[0].dn;
    try {
      await binds.use((c) => c.bind(dn, password));
    } catch {
      return false;
    }
    await service.use((c) =>
      c.search(o.ldap.groupBaseDn, {
        scope: 'sub',
        filter: new EqualityFilter({ attribute: 'member', value: dn }),
        attributes: ['cn'],
      }),
    );
    const key = keys.get(name);
    if (!key) return false;
    const now = Date.now();
    return [-1, 0, 1].some((d) => totp(key, now + d * totpParameters.periodSeconds * 1000, totpParameters) === code);
  }

  const socket = createSocket('udp4');
  socket.on('message', (datagram, from) => {
    let request;
    try {
      request = decodePacket(datagram);
    } catch {
      return;
    }
    if (request.code !== PacketCode.AccessRequest || !verifyMessageAuthenticator(datagram, request, secret)) return;
    const name = String(getAttribute(request, 'User-Name') ?? '');
    const hidden = request.attributes.find((a) => a.type === AttributeCode.UserPassword)?.value;
    const typed = hidden ? unhidePassword(hidden, secret, request.authenticator).toString('utf8') : '';
    login(name, typed)
      .catch(() => false)
      .then((accepted) => {
        socket.send(
          encodeResponse(accepted ? PacketCode.AccessAccept : PacketCode.AccessReject, request, [], secret),
          from.port,
          from.address,
        );
      });
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    async close() {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await Promise.all([...serviceClients, ...bindClients].map((c) => c.unbind().catch(() => undefined)));
    },
  };
}
