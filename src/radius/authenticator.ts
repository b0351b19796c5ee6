// The MD5/HMAC-MD5 parts of RADIUS: User-Password hiding (RFC 2865 §5.2), Response Authenticator
// (RFC 2865 §3), Accounting-Request Authenticator (RFC 2866 §3) and Message-Authenticator (RFC 3579 §3.2).
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AttributeCode, PacketCode } from './dictionary.ts';
import { RadiusDecodeError, RadiusEncodeError } from './errors.ts';
import { encodePacket, messageAuthenticatorOffset, type RadiusAttribute, type RadiusPacket } from './packet.ts';

/** RFC 2865 §5.2: the hidden password is a multiple of 16 octets, at most 128. */
export const maxPasswordLength = 128;
const zeros16 = Buffer.alloc(16);

function md5(...parts: Buffer[]): Buffer {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** RFC 2865 §5.2: c(1) = p(1) xor MD5(S + RA), c(i) = p(i) xor MD5(S + c(i-1)). */
export function hidePassword(password: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  if (password.length === 0 || password.length > maxPasswordLength) {
    throw new RadiusEncodeError('radius.bad_value', 'User-Password must be 1–128 octets');
  }
  const padded = Buffer.alloc(Math.ceil(password.length / 16) * 16);
  password.copy(padded);
  const out = Buffer.alloc(padded.length);
  let previous = requestAuthenticator;
  for (let block = 0; block < padded.length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[block + i] = padded[block + i] ^ key[i];
    previous = out.subarray(block, block + 16);
  }
  return out;
}

/** The inverse of `hidePassword`; trailing NUL padding is removed. A wrong secret yields other octets, not an error. */
export function unhidePassword(hidden: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  if (hidden.length === 0 || hidden.length % 16 !== 0 || hidden.length > maxPasswordLength) {
    throw new RadiusDecodeError('radius.bad_password', 'Hidden User-Password must be 16–128 octets in 16-octet blocks');
  }
  const out = Buffer.alloc(hidden.length);
  let previous = requestAuthenticator;
  for (let block = 0; block < hidden.length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[block + i] = hidden[block + i] ^ key[i];
    previous = hidden.subarray(block, block + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/**
 * The octets the Message-Authenticator HMAC covers (RFC 3579 §3.2): the packet with the attribute's value
 * zeroed and the Authenticator field set to `vector` — the Request Authenticator for Access-Request and
 * Status-Server and for their replies; 16 zero octets for Accounting-Request and Accounting-Response
 * (RFC 5176 §3.1 style, as FreeRADIUS computes it).
 */
export function messageAuthenticator(encoded: Buffer, secret: Buffer, vector: Buffer): Buffer {
  const copy = Buffer.from(encoded.subarray(0, encoded.readUInt16BE(2)));
  vector.copy(copy, 4);
  const at = messageAuthenticatorOffset(copy);
  if (at >= 0) copy.fill(0, at, at + 16);
  return createHmac('md5', hmacKey(secret)).update(copy).digest();
}

// Node checks a Buffer key anew on every createHmac, which costs more than the HMAC of a small packet; a client's
// secret Buffer lives as long as its table entry, so its KeyObject is made once.
const hmacKeys = new WeakMap<Buffer, KeyObject>();
function hmacKey(secret: Buffer): KeyObject {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = createSecretKey(secret);
    hmacKeys.set(secret, key);
  }
  return key;
}

function vectorFor(code: number, requestAuthenticator: Buffer): Buffer {
  return code === PacketCode.AccountingRequest || code === PacketCode.AccountingResponse
    ? zeros16
    : requestAuthenticator;
}

/**
 * Checks a received packet's Message-Authenticator. `requestAuthenticator` is the packet's own for requests
 * and the original request's for replies. False when absent, repeated or wrong (RFC 3579 §3.2).
 */
export function verifyMessageAuthenticator(
  encoded: Buffer,
  packet: RadiusPacket,
  secret: Buffer,
  requestAuthenticator = packet.authenticator,
): boolean {
  const found = packet.attributes.filter((a) => a.type === AttributeCode.MessageAuthenticator);
  if (found.length !== 1) return false;
  const expected = messageAuthenticator(encoded, secret, vectorFor(packet.code, requestAuthenticator));
  return timingSafeEqual(expected, found[0].value);
}

/** RFC 2866 §3: Request Authenticator = MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret). */
export function verifyAccountingRequest(encoded: Buffer, secret: Buffer): boolean {
  const copy = Buffer.from(encoded.subarray(0, encoded.readUInt16BE(2)));
  const claimed = Buffer.from(copy.subarray(4, 20));
  zeros16.copy(copy, 4);
  return timingSafeEqual(md5(copy, secret), claimed);
}

/** RFC 2865 §3: Response Authenticator = MD5(Code + ID + Length + Request Authenticator + Attributes + Secret). */
export function verifyResponse(encoded: Buffer, requestAuthenticator: Buffer, secret: Buffer): boolean {
  const copy = Buffer.from(encoded.subarray(0, encoded.readUInt16BE(2)));
  const claimed = Buffer.from(copy.subarray(4, 20));
  requestAuthenticator.copy(copy, 4);
  return timingSafeEqual(md5(copy, secret), claimed);
}

const placeholder: RadiusAttribute = { type: AttributeCode.MessageAuthenticator, value: zeros16 };

/**
 * Encodes a reply to `request`: Message-Authenticator FIRST (BlastRADIUS, CVE-2024-3596; checklist T40),
 * computed before the Response Authenticator, which then covers it. Any Message-Authenticator in
 * `attributes` is dropped: only this function may place one.
 */
export function encodeResponse(
  code: number,
  request: RadiusPacket,
  attributes: readonly RadiusAttribute[],
  secret: Buffer,
): Buffer {
  const rest = attributes.filter((a) => a.type !== AttributeCode.MessageAuthenticator);
  // An Accounting-Response to an Accounting-Request goes without Message-Authenticator: no RFC says over which
  // vector to sign it and peers disagree (FreeRADIUS: zeros, radsecproxy: the request's), while its Response
  // Authenticator already proves it. Every other reply carries it first (BlastRADIUS, checklist T40).
  if (code === PacketCode.AccountingResponse && request.code === PacketCode.AccountingRequest) {
    const encoded = encodePacket({
      code,
      identifier: request.identifier,
      authenticator: request.authenticator,
      attributes: rest,
    });
    md5(encoded, secret).copy(encoded, 4);
    return encoded;
  }
  const encoded = encodePacket({
    code,
    identifier: request.identifier,
    authenticator: request.authenticator,
    attributes: [placeholder, ...rest],
  });
  // A reply is signed over the request's authenticator (RFC 3579 §3.2; RFC 5997 §3 for Status-Server).
  messageAuthenticator(encoded, secret, request.authenticator).copy(encoded, 22);
  // The Authenticator field still holds the Request Authenticator, exactly what RFC 2865 §3 hashes.
  md5(encoded, secret).copy(encoded, 4);
  return encoded;
}

/**
 * Encodes a request as a NAS would (used by tests and tools): Message-Authenticator first when asked,
 * and for Accounting-Request the RFC 2866 Request Authenticator computed over the whole packet.
 */
export function encodeRequest(
  packet: { code: number; identifier: number; authenticator: Buffer; attributes: readonly RadiusAttribute[] },
  secret: Buffer,
  options: { messageAuthenticator: boolean },
): Buffer {
  const rest = packet.attributes.filter((a) => a.type !== AttributeCode.MessageAuthenticator);
  const attributes = options.messageAuthenticator ? [placeholder, ...rest] : rest;
  const accounting = packet.code === PacketCode.AccountingRequest;
  const encoded = encodePacket({ ...packet, authenticator: accounting ? zeros16 : packet.authenticator, attributes });
  if (options.messageAuthenticator)
    messageAuthenticator(encoded, secret, vectorFor(packet.code, packet.authenticator)).copy(encoded, 22);
  if (accounting) md5(encoded, secret).copy(encoded, 4);
  return encoded;
}
