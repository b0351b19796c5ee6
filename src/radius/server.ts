// The RADIUS server on node:dgram. Each datagram goes through a short, ordered list of steps:
// findClient → decode → verify → deduplicate → answer. Anything that fails before "answer" is dropped
// silently and counted, as RFC 2865 §3 and RFC 3579 §3.2 require; nothing a peer sends can crash it.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { isIPv6 } from 'node:net';
import { systemClock, type Clock } from '../clock/index.ts';
import { AttributeCode, PacketCode } from './dictionary.ts';
import {
  encodeResponse,
  unhidePassword,
  verifyAccountingRequest,
  verifyMessageAuthenticator,
} from './authenticator.ts';
import { createClientTable, parseRadiusConfig, type RadiusClient } from './clients.ts';
import type { RadiusClientConfig, RadiusConfigInput } from './config.ts';
import { createCounters, type CountEvent, type RadiusCounters, type RadiusOutcome } from './counters.ts';
import { createDuplicateCache, duplicateKey } from './duplicates.ts';
import { RadiusConfigError, RadiusDecodeError, RadiusPortError } from './errors.ts';
import { createRadsecListener, type RadsecListener } from './radsec.ts';
import {
  decisionAttributes,
  describeRequest,
  proxyStates,
  type AccessDecision,
  type AccessRequest,
  type AccountingRecord,
} from './messages.ts';
import { decodePacket, type RadiusPacket } from './packet.ts';
import type { VendorAttribute } from './attributes.ts';

export interface RadiusServerOptions {
  config: RadiusConfigInput;
  /** Decides an Access-Request. Called once per request, never for a retransmission (RFC 5080). */
  authenticate(request: AccessRequest): Promise<AccessDecision>;
  /**
   * NAS clients kept outside the configuration (e.g. added by an operator into the database). They are reloaded every
   * `clientRefreshMs`, and at once when an unknown address sends; a configured client wins over a loaded one of the
   * same name.
   */
  loadClients?(): Promise<RadiusClientConfig[]>;
  /** Stores an accounting record; the Accounting-Response is sent only after it resolves (RFC 2866 §2). */
  account?(record: AccountingRecord): Promise<void>;
  clock?: Clock;
  /** Observes every counted outcome (e.g. to feed Prometheus). */
  onCount?(event: CountEvent): void;
  /** Told about exceptions from `authenticate`/`account` and socket errors; never given a secret. */
  onError?(error: unknown, context: { client: string | null; step: string }): void;
  /** Reply-Message when `authenticate` throws; the composer passes catalogue text. */
  internalErrorMessage?: string;
}

/** Where a listening server is bound (port 0 in the configuration → the free port it got). */
export interface RadiusBound {
  address: string;
  port: number;
  accountingPort: number;
  radsecPort: number | null;
}

export interface RadiusServer {
  /** Binds the UDP sockets (and the RadSec listener when configured). */
  listen(): Promise<RadiusBound>;
  counters(): RadiusCounters;
  /** Stops taking datagrams, lets answers in progress finish (up to closeTimeoutMs), then closes the socket. */
  close(): Promise<void>;
}

// RadSec carries authentication and accounting on one connection.
type PortRole = 'authentication' | 'accounting' | 'radsec';
type Peer = { readonly address: string; readonly port: number };
type Handled = { reply: Buffer; outcome: RadiusOutcome } | { reply: null; outcome: RadiusOutcome };

// Microsoft's vendor id and its MS-CHAP-Response / MS-CHAP2-Response (RFC 2548 §2.1.3, §2.3.2).
const microsoft = 311;
const msChapResponses = new Set([1, 25]);

// The vendor attributes are those describeRequest already decoded.
function hiddenPasswordMethod(
  packet: RadiusPacket,
  vendorAttributes: readonly VendorAttribute[],
): AccessRequest['hiddenPasswordMethod'] {
  if (packet.attributes.some((a) => a.type === AttributeCode.ChapPassword)) return 'CHAP';
  if (packet.attributes.some((a) => a.type === AttributeCode.EapMessage)) return 'EAP';
  return vendorAttributes.some((v) => v.vendorId === microsoft && msChapResponses.has(v.type)) ? 'MS-CHAP' : null;
}

