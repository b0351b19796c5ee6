// Hardware tokens as vendors ship them: a PSKC file (RFC 6030), plain or protected by a password (PBKDF2) or by a key
// shared with the vendor (AES-CBC, a MAC over each value), HOTP and TOTP. Like a seed file it is read whole before
// anything is stored: any problem is named (by key package and serial, never a secret) and nothing is imported.
// The XML comes from outside: a DOCTYPE or entity is refused before parsing (XXE, billion laughs) and size is capped.
import { DOMParser } from '@xmldom/xmldom';
import { checkHardwareImport, OtpError, type HardwareImport, type OtpAlgorithm } from '../otp/index.ts';
import { checkMac, decrypt, derivePasswordKey, macDigest, PskcProblem } from './pskc-crypto.ts';
import type { SeedFile } from './seed-file.ts';

/** What opens a protected file: the password, or the key shared with the vendor. */
export interface PskcSecrets {
  password?: string;
  key?: Buffer;
}

/** A vendor's batch is a few thousand tokens of about 1 KiB each; far larger is not a token file. */
export const maxPskcBytes = 8 * 1024 * 1024;
const maxPackages = 100_000;
const pskcNs = 'urn:ietf:params:xml:ns:keyprov:pskc';
const pbkdf2 = 'http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2';
const kinds = /^urn:ietf:params:xml:ns:keyprov:pskc[:#](hotp|totp)$/i;
const suites: Array<[RegExp, OtpAlgorithm]> = [
  [/sha-?1$/i, 'SHA1'],
  [/sha-?256$/i, 'SHA256'],
  [/sha-?512$/i, 'SHA512'],
];

// Children by local name: vendors (and the RFC's own figure 7) leave some elements without a namespace.
const children = (parent: Element | undefined, name: string): Element[] =>
  parent
    ? Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name)
    : [];
const child = (parent: Element | undefined, name: string): Element | undefined => children(parent, name)[0];
const textOf = (el: Element | undefined) => el?.textContent?.trim() ?? '';
// xmldom answers '' for an attribute that is not there, where the DOM says null.
const attr = (el: Element | undefined, name: string): string | undefined =>
  el?.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;

function base64(el: Element | undefined, what: string): Buffer {
  const text = textOf(el).replace(/\s+/g, '');
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new PskcProblem(`${what} is not base64`);
  }
  return Buffer.from(text, 'base64');
}

function integer(el: Element | undefined, what: string): number | undefined {
  if (el === undefined) return undefined;
  const text = textOf(el);
  if (!/^\d{1,15}$/.test(text)) throw new PskcProblem(`${what} must be a whole number`);
  return Number(text);
}

function parse(text: string): Element {
  if (Buffer.byteLength(text) > maxPskcBytes) throw new PskcProblem(`the file is over ${maxPskcBytes} bytes`);
  // Nothing in PSKC needs a document type: one here is an attack (external entities, entity expansion).
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new PskcProblem('the file declares a DOCTYPE or ENTITY: refused');
  // xmldom only warns about some broken markup (a closing tag that closes nothing): a warning refuses the file too.
  let broken: string | undefined;
  const onError = (message: unknown) => {
    broken ??= /line:(\d+)/.exec(String(message))?.[1] ?? '?';
  };
  const doc = new DOMParser({
    errorHandler: { warning: onError, error: onError, fatalError: onError },
  }).parseFromString(text, 'text/xml');
  if (broken !== undefined) throw new PskcProblem(`the file is not well-formed XML (line ${broken})`);
  const root = doc?.documentElement;
  if (root?.localName !== 'KeyContainer' || root.namespaceURI !== pskcNs) {
    throw new PskcProblem('the file is not a PSKC KeyContainer (RFC 6030)');
  }
  if ((attr(root, 'Version') || '1.0') !== '1.0') throw new PskcProblem('only PSKC version 1.0 is read');
  return root;
}

