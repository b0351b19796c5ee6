// Typed attribute values over the raw codec: build attributes by dictionary name, read them back as
// strings, numbers, addresses or octets, and take Vendor-Specific attributes apart (RFC 2865 §5.26).
import { isIPv4 } from 'node:net';
import { attributeByCode, attributeByName, AttributeCode } from './dictionary.ts';
import { RadiusDecodeError, RadiusEncodeError } from './errors.ts';
import { maxValueLength, type RadiusAttribute, type RadiusPacket } from './packet.ts';

/** text → string, address → dotted IPv4 string, integer → number, string/octets/unknown → Buffer. */
export type AttributeValue = string | number | Buffer;

export interface VendorAttribute {
  readonly vendorId: number;
  readonly type: number;
  readonly value: Buffer;
}

export function encodeValue(name: string, value: AttributeValue): RadiusAttribute {
  const definition = attributeByName(name);
  if (definition === undefined) throw new RadiusEncodeError('radius.unknown_attribute', `Unknown attribute ${name}`);
  const bad = (why: string) => new RadiusEncodeError('radius.bad_value', `${definition.name}: ${why}`);
  let bytes: Buffer;
  switch (definition.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff)
        throw bad('needs an unsigned 32-bit integer');
      bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(value);
      break;
    case 'address':
      if (typeof value !== 'string' || !isIPv4(value)) throw bad('needs an IPv4 address');
      bytes = Buffer.from(value.split('.').map(Number));
      break;
    case 'text':
      if (typeof value !== 'string') throw bad('needs a string');
      bytes = Buffer.from(value, 'utf8');
      break;
    default:
      bytes =
        typeof value === 'string'
          ? Buffer.from(value, 'utf8')
          : Buffer.isBuffer(value)
            ? value
            : (() => {
                throw bad('needs octets');
              })();
  }
  if (bytes.length === 0) throw bad('is empty');
  if (bytes.length > maxValueLength)
    throw new RadiusEncodeError('radius.too_long', `${definition.name} is over 253 octets`);
  if (definition.fixedLength !== undefined && bytes.length !== definition.fixedLength)
    throw bad(`must be ${definition.fixedLength} octets`);
  return { type: definition.code, value: bytes };
}

/** Reads a value by its dictionary type; unknown attributes come back as octets. */
export function decodeValue(attribute: RadiusAttribute): AttributeValue {
  const definition = attributeByCode(attribute.type);
  switch (definition?.type) {
    case 'integer':
      return attribute.value.readUInt32BE(0);
    case 'address':
      return [...attribute.value].join('.');
    case 'text':
      return attribute.value.toString('utf8');
    default:
      return attribute.value;
  }
}

export function getAttributes(packet: RadiusPacket, name: string): AttributeValue[] {
  const definition = attributeByName(name);
  if (definition === undefined) throw new RadiusEncodeError('radius.unknown_attribute', `Unknown attribute ${name}`);
  return packet.attributes.filter((a) => a.type === definition.code).map(decodeValue);
}

export function getAttribute(packet: RadiusPacket, name: string): AttributeValue | undefined {
  return getAttributes(packet, name)[0];
}

/** RFC 2865 §5.26 recommended layout: Vendor-Id, then sub-attributes of (vendor type, length, value). */
export function encodeVendorSpecific(
  vendorId: number,
  attributes: ReadonlyArray<{ type: number; value: Buffer }>,
): RadiusAttribute {
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffff)
    throw new RadiusEncodeError('radius.bad_value', 'Vendor-Id must fit 24 bits');
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt32BE(vendorId);
  for (const sub of attributes) {
    if (sub.type < 0 || sub.type > 255 || !Number.isInteger(sub.type))
      throw new RadiusEncodeError('radius.bad_value', 'Vendor type must be one octet');
    if (sub.value.length === 0) throw new RadiusEncodeError('radius.bad_value', 'Vendor attribute is empty');
    parts.push(Buffer.from([sub.type, sub.value.length + 2]), sub.value);
  }
  const value = Buffer.concat(parts);
  if (value.length > maxValueLength)
    throw new RadiusEncodeError('radius.too_long', 'Vendor-Specific is over 253 octets');
  if (attributes.length === 0)
    throw new RadiusEncodeError('radius.bad_value', 'Vendor-Specific needs at least one attribute');
  return { type: AttributeCode.VendorSpecific, value };
}

/** Splits a Vendor-Specific value laid out as RFC 2865 §5.26 recommends; other layouts are a typed error. */
export function decodeVendorSpecific(attribute: RadiusAttribute): VendorAttribute[] {
  const value = attribute.value;
  if (attribute.type !== AttributeCode.VendorSpecific || value.length < 5) {
    throw new RadiusDecodeError('radius.bad_attribute', 'Not a Vendor-Specific attribute');
  }
  const vendorId = value.readUInt32BE(0);
  const out: VendorAttribute[] = [];
  let offset = 4;
  while (offset < value.length) {
    if (offset + 2 > value.length)
      throw new RadiusDecodeError('radius.bad_attribute', 'Vendor attribute header runs past the value');
    const length = value[offset + 1];
    if (length < 3 || offset + length > value.length)
      throw new RadiusDecodeError('radius.bad_attribute', 'Vendor attribute length is wrong');
    out.push({ vendorId, type: value[offset], value: Buffer.from(value.subarray(offset + 2, offset + length)) });
    offset += length;
  }
  return out;
}