export function createRadiusServer(options: RadiusServerOptions): RadiusServer {
  const config = parseRadiusConfig(options.config);
  const clock = options.clock ?? systemClock;
  let clients = createClientTable(config.clients);
  const counters = createCounters(clients.names, options.onCount);
  const duplicates = createDuplicateCache({
    clock,
    ttlMs: config.duplicateTtlMs,
    maxEntries: config.duplicateCacheSize,
  });
  const internalErrorMessage = options.internalErrorMessage ?? 'Authentication is unavailable; please try again later.';
  const inFlight = new Set<Promise<void>>();
  let sockets: Socket[] = [];
  let closing = false;

  const report = (error: unknown, client: string | null, step: string) => {
    try {
      options.onError?.(error, { client, step });
    } catch {
      /* an observer must not break the server */
    }
  };

  const configured = new Set(config.clients.map((c) => c.name));
  let lastOnDemandLoad = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | null = null;
  let refreshTimer: NodeJS.Timeout | undefined;
  function reloadClients(): Promise<void> {
    if (!options.loadClients) return Promise.resolve();
    loading ??= (async () => {
      try {
        const loaded = (await options.loadClients!()).filter((c) => !configured.has(c.name));
        clients = createClientTable([...config.clients, ...loaded]);
      } catch (error) {
        // Keep the table we have: a database hiccup must not lock every gateway out.
        report(error, null, 'load_clients');
      } finally {
        loading = null;
      }
    })();
    return loading;
  }
  async function findClient(address: string): Promise<RadiusClient | undefined> {
    const known = clients.find(address);
    // A flood from unknown addresses costs at most one reload a second.
    if (known !== undefined || !options.loadClients || clock.now() - lastOnDemandLoad < 1000) return known;
    lastOnDemandLoad = clock.now();
    // A read already under way may predate this gateway's addition: let it finish, then read again.
    await loading;
    await reloadClients();
    return clients.find(address);
  }

  const carries = (packet: RadiusPacket, type: number) => packet.attributes.some((a) => a.type === type);

  // RFC 3579 §3.2 / RFC 2869 §5.14 and BlastRADIUS: which Message-Authenticator rule this request breaks, if any.
  function checkAccessRequest(datagram: Buffer, packet: RadiusPacket, client: RadiusClient): RadiusOutcome | null {
    if (carries(packet, AttributeCode.MessageAuthenticator))
      return verifyMessageAuthenticator(datagram, packet, client.secret) ? null : 'bad_message_authenticator';
    if (client.requireMessageAuthenticator) return 'missing_message_authenticator';
    // limit_proxy_state: a Proxy-State without Message-Authenticator is the BlastRADIUS forgery's carrier.
    if (carries(packet, AttributeCode.ProxyState)) return 'proxy_state_without_message_authenticator';
    return null;
  }

  function checkRequest(datagram: Buffer, packet: RadiusPacket, client: RadiusClient): RadiusOutcome | null {
    switch (packet.code) {
      case PacketCode.AccessRequest:
        return checkAccessRequest(datagram, packet, client);
      case PacketCode.StatusServer:
        // RFC 5997 §3: a Status-Server without a valid Message-Authenticator is silently discarded.
        return verifyMessageAuthenticator(datagram, packet, client.secret) ? null : 'bad_message_authenticator';
      case PacketCode.AccountingRequest: {
        // RFC 2866 §3: a Request Authenticator that does not verify means silent discard.
        if (!verifyAccountingRequest(datagram, client.secret)) return 'bad_authenticator';
        return carries(packet, AttributeCode.MessageAuthenticator) &&
          !verifyMessageAuthenticator(datagram, packet, client.secret)
          ? 'bad_message_authenticator'
          : null;
      }
      default:
        return 'unsupported_code';
    }
  }

  async function answerAccess(packet: RadiusPacket, client: RadiusClient, source: Peer): Promise<Handled> {
    const context = describeRequest(packet, client.name, { address: source.address, port: source.port });
    const hidden = packet.attributes.find((a) => a.type === AttributeCode.UserPassword);
    const userName = packet.attributes.find((a) => a.type === AttributeCode.UserName);
    const state = packet.attributes.find((a) => a.type === AttributeCode.State);
    const request: AccessRequest = {
      ...context,
      userName: userName ? userName.value.toString('utf8') : null,
      password: hidden ? unhidePassword(hidden.value, client.secret, packet.authenticator) : null,
      hiddenPasswordMethod: hidden ? null : hiddenPasswordMethod(packet, context.vendorAttributes),
      state: state ? state.value : null,
      passwordAndCode: client.passwordAndCode,
      allowedGroups: client.allowedGroups,
    };
    const codes = {
      accept: PacketCode.AccessAccept,
      reject: PacketCode.AccessReject,
      challenge: PacketCode.AccessChallenge,
    } as const;
    const proxied = proxyStates(packet);
    try {
      const decision = await options.authenticate(request);
      const code = codes[decision.kind];
      if (code === undefined) throw new TypeError('Unknown decision kind');
      const reply = encodeResponse(code, packet, [...decisionAttributes(decision), ...proxied], client.secret);
      return { reply, outcome: `access_${decision.kind}` };
    } catch (error) {
      // DESIGN.md: bad input or a failing dependency gives an Access-Reject with a Reply-Message, never a crash.
      report(error, client.name, 'authenticate');
      counters.count(client.name, 'authenticate_error');
      const attributes = [...decisionAttributes({ kind: 'reject', replyMessage: internalErrorMessage }), ...proxied];
      return {
        reply: encodeResponse(PacketCode.AccessReject, packet, attributes, client.secret),
        outcome: 'access_reject',
      };
    }
  }

  async function answerAccounting(packet: RadiusPacket, client: RadiusClient, source: Peer): Promise<Handled> {
    const context = describeRequest(packet, client.name, { address: source.address, port: source.port });
    const status = packet.attributes.find((a) => a.type === AttributeCode.AcctStatusType);
    const session = packet.attributes.find((a) => a.type === AttributeCode.AcctSessionId);
    const record: AccountingRecord = {
      ...context,
      statusType: status ? status.value.readUInt32BE(0) : null,
      sessionId: session ? session.value.toString('utf8') : null,
    };
    try {
      await options.account?.(record);
    } catch (error) {
      // RFC 2866 §2: no Accounting-Response unless the record was stored, so the NAS keeps it and retries.
      report(error, client.name, 'account');
      return { reply: null, outcome: 'account_error' };
    }
    return {
      reply: encodeResponse(PacketCode.AccountingResponse, packet, proxyStates(packet), client.secret),
      outcome: 'accounting_response',
    };
  }

  async function answer(packet: RadiusPacket, client: RadiusClient, source: Peer, role: PortRole): Promise<Handled> {
    // RFC 2866 §3 puts accounting on its own port; Access-Requests there are not ours to answer. Accounting on the
    // authentication port is still taken, for gateways that send both to one port.
    if (packet.code === PacketCode.AccessRequest)
      return role !== 'accounting'
        ? answerAccess(packet, client, source)
        : { reply: null, outcome: 'unsupported_code' };
    if (packet.code === PacketCode.AccountingRequest) return answerAccounting(packet, client, source);
    // RFC 5997 §3: Status-Server is answered with Access-Accept on the authentication port, Accounting-Response on
    // the accounting port.
    const code = role === 'accounting' ? PacketCode.AccountingResponse : PacketCode.AccessAccept;
    return { reply: encodeResponse(code, packet, proxyStates(packet), client.secret), outcome: 'status_server' };
  }

  /** One request from a known client, whatever carried it: UDP datagram or a packet framed in a RadSec stream. */
  async function handle(
    datagram: Buffer,
    client: RadiusClient,
    source: Peer,
    role: PortRole,
    reply: (answer: Buffer) => Promise<void>,
  ): Promise<void> {
    let packet: RadiusPacket;
    try {
      packet = decodePacket(datagram);
      const refused = checkRequest(datagram, packet, client);
      if (refused !== null) {
        counters.count(client.name, refused);
        return;
      }
    } catch (error) {
      if (!(error instanceof RadiusDecodeError)) report(error, client.name, 'decode');
      counters.count(client.name, 'malformed');
      return;
    }
    const key = duplicateKey(source.address, source.port, packet.identifier, packet.authenticator);
    const seen = duplicates.claim(key);
    if (seen.state === 'answered') {
      counters.count(client.name, 'duplicate');
      await reply(seen.reply);
      return;
    }
    // RFC 5080 §2.2.2: still being worked on — the retransmission is dropped; the NAS will retry.
    if (seen.state === 'in_progress') {
      counters.count(client.name, 'in_progress');
      return;
    }
    let handled: Handled;
    try {
      handled = await answer(packet, client, source, role);
    } catch (error) {
      duplicates.finish(key, null);
      if (!(error instanceof RadiusDecodeError)) report(error, client.name, 'answer');
      counters.count(client.name, 'malformed');
      return;
    }
    duplicates.finish(key, handled.reply);
    counters.count(client.name, handled.outcome);
    if (handled.reply !== null) await reply(handled.reply);
  }

  async function handleDatagram(datagram: Buffer, source: RemoteInfo, role: PortRole, socket: Socket): Promise<void> {
    const client = await findClient(source.address);
    if (client === undefined) {
      counters.count(null, 'unknown_client');
      return;
    }
    await handle(datagram, client, source, role, (answer) => send(socket, answer, source));
  }

  // Awaited, so close() does not shut the socket under a reply that is still being written.
  function send(socket: Socket, reply: Buffer, to: RemoteInfo): Promise<void> {
    return new Promise((resolve) => {
      socket.send(reply, to.port, to.address, (error) => {
        if (error) report(error, null, 'send');
        resolve();
      });
    });
  }

  // A port that cannot be had is a start-up failure naming the setting, not a warning beside a server that never
  // answers (a FreeRADIUS already on 1812 is the usual cause).
  const portRefused = (error: NodeJS.ErrnoException, port: number, role: PortRole) => {
    const key = role === 'authentication' ? 'port' : role === 'accounting' ? 'accountingPort' : 'radsec.port';
    if (error.code === 'EADDRINUSE') return new RadiusPortError(key, config.host, port);
    const why =
      error.code === 'EACCES'
        ? 'needs privileges this process does not have'
        : `cannot be used (${error.code ?? error.message})`;
    return new RadiusConfigError([{ key, problem: `${config.host}:${port} ${why}` }]);
  };

  function bind(port: number, role: PortRole): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = createSocket({ type: isIPv6(config.host) ? 'udp6' : 'udp4' });
      s.on('message', (datagram, source) => {
        if (closing) return;
        const task = handleDatagram(datagram, source, role, s).catch((error: unknown) => report(error, null, 'handle'));
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      });
      const refused = (error: NodeJS.ErrnoException) => {
        s.close();
        reject(portRefused(error, port, role));
      };
      s.once('error', refused);
      s.bind(port, config.host, () => {
        s.off('error', refused);
        s.on('error', (error) => report(error, null, 'socket'));
        resolve(s);
      });
    });
  }

  const radsec = config.radsec ? createRadsec(config.radsec) : null;
  function createRadsec(settings: NonNullable<typeof config.radsec>): RadsecListener {
    const read = (key: 'certFile' | 'keyFile' | 'caFile') => {
      try {
        return readFileSync(settings[key]);
      } catch (error) {
        throw new RadiusConfigError([
          { key: `radsec.${key}`, problem: `cannot read ${settings[key]} (${(error as NodeJS.ErrnoException).code})` },
        ]);
      }
    };
    // RFC 6614 §2.3: over TLS the RADIUS shared secret is the fixed string "radsec".
    const table = createClientTable(settings.clients.map((c) => ({ ...c, secret: 'radsec' })));
    const wantedName = new Map(settings.clients.map((c) => [c.name, c.certificateName]));
    const certificateNames = (socket: TLSSocket): string[] => {
      const certificate = socket.getPeerCertificate();
      const dns = (certificate.subjectaltname ?? '')
        .split(', ')
        .filter((n) => n.startsWith('DNS:'))
        .map((n) => n.slice(4));
      const cn = certificate.subject?.CN;
      return [...dns, ...(Array.isArray(cn) ? cn : cn ? [cn] : [])];
    };
    return createRadsecListener({
      host: config.host,
      port: settings.port,
      idleTimeoutMs: settings.idleTimeoutMs,
      tls: { cert: read('certFile'), key: read('keyFile'), ca: read('caFile') },
      identify(socket) {
        const client = table.find(socket.remoteAddress ?? '');
        const wanted = client && wantedName.get(client.name);
        return client && (wanted === undefined || certificateNames(socket).includes(wanted)) ? client : undefined;
      },
      onPacket: (packet, client, peer, reply) => handle(packet, client, peer, 'radsec', reply),
      onRefused: (name, reason) => counters.count(name, reason),
      onError: (error) => report(error, null, 'radsec'),
    });
  }

  return {
    async listen() {
      await reloadClients();
      refreshTimer = setInterval(() => {
        void reloadClients();
      }, config.clientRefreshMs);
      refreshTimer.unref();
      const authentication = await bind(config.port, 'authentication');
      sockets.push(authentication);
      // RFC 2866 §3: accounting on the next port (1813 beside 1812); with port 0 (tests) a free one.
      const accounting = await bind(config.accountingPort ?? (config.port === 0 ? 0 : config.port + 1), 'accounting');
      sockets.push(accounting);
      const radsecPort = radsec
        ? await radsec.listen().catch((error: NodeJS.ErrnoException) => {
            throw portRefused(error, config.radsec!.port, 'radsec');
          })
        : null;
      return {
        address: authentication.address().address,
        port: authentication.address().port,
        accountingPort: accounting.address().port,
        radsecPort,
      };
    },
    counters: () => counters.snapshot(),
    async close() {
      closing = true;
      clearInterval(refreshTimer);
      await loading;
      await radsec?.close();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, config.closeTimeoutMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
      const open = sockets;
      sockets = [];
      await Promise.all(open.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