/** The file's own encryption key, from the password or the shared key; undefined for a plain file. */
function fileKey(root: Element, secrets: PskcSecrets): Buffer | undefined {
  const encryptionKey = child(root, 'EncryptionKey');
  if (!encryptionKey) return undefined;
  const derived = child(encryptionKey, 'DerivedKey');
  if (derived) {
    const method = child(derived, 'KeyDerivationMethod');
    if (attr(method, 'Algorithm') !== pbkdf2) throw new PskcProblem('only PBKDF2 password keys are read');
    const params = child(method, 'PBKDF2-params');
    if (secrets.password === undefined) throw new PskcProblem('the file is protected with a password: give it');
    return derivePasswordKey(secrets.password, {
      salt: base64(child(child(params, 'Salt'), 'Specified'), 'the PBKDF2 salt'),
      iterations: integer(child(params, 'IterationCount'), 'the PBKDF2 iteration count') ?? 0,
      keyBytes: integer(child(params, 'KeyLength'), 'the PBKDF2 key length') ?? 16,
      prf: attr(child(params, 'PRF'), 'Algorithm') ?? '',
    });
  }
  if (isPublicKey(encryptionKey)) throw new PskcProblem('the file is encrypted to a public key: ask for PBKDF2 or AES');
  // A pre-shared key: named (ds:KeyName) or not named at all, as some tools write it.
  if (secrets.key === undefined) throw new PskcProblem('the file is protected with a pre-shared key: give it');
  return secrets.key;
}

const isPublicKey = (encryptionKey: Element) =>
  ['X509Data', 'EncryptedKey', 'KeyValue', 'RetrievalMethod'].some((name) => child(encryptionKey, name) !== undefined);

/** An xenc EncryptedDataType element (EncryptedValue, MACKey): its algorithm and IV + ciphertext. */
function encrypted(el: Element, what: string): { algorithm: string; value: Buffer } {
  const algorithm = attr(child(el, 'EncryptionMethod'), 'Algorithm') ?? '';
  return { algorithm, value: base64(child(child(el, 'CipherData'), 'CipherValue'), what) };
}

interface Opened {
  key: Buffer | undefined;
  mac: { digest: string; key: Buffer } | undefined;
}

function open(root: Element, secrets: PskcSecrets): Opened {
  const key = fileKey(root, secrets);
  const method = child(root, 'MACMethod');
  if (key === undefined) return { key, mac: undefined };
  // RFC 6030 §6.1.1: a value encrypted with CBC, which has no integrity of its own, MUST carry a MAC.
  if (!method) throw new PskcProblem('the file is encrypted without a MAC: refused (it could have been altered)');
  const digest = macDigest(attr(method, 'Algorithm') ?? '');
  const macKey = child(method, 'MACKey');
  if (!macKey) throw new PskcProblem('the MAC key is missing');
  const { algorithm, value } = encrypted(macKey, 'the MAC key');
  return { key, mac: { digest, key: decrypt(algorithm, key, value) } };
}

/** A Secret or Counter: its PlainValue, or its EncryptedValue decrypted once its ValueMAC matches. */
function openValue(el: Element | undefined, opened: Opened, what: string): Buffer | undefined {
  if (!el) return undefined;
  const plain = child(el, 'PlainValue');
  if (plain) {
    if (opened.key) throw new PskcProblem(`the ${what} is not encrypted in an encrypted file`);
    return base64(plain, `the ${what}`);
  }
  const encryptedValue = child(el, 'EncryptedValue');
  if (!encryptedValue) throw new PskcProblem(`the ${what} has no value`);
  if (!opened.key || !opened.mac) throw new PskcProblem(`the ${what} is encrypted, the file names no key`);
  const { algorithm, value } = encrypted(encryptedValue, `the ${what}`);
  const mac = child(el, 'ValueMAC');
  if (!mac) throw new PskcProblem(`the ${what} has no MAC`);
  checkMac(opened.mac.digest, opened.mac.key, value, base64(mac, `the ${what}'s MAC`));
  return decrypt(algorithm, opened.key, value);
}

/** A Counter, TimeInterval or Time: a number in plain text, or encrypted as an 8-byte big-endian integer. */
function numberOf(el: Element | undefined, opened: Opened, what: string): number | undefined {
  if (!el) return undefined;
  const plain = child(el, 'PlainValue');
  if (plain) return integer(plain, `the ${what}`);
  const bytes = openValue(el, opened, what);
  if (bytes?.length !== 8) throw new PskcProblem(`the ${what} must be an 8-byte integer`);
  const value = bytes.readBigUInt64BE();
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new PskcProblem(`the ${what} is too large`);
  return Number(value);
}

