// The assertion encrypted to the app's own certificate (XML Encryption 1.1), for apps whose metadata publishes
// one (`use="encryption"`) and whose settings ask for it: a fresh AES-256 key per assertion, carried by RSA-OAEP
// (MGF1 and digest SHA-1, `rsa-oaep-mgf1p`, what node-saml's xml-encryption, Shibboleth, mellon and ADFS all
// read). The content cipher is AES-256-GCM by default, AES-256-CBC for apps that cannot read GCM. The assertion
// is signed first (its signature stays inside, for the app to check once it has decrypted it).
import { constants, createCipheriv, publicEncrypt, randomBytes, type KeyObject, X509Certificate } from 'node:crypto';
import { SamlError } from './errors.ts';

export const contentCiphers = {
  'aes256-gcm': { uri: 'http://www.w3.org/2009/xmlenc11#aes256-gcm', node: 'aes-256-gcm', ivBytes: 12 },
  'aes256-cbc': { uri: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc', node: 'aes-256-cbc', ivBytes: 16 },
} as const;
export type ContentCipher = keyof typeof contentCiphers;

const keyTransport = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
const sha1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

/** The RSA public key of a certificate from metadata (base64 DER, whitespace allowed); refused when not RSA. */
export function encryptionKeyOf(certificateBase64: string): KeyObject {
  let key: KeyObject;
  try {
    const der = Buffer.from(certificateBase64.replace(/\s+/g, ''), 'base64');
    key = new X509Certificate(der).publicKey;
  } catch (err) {
    throw new SamlError('saml.metadata_invalid', {
      message: `metadata: the encryption certificate cannot be read (${(err as Error).message})`,
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SamlError('saml.metadata_invalid', {
      message: `metadata: the encryption certificate's key is ${key.asymmetricKeyType}; RSA is needed for RSA-OAEP`,
    });
  }
  return key;
}

function contentCiphertext(cipher: ContentCipher, key: Buffer, plain: Buffer): Buffer {
  const c = contentCiphers[cipher];
  const iv = randomBytes(c.ivBytes);
  const engine = createCipheriv(c.node, key, iv);
  // XML Encryption §5.2: IV first; GCM's 128-bit tag last. CBC's PKCS#7 padding is a valid XML Encryption padding.
  const body = Buffer.concat([engine.update(plain), engine.final()]);
  const tag = cipher === 'aes256-gcm' ? (engine as unknown as { getAuthTag(): Buffer }).getAuthTag() : Buffer.alloc(0);
  return Buffer.concat([iv, body, tag]);
}

/** `<saml:EncryptedAssertion>` holding the signed assertion, readable only with the app's private key. */
export function encryptAssertion(assertionXml: string, publicKey: KeyObject, cipher: ContentCipher): string {
  const key = randomBytes(32);
  const encryptedKey = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    key,
  ).toString('base64');
  const data = contentCiphertext(cipher, key, Buffer.from(assertionXml, 'utf8')).toString('base64');
  return (
    '<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">' +
    '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" ' +
    'Type="http://www.w3.org/2001/04/xmlenc#Element">' +
    `<xenc:EncryptionMethod Algorithm="${contentCiphers[cipher].uri}"/>` +
    '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>' +
    `<xenc:EncryptionMethod Algorithm="${keyTransport}"><ds:DigestMethod Algorithm="${sha1}"/></xenc:EncryptionMethod>` +
    `<xenc:CipherData><xenc:CipherValue>${encryptedKey}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedKey></ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${data}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedData></saml:EncryptedAssertion>'
  );
}
