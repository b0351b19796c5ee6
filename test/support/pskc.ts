// PSKC files (RFC 6030) for the tests: the RFC's own examples, with the values it publishes, and files written by a
// different implementation, python-pskc (Debian package python3-pskc), so that Tessera's reader is not checked only
// against what its own author believes the format to be.
import { execFileSync } from 'node:child_process';

const ns = 'xmlns="urn:ietf:params:xml:ns:keyprov:pskc"';
const xenc = 'http://www.w3.org/2001/04/xmlenc#';

/** RFC 6030 figure 2: the smallest container; its secret is "1234", too short for any real token. */
export const rfcFigure2 = `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" Id="exampleID1" ${ns}>
  <KeyPackage>
    <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>Issuer-A</Issuer>
      <Data><Secret><PlainValue>MTIzNA==</PlainValue></Secret></Data>
    </Key>
  </KeyPackage>
</KeyContainer>`;

/** RFC 6030 figure 3: with device data; secret "12345678901234567890", 8 digits, counter 0, serial 987654321. */
export const rfcFigure3 = `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" Id="exampleID1" ${ns}>
  <KeyPackage>
    <DeviceInfo>
      <Manufacturer>Manufacturer</Manufacturer>
      <SerialNo>987654321</SerialNo>
      <UserId>DC=example-bank,DC=net</UserId>
    </DeviceInfo>
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
    <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>Issuer</Issuer>
      <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <Counter><PlainValue>0</PlainValue></Counter>
      </Data>
      <UserId>UID=jsmith,DC=example-bank,DC=net</UserId>
    </Key>
  </KeyPackage>
</KeyContainer>`;

/**
 * RFC 6030 figure 6: AES-128-CBC with the pre-shared key 12345678901234567890123456789012 (hex), the MAC key
 * encrypted with it, HMAC-SHA1 over the encrypted secret.
 */
export const rfcFigure6 = `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" ${ns}
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="${xenc}">
  <EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></EncryptionKey>
  <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <MACKey>
      <xenc:EncryptionMethod Algorithm="${xenc}aes128-cbc"/>
      <xenc:CipherData><xenc:CipherValue>
        ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX
      </xenc:CipherValue></xenc:CipherData>
    </MACKey>
  </MACMethod>
  <KeyPackage>
    <DeviceInfo><Manufacturer>Manufacturer</Manufacturer><SerialNo>987654321</SerialNo></DeviceInfo>
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
    <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>Issuer</Issuer>
      <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret>
          <EncryptedValue>
            <xenc:EncryptionMethod Algorithm="${xenc}aes128-cbc"/>
            <xenc:CipherData><xenc:CipherValue>
              AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv
            </xenc:CipherValue></xenc:CipherData>
          </EncryptedValue>
          <ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=</ValueMAC>
        </Secret>
        <Counter><PlainValue>0</PlainValue></Counter>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>`;
export const rfcFigure6Key = Buffer.from('12345678901234567890123456789012', 'hex');