/** The serial printed on the device; files without one (the RFC's figure 2) name the key by its Id. */
const serialOf = (pkg: Element) =>
  textOf(child(child(pkg, 'DeviceInfo'), 'SerialNo')) || (attr(child(pkg, 'Key'), 'Id') ?? '');

function readPackage(pkg: Element, opened: Opened): HardwareImport {
  const key = child(pkg, 'Key');
  if (!key) throw new PskcProblem('no Key in it');
  const kind = kinds.exec(attr(key, 'Algorithm') ?? '')?.[1]?.toLowerCase();
  if (!kind) throw new PskcProblem(`${attr(key, 'Algorithm') || 'its algorithm'} is neither HOTP nor TOTP`);
  const params = child(key, 'AlgorithmParameters');
  const format = child(params, 'ResponseFormat');
  if ((attr(format, 'Encoding') ?? 'DECIMAL') !== 'DECIMAL') throw new PskcProblem('its codes are not digits');
  const digits = Number(attr(format, 'Length') ?? '6');
  const suite = textOf(child(params, 'Suite'));
  const algorithm = suite === '' ? 'SHA1' : suites.find(([pattern]) => pattern.test(suite))?.[1];
  if (!algorithm) throw new PskcProblem(`its hash ${suite} is not SHA-1, SHA-256 or SHA-512`);
  const data = child(key, 'Data');
  const secret = openValue(child(data, 'Secret'), opened, 'secret');
  if (!secret) throw new PskcProblem('it carries no secret');
  // RFC 6238 §4.1: codes count time steps from T0; a token that counts from another epoch would never match.
  if ((numberOf(child(data, 'Time'), opened, 'start time') ?? 0) !== 0) throw new PskcProblem('its T0 is not 0');
  const period = numberOf(child(data, 'TimeInterval'), opened, 'time interval') ?? 30;
  return {
    serial: serialOf(pkg),
    secret,
    algorithm,
    digits: digits as 6 | 8,
    periodSeconds: kind === 'hotp' ? null : period,
    counter: kind === 'hotp' ? (numberOf(child(data, 'Counter'), opened, 'counter') ?? 0) : undefined,
  };
}

const badSerial = 'the serial must be 1–64 letters, digits or . _ : -';

/** The tokens of a PSKC file, or the problems that keep all of it out. */
export function readPskcFile(text: string, secrets: PskcSecrets): SeedFile {
  let root: Element;
  let opened: Opened;
  try {
    root = parse(text);
    opened = open(root, secrets);
  } catch (err) {
    if (err instanceof PskcProblem) return { tokens: [], problems: [err.message] };
    throw err;
  }
  const packages = children(root, 'KeyPackage');
  if (packages.length === 0) return { tokens: [], problems: ['the file holds no KeyPackage'] };
  if (packages.length > maxPackages) return { tokens: [], problems: [`more than ${maxPackages} key packages`] };
  const tokens: HardwareImport[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  packages.forEach((pkg, index) => {
    const serialText = serialOf(pkg);
    const where = `key package ${index + 1}${serialText ? ` (serial ${serialText})` : ''}`;
    try {
      const token = readPackage(pkg, opened);
      const { serial } = checkHardwareImport(token);
      if (seen.has(serial)) throw new PskcProblem(`serial ${serial} appears twice in the file`);
      seen.add(serial);
      tokens.push({ ...token, serial });
    } catch (err) {
      if (err instanceof OtpError) problems.push(`${where}: ${badSerial}`);
      else if (err instanceof PskcProblem || err instanceof RangeError) problems.push(`${where}: ${err.message}`);
      else throw err;
    }
  });
  return { tokens, problems };
}

/** What a file needs to be opened, read without opening it: for asking the operator before the import. */
export function pskcNeeds(text: string): 'nothing' | 'password' | 'key' | 'unreadable' {
  try {
    const encryptionKey = child(parse(text), 'EncryptionKey');
    if (!encryptionKey) return 'nothing';
    if (child(encryptionKey, 'DerivedKey')) return 'password';
    return isPublicKey(encryptionKey) ? 'unreadable' : 'key';
  } catch (err) {
    if (err instanceof PskcProblem) return 'unreadable';
    throw err;
  }
}
