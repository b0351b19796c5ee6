// The self-signed certificates of the IdP's keys: well formed every time (the serial is random, so many are made),
// and read by OpenSSL as Node.js reads them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { selfSignedCertificate } from './certificate.ts';

describe('the IdP certificate', () => {
  it('is a valid self-signed X.509 certificate for the key, whatever its random serial', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    for (let i = 0; i < 2000; i++) {
      const pem = selfSignedCertificate(privateKey, publicKey, 'idp.example.com', new Date(), 3650);
      const certificate = new X509Certificate(pem);
      assert.equal(certificate.verify(publicKey), true);
      assert.equal(certificate.subject, 'CN=idp.example.com');
      assert.ok(certificate.checkIssued(certificate));
    }
  });
});
