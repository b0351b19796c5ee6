// RADIUS packet codec (RFC 2865 §3, §5). Written here because no maintained Node library covers
// RFC 2865 + 3579 + BlastRADIUS (CVE-2024-3596) handling well.
import { RadiusDecodeError, RadiusEncodeError } from './errors.ts';
import { attributeByCode, AttributeCode } from './dictionary.ts';

export const headerLength = 20;
/** RFC 2865 §3: the maximum length of a packet is 4096 octets. */
export const maxPacketLength = 4096;
/** RFC 2865 §5: the Length octet covers type and length, so a value holds at most 253 octets. */
export const maxValueLength = 253;

export interface RadiusAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface RadiusPacket {
  readonly code: number;
  readonly identifier: number;
  /** Request Authenticator in requests, Response Authenticator in responses (16 octets). */
  readonly authenticator: Buffer;
  /** In wire order: order matters for Proxy-State and for BlastRADIUS (Message-Authenticator first). */
  readonly attributes: readonly RadiusAttribute[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isUtf8(value: Buffer): boolean {
  try {
    utf8.decode(value);
    return true;
  } catch {
    return false;
  }
}

// RFC 2865 §5: a known attribute with a value of the wrong size is malformed; refusing it here means
// no later code has to re-check what a 3-octet "integer" means.
function checkKnownValue(type: number, value: Buffer): void {
  const definition = attributeByCode(type);
  if (definition === undefined) return;
  const fail = (why: string) => {
    throw new RadiusDecodeError('radius.bad_value', `${definition.name}: ${why}`);
  };
  if (definition.fixedLength !== undefined && value.length !== definition.fixedLength)
    fail(`must be ${definition.fixedLength} octets`);
  switch (definition.type) {
    case 'integer':
    case 'address':
      if (value.length !== 4) fail('must be 4 octets');
      break;
    case 'text':
      if (!isUtf8(value)) fail('is not UTF-8');
      break;
    case 'vsa':
      // RFC 2865 §5.26: Length >= 7 (4 octets of Vendor-Id, then at least one octet); the Vendor-Id's high octet is 0.
      if (value.length < 5) fail('shorter than a Vendor-Id and one octet');
      if (value[0] !== 0) fail('Vendor-Id high octet is not 0');
      break;
    default:
      break;
  }
}

/** Strict RFC 2865 §3 decoding: every inconsistency is a typed `RadiusDecodeError`, never a partial packet. */
export function decodePacket(datagram: Buffer): RadiusPacket {
  if (datagram.length < headerLength)
    throw new RadiusDecodeError('radius.truncated', 'Shorter than the 20-octet header');
  if (datagram.length > maxPacketLength)
    throw new RadiusDecodeError('radius.too_long', 'Datagram longer than 4096 octets');
  const length = datagram.readUInt16BE(2);
  if (length < headerLength || length > maxPacketLength)
    throw new RadiusDecodeError('radius.bad_length', 'Length field outside 20–4096');
  // RFC 2865 §3: fewer octets than Length → silently discarded; octets beyond Length are padding and ignored.
  if (length > datagram.length)
    throw new RadiusDecodeError('radius.truncated', 'Length field says more than was received');
  const attributes: RadiusAttribute[] = [];
  let offset = headerLength;
  while (offset < length) {
    if (offset + 2 > length)
      throw new RadiusDecodeError('radius.bad_attribute', 'Attribute header runs past the packet');
    const type = datagram[offset];
    const attributeLength = datagram[offset + 1];
    if (attributeLength < 2)
      throw new RadiusDecodeError('radius.bad_attribute', `Attribute ${type} has length ${attributeLength}`);
    if (offset + attributeLength > length)
      throw new RadiusDecodeError('radius.bad_attribute', `Attribute ${type} runs past the packet`);
    // A copy, so a caller keeping an attribute does not pin (or see changes to) the whole receive buffer.
    const value = Buffer.from(datagram.subarray(offset + 2, offset + attributeLength));
    checkKnownValue(type, value);
    attributes.push({ type, value });
    offset += attributeLength;
  }
  return {
    code: datagram[0],
    identifier: datagram[1],
    authenticator: Buffer.from(datagram.subarray(4, 20)),
    attributes,
  };
}

/** Lays the packet out as given: the authenticator is written verbatim (see `sign*` in authenticator.ts). */
export function encodePacket(packet: RadiusPacket): Buffer {
  if (packet.authenticator.length !== 16)
    throw new RadiusEncodeError('radius.bad_value', 'Authenticator must be 16 octets');
  if (!Number.isInteger(packet.code) || packet.code < 0 || packet.code > 255)
    throw new RadiusEncodeError('radius.bad_value', 'Code must be one octet');
  if (!Number.isInteger(packet.identifier) || packet.identifier < 0 || packet.identifier > 255) {
    throw new RadiusEncodeError('radius.bad_value', 'Identifier must be one octet');
  }
  let length = headerLength;
  for (const attribute of packet.attributes) {
    if (attribute.value.length > maxValueLength)
      throw new RadiusEncodeError('radius.too_long', `Attribute ${attribute.type} is over 253 octets`);
    // RFC 2865 §5: attributes carry at least one octet of value (an empty one is not sent).
    if (attribute.value.length === 0)
      throw new RadiusEncodeError('radius.bad_value', `Attribute ${attribute.type} is empty`);
    length += 2 + attribute.value.length;
  }
  if (length > maxPacketLength)
    throw new RadiusEncodeError('radius.too_long', 'Packet would be longer than 4096 octets');
  const out = Buffer.alloc(length);
  out[0] = packet.code;
  out[1] = packet.identifier;
  out.writeUInt16BE(length, 2);
  packet.authenticator.copy(out, 4);
  let offset = headerLength;
  for (const attribute of packet.attributes) {
    out[offset] = attribute.type;
    out[offset + 1] = attribute.value.length + 2;
    attribute.value.copy(out, offset + 2);
    offset += attribute.value.length + 2;
  }
  return out;
}

/** Offset of the first Message-Authenticator's value in an encoded packet, or -1. */
export function messageAuthenticatorOffset(encoded: Buffer): number {
  let offset = headerLength;
  const length = encoded.readUInt16BE(2);
  while (offset + 2 <= length) {
    if (encoded[offset] === AttributeCode.MessageAuthenticator) return offset + 2;
    if (encoded[offset + 1] < 2) return -1;
    offset += encoded[offset + 1];
  }
  return -1;
}
