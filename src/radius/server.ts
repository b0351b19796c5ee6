// The RADIUS server on node:dgram. Each datagram goes through a short, ordered list of steps:
// findClient → decode → verify → deduplicate → answer. Anything that fails before "answer" is dropped
// silently and counted, as RFC 2865 §3 and RFC 3579 §3.2 require; nothing a peer sends can crash it.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { systemClock, type Clock } from '../clock/index.ts';
import { AttributeCode, PacketCode } from './dictionary.ts';
import { encodeResponse, unhidePassword, verifyAccountingRequest, verifyMessageAuthenticator } from './authenticator.ts';
import { createClientTable, parseRadiusConfig, type RadiusClient } from './clients.ts';
import type { RadiusConfigInput } from './config.ts';
import { createCounters, type CountEvent, type RadiusCounters, type RadiusOutcome } from './counters.ts';
import { createDuplicateCache, duplicateKey } from './duplicates.ts';
import { RadiusDecodeError } from './errors.ts';
import { decisionAttributes, describeRequest, proxyStates, type AccessDecision, type AccessRequest, type AccountingRecord } from './messages.ts';
import { decodePacket, type RadiusPacket } from './packet.ts';

export interface RadiusServerOptions {
  config: RadiusConfigInput;
  /** Decides an Access-Request. Called once per request, never for a retransmission (RFC 5080). */
  authenticate(request: AccessRequest): Promise<AccessDecision>;
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

export interface RadiusServer {
  /** Binds the UDP socket; resolves with the bound address (port 0 → a free port). */
  listen(): Promise<{ address: string; port: number }>;
  counters(): RadiusCounters;
  /** Stops taking datagrams, lets answers in progress finish (up to closeTimeoutMs), then closes the socket. */
  close(): Promise<void>;
}

type Handled = { reply: Buffer; outcome: RadiusOutcome } | { reply: null; outcome: RadiusOutcome };

export function createRadiusServer(options: RadiusServerOptions): RadiusServer {
  const config = parseRadiusConfig(options.config);
  const clock = options.clock ?? systemClock;
  const clients = createClientTable(config);
  const counters = createCounters(clients.names, options.onCount);
  const duplicates = createDuplicateCache({ clock, ttlMs: config.duplicateTtlMs, maxEntries: config.duplicateCacheSize });
  const internalErrorMessage = options.internalErrorMessage ?? 'Authentication is unavailable; please try again later.';
  const inFlight = new Set<Promise<void>>();
  let socket: Socket | null = null;
  let closing = false;

  const report = (error: unknown, client: string | null, step: string) => {
    try { options.onError?.(error, { client, step }); } catch { /* an observer must not break the server */ }
  };

  // RFC 3579 §3.2 / RFC 2869 §5.14 and BlastRADIUS: which Message-Authenticator rule this request breaks, if any.
  function checkAccessRequest(datagram: Buffer, packet: RadiusPacket, client: RadiusClient): RadiusOutcome | null {
    const hasAuthenticator = packet.attributes.some((a) => a.type === AttributeCode.MessageAuthenticator);
    if (hasAuthenticator) return verifyMessageAuthenticator(datagram, packet, client.secret) ? null : 'bad_message_authenticator';
    if (client.requireMessageAuthenticator) return 'missing_message_authenticator';
    // limit_proxy_state: a Proxy-State without Message-Authenticator is the BlastRADIUS forgery's carrier.
    if (packet.attributes.some((a) => a.type === AttributeCode.ProxyState)) return 'proxy_state_without_message_authenticator';
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
        const hasAuthenticator = packet.attributes.some((a) => a.type === AttributeCode.MessageAuthenticator);
        return hasAuthenticator && !verifyMessageAuthenticator(datagram, packet, client.secret) ? 'bad_message_authenticator' : null;
      }
      default:
        return 'unsupported_code';
    }
  }

  async function answerAccess(packet: RadiusPacket, client: RadiusClient, source: RemoteInfo): Promise<Handled> {
    const context = describeRequest(packet, client.name, { address: source.address, port: source.port });
    const hidden = packet.attributes.find((a) => a.type === AttributeCode.UserPassword);
    const userName = packet.attributes.find((a) => a.type === AttributeCode.UserName);
    const state = packet.attributes.find((a) => a.type === AttributeCode.State);
    const request: AccessRequest = {
      ...context,
      userName: userName ? userName.value.toString('utf8') : null,
      password: hidden ? unhidePassword(hidden.value, client.secret, packet.authenticator) : null,
      state: state ? state.value : null,
    };
    const codes = { accept: PacketCode.AccessAccept, reject: PacketCode.AccessReject, challenge: PacketCode.AccessChallenge } as const;
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
      return { reply: encodeResponse(PacketCode.AccessReject, packet, attributes, client.secret), outcome: 'access_reject' };
    }
  }

  async function answerAccounting(packet: RadiusPacket, client: RadiusClient, source: RemoteInfo): Promise<Handled> {
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
    return { reply: encodeResponse(PacketCode.AccountingResponse, packet, proxyStates(packet), client.secret), outcome: 'accounting_response' };
  }

  async function answer(packet: RadiusPacket, client: RadiusClient, source: RemoteInfo): Promise<Handled> {
    if (packet.code === PacketCode.AccessRequest) return answerAccess(packet, client, source);
    if (packet.code === PacketCode.AccountingRequest) return answerAccounting(packet, client, source);
    // RFC 5997 §3: Status-Server on the authentication port is answered with Access-Accept.
    return { reply: encodeResponse(PacketCode.AccessAccept, packet, proxyStates(packet), client.secret), outcome: 'status_server' };
  }

  async function handle(datagram: Buffer, source: RemoteInfo): Promise<void> {
    const client = clients.find(source.address);
    if (client === undefined) { counters.count(null, 'unknown_client'); return; }
    let packet: RadiusPacket;
    try {
      packet = decodePacket(datagram);
      const refused = checkRequest(datagram, packet, client);
      if (refused !== null) { counters.count(client.name, refused); return; }
    } catch (error) {
      if (!(error instanceof RadiusDecodeError)) report(error, client.name, 'decode');
      counters.count(client.name, 'malformed');
      return;
    }
    const key = duplicateKey(source.address, source.port, packet.identifier, packet.authenticator);
    const seen = duplicates.claim(key);
    if (seen.state === 'answered') { counters.count(client.name, 'duplicate'); await send(seen.reply, source); return; }
    // RFC 5080 §2.2.2: still being worked on — the retransmission is dropped; the NAS will retry.
    if (seen.state === 'in_progress') { counters.count(client.name, 'in_progress'); return; }
    let handled: Handled;
    try {
      handled = await answer(packet, client, source);
    } catch (error) {
      duplicates.finish(key, null);
      if (!(error instanceof RadiusDecodeError)) report(error, client.name, 'answer');
      counters.count(client.name, 'malformed');
      return;
    }
    duplicates.finish(key, handled.reply);
    counters.count(client.name, handled.outcome);
    if (handled.reply !== null) await send(handled.reply, source);
  }

  // Awaited, so close() does not shut the socket under a reply that is still being written.
  function send(reply: Buffer, to: RemoteInfo): Promise<void> {
    const s = socket;
    if (s === null) return Promise.resolve();
    return new Promise((resolve) => {
      s.send(reply, to.port, to.address, (error) => { if (error) report(error, null, 'send'); resolve(); });
    });
  }

  return {
    listen() {
      return new Promise((resolve, reject) => {
        const s = createSocket({ type: isIPv6(config.host) ? 'udp6' : 'udp4' });
        s.on('error', (error) => report(error, null, 'socket'));
        s.on('message', (datagram, source) => {
          if (closing) return;
          const task = handle(datagram, source).catch((error: unknown) => report(error, null, 'handle'));
          inFlight.add(task);
          void task.finally(() => inFlight.delete(task));
        });
        s.once('error', reject);
        s.bind(config.port, config.host, () => {
          s.off('error', reject);
          socket = s;
          const { address, port } = s.address();
          resolve({ address, port });
        });
      });
    },
    counters: () => counters.snapshot(),
    async close() {
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, config.closeTimeoutMs); });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
      const s = socket;
      socket = null;
      if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
