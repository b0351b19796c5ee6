// What the authenticator sees of a request, and how its decision becomes reply attributes.
import { attributeByCode, AttributeCode } from './dictionary.ts';
import {
  decodeValue,
  decodeVendorSpecific,
  encodeValue,
  encodeVendorSpecific,
  type AttributeValue,
  type VendorAttribute,
} from './attributes.ts';
import { RadiusEncodeError } from './errors.ts';
import { maxValueLength, type RadiusAttribute, type RadiusPacket } from './packet.ts';

export interface NamedAttribute {
  /** The dictionary name, or `Attr-<type>` for an attribute the dictionary does not know. */
  readonly name: string;
  readonly value: AttributeValue;
}

export interface RequestContext {
  /** The configured name of the NAS that sent the request. */
  readonly client: string;
  readonly source: { readonly address: string; readonly port: number };
  readonly attributes: readonly NamedAttribute[];
  /** Vendor-Specific attributes in the RFC 2865 §5.26 layout; others stay in `attributes` as octets. */
  readonly vendorAttributes: readonly VendorAttribute[];
  readonly packet: RadiusPacket;
}

export interface AccessRequest extends RequestContext {
  readonly userName: string | null;
  /** The User-Password in clear (RFC 2865 §5.2 padding removed), or null when the request has none (CHAP, EAP). */
  readonly password: Buffer | null;
  /**
   * How the NAS sent the password instead, which hides it from the server (RFC 2865 §5.3 CHAP, RFC 2548 MS-CHAP and
   * MS-CHAPv2, RFC 3579 EAP); null when it sent User-Password (PAP) or nothing.
   */
  readonly hiddenPasswordMethod: 'CHAP' | 'MS-CHAP' | 'EAP' | null;
  /** The State of an earlier Access-Challenge that this request answers (RFC 2865 §5.24), or null. */
  readonly state: Buffer | null;
  /** The NAS is set to passOTP: its users type the password with the one-time code after it in one field. */
  readonly passwordAndCode: boolean;
  /** Directory groups this NAS lets through; empty for everyone. */
  readonly allowedGroups: readonly string[];
}

export interface AccountingRecord extends RequestContext {
  /** RFC 2866 §5.1: 1 Start, 2 Stop, 3 Interim-Update, 7 Accounting-On, 8 Accounting-Off; null when absent. */
  readonly statusType: number | null;
  readonly sessionId: string | null;
}

export type ReplyAttribute =
  | { readonly name: string; readonly value: AttributeValue }
  | { readonly vendorId: number; readonly type: number; readonly value: Buffer };

interface DecisionCommon {
  /** Shown to the user by the NAS; split over several Reply-Message attributes when long (RFC 2865 §5.18). */
  readonly replyMessage?: string;
  readonly attributes?: readonly ReplyAttribute[];
}
export type AccessDecision =
  | (DecisionCommon & { readonly kind: 'accept' })
  | (DecisionCommon & { readonly kind: 'reject' })
  // RFC 2865 §4.4: the NAS returns this State unmodified with the user's answer (checklist T42).
  | (DecisionCommon & { readonly kind: 'challenge'; readonly state: Buffer });

export function describeRequest(
  packet: RadiusPacket,
  client: string,
  source: { address: string; port: number },
): RequestContext {
  const attributes: NamedAttribute[] = [];
  const vendorAttributes: VendorAttribute[] = [];
  for (const attribute of packet.attributes) {
    attributes.push({
      name: attributeByCode(attribute.type)?.name ?? `Attr-${attribute.type}`,
      value: decodeValue(attribute),
    });
    if (attribute.type === AttributeCode.VendorSpecific) {
      // Vendors may use their own layout; such an attribute stays available as octets only.
      try {
        vendorAttributes.push(...decodeVendorSpecific(attribute));
      } catch {
        /* not RFC 2865 §5.26 layout */
      }
    }
  }
  return { client, source, attributes, vendorAttributes, packet };
}

/**
 * The client the gateway names in Calling-Station-Id (RFC 2865 §5.31: its address, or its MAC address on a LAN);
 * null when it names none. The gateway's own address is shared by everyone behind it.
 */
export function callingStation(context: RequestContext): string | null {
  const value = context.attributes.find((a) => a.name === 'Calling-Station-Id')?.value;
  const text = (Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : '').trim();
  return text === '' ? null : text;
}

/** Splits text into UTF-8 chunks of at most 253 octets without cutting a character in two. */
export function splitText(text: string): Buffer[] {
  const chunks: Buffer[] = [];
  let current = '';
  for (const char of text) {
    if (Buffer.byteLength(current + char, 'utf8') > maxValueLength) {
      chunks.push(Buffer.from(current, 'utf8'));
      current = '';
    }
    current += char;
  }
  if (current !== '') chunks.push(Buffer.from(current, 'utf8'));
  return chunks;
}

// Attributes only the server may set: Message-Authenticator is placed by encodeResponse, State comes from
// the decision, Proxy-State is copied from the request (RFC 2865 §5.33).
const reserved = new Set<number>([
  AttributeCode.MessageAuthenticator,
  AttributeCode.State,
  AttributeCode.ProxyState,
  AttributeCode.UserPassword,
]);

/** Turns a decision into reply attributes; a malformed decision is a typed error (the caller answers Reject). */
export function decisionAttributes(decision: AccessDecision): RadiusAttribute[] {
  const out: RadiusAttribute[] = [];
  if (decision.kind === 'challenge') {
    const state: unknown = decision.state;
    if (!Buffer.isBuffer(state) || state.length === 0 || state.length > maxValueLength) {
      throw new RadiusEncodeError('radius.bad_decision', 'A challenge needs a State of 1–253 octets');
    }
    out.push({ type: AttributeCode.State, value: state });
  }
  if (decision.replyMessage !== undefined && decision.replyMessage !== '') {
    for (const chunk of splitText(decision.replyMessage)) out.push({ type: AttributeCode.ReplyMessage, value: chunk });
  }
  for (const attribute of decision.attributes ?? []) out.push(encodeReplyAttribute(attribute));
  return out;
}

/** One reply attribute on the wire; a typed error for an unknown name, a bad value, or one the server sets itself. */
export function encodeReplyAttribute(attribute: ReplyAttribute): RadiusAttribute {
  const encoded =
    'vendorId' in attribute
      ? encodeVendorSpecific(attribute.vendorId, [{ type: attribute.type, value: attribute.value }])
      : encodeValue(attribute.name, attribute.value);
  if (reserved.has(encoded.type))
    throw new RadiusEncodeError('radius.bad_decision', `The server sets attribute ${encoded.type} itself`);
  return encoded;
}

export function proxyStates(packet: RadiusPacket): RadiusAttribute[] {
  return packet.attributes.filter((a) => a.type === AttributeCode.ProxyState);
}