/** RFC 6030 figure 7: a key from the password "qwerty" (PBKDF2, 1000 iterations); its PBKDF2 parameters unqualified. */
export const rfcFigure7 = `<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"
    xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
    xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#"
    xmlns:xenc="${xenc}" Version="1.0">
  <pskc:EncryptionKey>
    <xenc11:DerivedKey>
      <xenc11:KeyDerivationMethod Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">
        <pkcs5:PBKDF2-params>
          <Salt><Specified>Ej7/PEpyEpw=</Specified></Salt>
          <IterationCount>1000</IterationCount>
          <KeyLength>16</KeyLength>
          <PRF/>
        </pkcs5:PBKDF2-params>
      </xenc11:KeyDerivationMethod>
      <xenc:ReferenceList><xenc:DataReference URI="#ED"/></xenc:ReferenceList>
      <xenc11:MasterKeyName>My Password 1</xenc11:MasterKeyName>
    </xenc11:DerivedKey>
  </pskc:EncryptionKey>
  <pskc:MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <pskc:MACKey>
      <xenc:EncryptionMethod Algorithm="${xenc}aes128-cbc"/>
      <xenc:CipherData><xenc:CipherValue>
        2GTTnLwM3I4e5IO5FkufoOEiOhNj91fhKRQBtBJYluUDsPOLTfUvoU2dStyOwYZx
      </xenc:CipherValue></xenc:CipherData>
    </pskc:MACKey>
  </pskc:MACMethod>
  <pskc:KeyPackage>
    <pskc:DeviceInfo>
      <pskc:Manufacturer>TokenVendorAcme</pskc:Manufacturer>
      <pskc:SerialNo>987654321</pskc:SerialNo>
    </pskc:DeviceInfo>
    <pskc:CryptoModuleInfo><pskc:Id>CM_ID_001</pskc:Id></pskc:CryptoModuleInfo>
    <pskc:Key Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp" Id="123456">
      <pskc:Issuer>Example-Issuer</pskc:Issuer>
      <pskc:AlgorithmParameters><pskc:ResponseFormat Length="8" Encoding="DECIMAL"/></pskc:AlgorithmParameters>
      <pskc:Data>
        <pskc:Secret>
          <pskc:EncryptedValue Id="ED">
            <xenc:EncryptionMethod Algorithm="${xenc}aes128-cbc"/>
            <xenc:CipherData><xenc:CipherValue>
              oTvo+S22nsmS2Z/RtcoF8Hfh+jzMe0RkiafpoDpnoZTjPYZu6V+A4aEn032yCr4f
            </xenc:CipherValue></xenc:CipherData>
          </pskc:EncryptedValue>
          <pskc:ValueMAC>LP6xMvjtypbfT9PdkJhBZ+D6O4w=</pskc:ValueMAC>
        </pskc:Secret>
      </pskc:Data>
    </pskc:Key>
  </pskc:KeyPackage>
</pskc:KeyContainer>`;

export interface VendorToken {
  serial: string;
  secret: Buffer;
  kind: 'hotp' | 'totp';
  digits?: 6 | 8;
  period?: number;
  counter?: number;
  /** python-pskc's algorithm_suite, e.g. HMAC-SHA256. */
  suite?: string;
}

/** How python-pskc protects the file it writes. */
export type VendorProtection =
  | { kind: 'none' }
  | { kind: 'password'; password: string; iterations?: number; mac?: string }
  | { kind: 'key'; key: Buffer; algorithm?: string; mac?: string };

// The writer: a short Python program reading its orders as JSON on stdin, printing the file on stdout.
const writer = `
import json, sys
from pskc import PSKC
orders = json.load(sys.stdin)
pskc = PSKC()
for t in orders['tokens']:
    args = dict(serial=t['serial'], secret=bytes.fromhex(t['secret']), manufacturer='Vendor',
                algorithm='urn:ietf:params:xml:ns:keyprov:pskc:' + t['kind'], response_length=t.get('digits', 6))
    if t['kind'] == 'totp': args['time_interval'] = t.get('period', 30)
    else: args['counter'] = t.get('counter', 0)
    if t.get('suite'): args['algorithm_suite'] = t['suite']
    pskc.add_key(**args)
p = orders['protection']
if p['kind'] == 'password':
    pskc.encryption.setup_pbkdf2(p['password'], iterations=p.get('iterations', 1000))
elif p['kind'] == 'key':
    pskc.encryption.setup_preshared_key(key=bytes.fromhex(p['key']), algorithm=p.get('algorithm', 'aes128-cbc'))
if p.get('mac'):
    pskc.mac.setup(algorithm=p['mac'])
pskc.write(sys.stdout.buffer)
`;

/** A PSKC file as a token vendor's tooling (python-pskc) writes it. */
export function vendorPskc(tokens: VendorToken[], protection: VendorProtection = { kind: 'none' }): string {
  const orders = {
    tokens: tokens.map((t) => ({ ...t, secret: t.secret.toString('hex') })),
    protection: protection.kind === 'key' ? { ...protection, key: protection.key.toString('hex') } : protection,
  };
  // Debian's python3 with its python3-pskc, whatever other Python the PATH offers first.
  return execFileSync('/usr/bin/python3', ['-c', writer], { input: JSON.stringify(orders), encoding: 'utf8' });
}
