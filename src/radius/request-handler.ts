// What happens to one request from a known client, whatever carried it: decode → verify → deduplicate → answer.
// Anything that fails before "answer" is dropped silently and counted, as RFC 2865 §3 and RFC 3579 §3.2 require.
import { AttributeCode, PacketCode } from './dictionary.ts';
import {
  encodeResponse,
  unhidePassword,
  verifyAccountingRequest,
  verifyMessageAuthenticator,
} from './authenticator.ts';
import type { RadiusClient } from './clients.ts';
import type { createCounters, RadiusOutcome } from './counters.ts';
import { duplicateKey, type DuplicateCache } from './duplicates.ts';
import { RadiusDecodeError } from './errors.ts';
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
import type { Report } from './report.ts';

// RadSec carries authentication and accounting on one connection.
export type PortRole = 'authentication' | 'accounting' | 'radsec';
export type Peer = { readonly address: string; readonly port: number };
type Handled = { reply: Buffer; outcome: RadiusOutcome } | { reply: null; outcome: RadiusOutcome };

export type HandleRequest = (
  datagram: Buffer,
  client: RadiusClient,
  source: Peer,
  role: PortRole,
  reply: (answer: Buffer) => Promise<void>,
) => Promise<void>;

/** The caller's decisions, called as methods of the object the caller gave (so `this` stays theirs). */
export interface RequestAnswerers {
  authenticate(request: AccessRequest): Promise<AccessDecision>;
  account?(record: AccountingRecord): Promise<void>;
}

export interface RequestHandlerDeps {
  answerers: RequestAnswerers;
  counters: ReturnType<typeof createCounters>;
  duplicates: DuplicateCache;
  report: Report;
  internalErrorMessage: string;
}

// Microsoft's vendor id and its MS-CHAP-Response / MS-CHAP2-Response (RFC 2548 §2.1.3, §2.3.2).
const microsoft = 311;
const msChapResponses = new Set([1, 25]);

const decisionCodes = {
  accept: PacketCode.AccessAccept,
  reject: PacketCode.AccessReject,
  challenge: PacketCode.AccessChallenge,
} as const;

// The vendor attributes are those describeRequest already decoded.
function hiddenPasswordMethod(
  packet: RadiusPacket,
  vendorAttributes: readonly VendorAttribute[],
): AccessRequest['hiddenPasswordMethod'] {
  if (packet.attributes.some((a) => a.type === AttributeCode.ChapPassword)) return 'CHAP';
  if (packet.attributes.some((a) => a.type === AttributeCode.EapMessage)) return 'EAP';
  return vendorAttributes.some((v) => v.vendorId === microsoft && msChapResponses.has(v.type)) ? 'MS-CHAP' : null;
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

function accessRequestOf(packet: RadiusPacket, client: RadiusClient, source: Peer): AccessRequest {
  const context = describeRequest(packet, client.name, { address: source.address, port: source.port });
  const hidden = packet.attributes.find((a) => a.type === AttributeCode.UserPassword);
  const userName = packet.attributes.find((a) => a.type === AttributeCode.UserName);
  const state = packet.attributes.find((a) => a.type === AttributeCode.State);
  return {
    ...context,
    userName: userName ? userName.value.toString('utf8') : null,
    password: hidden ? unhidePassword(hidden.value, client.secret, packet.authenticator) : null,
    hiddenPasswordMethod: hidden ? null : hiddenPasswordMethod(packet, context.vendorAttributes),
    state: state ? state.value : null,
    passwordAndCode: client.passwordAndCode,
    allowedGroups: client.allowedGroups,
  };
}

async function answerAccess(
  deps: RequestHandlerDeps,
  packet: RadiusPacket,
  client: RadiusClient,
  source: Peer,
): Promise<Handled> {
  const request = accessRequestOf(packet, client, source);
  const proxied = proxyStates(packet);
  try {
    const decision = await deps.answerers.authenticate(request);
    const code = decisionCodes[decision.kind];
    if (code === undefined) throw new TypeError('Unknown decision kind');
    const reply = encodeResponse(code, packet, [...decisionAttributes(decision), ...proxied], client.secret);
    return { reply, outcome: `access_${decision.kind}` };
  } catch (error) {
    // DESIGN.md: bad input or a failing dependency gives an Access-Reject with a Reply-Message, never a crash.
    deps.report(error, client.name, 'authenticate');
    deps.counters.count(client.name, 'authenticate_error');
    const rejection = decisionAttributes({ kind: 'reject', replyMessage: deps.internalErrorMessage });
    return {
      reply: encodeResponse(PacketCode.AccessReject, packet, [...rejection, ...proxied], client.secret),
      outcome: 'access_reject',
    };
  }
}

async function answerAccounting(
  deps: RequestHandlerDeps,
  packet: RadiusPacket,
  client: RadiusClient,
  source: Peer,
): Promise<Handled> {
  const context = describeRequest(packet, client.name, { address: source.address, port: source.port });
  const status = packet.attributes.find((a) => a.type === AttributeCode.AcctStatusType);
  const session = packet.attributes.find((a) => a.type === AttributeCode.AcctSessionId);
  const record: AccountingRecord = {
    ...context,
    statusType: status ? status.value.readUInt32BE(0) : null,
    sessionId: session ? session.value.toString('utf8') : null,
  };
  try {
    await deps.answerers.account?.(record);
  } catch (error) {
    // RFC 2866 §2: no Accounting-Response unless the record was stored, so the NAS keeps it and retries.
    deps.report(error, client.name, 'account');
    return { reply: null, outcome: 'account_error' };
  }
  return {
    reply: encodeResponse(PacketCode.AccountingResponse, packet, proxyStates(packet), client.secret),
    outcome: 'accounting_response',
  };
}

async function answer(
  deps: RequestHandlerDeps,
  packet: RadiusPacket,
  client: RadiusClient,
  source: Peer,
  role: PortRole,
): Promise<Handled> {
  // RFC 2866 §3 puts accounting on its own port; Access-Requests there are not ours to answer. Accounting on the
  // authentication port is still taken, for gateways that send both to one port.
  if (packet.code === PacketCode.AccessRequest)
    return role !== 'accounting'
      ? answerAccess(deps, packet, client, source)
      : { reply: null, outcome: 'unsupported_code' };
  if (packet.code === PacketCode.AccountingRequest) return answerAccounting(deps, packet, client, source);
  // RFC 5997 §3: Status-Server is answered with Access-Accept on the authentication port, Accounting-Response on
  // the accounting port.
  const code = role === 'accounting' ? PacketCode.AccountingResponse : PacketCode.AccessAccept;
  return { reply: encodeResponse(code, packet, proxyStates(packet), client.secret), outcome: 'status_server' };
}

// Null when the datagram is to be dropped (already counted).
function decodeChecked(deps: RequestHandlerDeps, datagram: Buffer, client: RadiusClient): RadiusPacket | null {
  try {
    const packet = decodePacket(datagram);
    const refused = checkRequest(datagram, packet, client);
    if (refused === null) return packet;
    deps.counters.count(client.name, refused);
  } catch (error) {
    if (!(error instanceof RadiusDecodeError)) deps.report(error, client.name, 'decode');
    deps.counters.count(client.name, 'malformed');
  }
  return null;
}

export function createRequestHandler(deps: RequestHandlerDeps): HandleRequest {
  const { counters, duplicates } = deps;
  return async (datagram, client, source, role, reply) => {
    const packet = decodeChecked(deps, datagram, client);
    if (packet === null) return;
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
      handled = await answer(deps, packet, client, source, role);
    } catch (error) {
      duplicates.finish(key, null);
      if (!(error instanceof RadiusDecodeError)) deps.report(error, client.name, 'answer');
      counters.count(client.name, 'malformed');
      return;
    }
    duplicates.finish(key, handled.reply);
    counters.count(client.name, handled.outcome);
    if (handled.reply !== null) await reply(handled.reply);
  };
}
