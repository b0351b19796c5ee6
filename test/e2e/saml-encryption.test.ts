// Encrypted assertions: an app whose metadata publishes an encryption certificate and whose settings ask for it
// gets its assertion encrypted to that certificate (AES-256-GCM or -CBC content, RSA-OAEP key transport), which
// node-saml decrypts with the app's private key (decryptionPvk) and xmlsec1 decrypts on its own; the signature
// inside still verifies. An app without an encryption certificate is refused the switch, from the CLI too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, type RunningTessera } from '../support/tessera.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
import {
  acsUrl,
  idpCertificates,
  openAt,
  postedResponse,
  registerNodeSamlSp,
  spSigningKey,
  submit,
  xmlsecVerify,
} from '../support/saml.ts';

const password = 'employee passphrase';

/** xmlsec1 decrypts the first EncryptedData of the message with the app's private key: the document it gives. */
function xmlsecDecrypt(xml: string, privateKeyPem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-xmlsec-'));
  try {
    writeFileSync(join(dir, 'message.xml'), xml);
    writeFileSync(join(dir, 'key.pem'), privateKeyPem);
    return execFileSync('xmlsec1', ['--decrypt', '--privkey-pem', join(dir, 'key.pem'), join(dir, 'message.xml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString('utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const dialect of await testDialects()) {
  describe(`SAML encrypted assertions on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect);
    });
    after(async () => {
      await tessera?.stop();
    });

    async function signInTo(sp: Awaited<ReturnType<typeof registerNodeSamlSp>>['sp'], email: string) {
      await tessera.accounts.createByOperator({ email, password });
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await sp.getAuthorizeUrlAsync('', undefined, {}));
      const done = await submit(agent, tessera, signIn, 'login', { email, password });
      return postedResponse(done.page);
    }

    for (const cipher of ['aes256-gcm', 'aes256-cbc'] as const) {
      it(`encrypts the assertion with ${cipher}: node-saml and xmlsec1 decrypt it, the signature inside holds`, async () => {
        const app = spSigningKey(`encrypting app ${cipher}`);
        const other = spSigningKey('someone else');
        const entityId = `https://crm-${cipher}-${dialect}.example.com/sp`;
        const { sp, certificates } = await registerNodeSamlSp(tessera, entityId, {
          config: { decryptionPvk: app.privateKey },
          decryptionCert: app.certificate,
          settings: { nameIdFormat: 'email', encrypt: cipher, signResponse: true },
        });
        const email = `enc-${cipher}-${dialect}@example.com`;
        const posted = await signInTo(sp, email);
        const xml = Buffer.from(posted.SAMLResponse, 'base64').toString('utf8');
        assert.doesNotMatch(xml, new RegExp(email.replace('.', '\\.')), 'nothing about the person in clear');
        assert.doesNotMatch(xml, /<saml:Assertion/);
        assert.match(xml, /<saml:EncryptedAssertion/);
        assert.match(xml, cipher === 'aes256-gcm' ? /xmlenc11#aes256-gcm/ : /xmlenc#aes256-cbc/);
        assert.match(xml, /xmlenc#rsa-oaep-mgf1p/);
        xmlsecVerify(xml, certificates[0]!, 'Response');
        const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
        assert.equal(profile?.nameID, email);
        const decrypted = xmlsecDecrypt(xml, app.privateKey);
        assert.match(decrypted, /<saml:Assertion /);
        assert.match(decrypted, new RegExp(`NameID[^>]*>${email.replace('.', '\\.')}<`));
        xmlsecVerify(decrypted, certificates[0]!, 'Assertion');
        assert.throws(() => xmlsecDecrypt(xml, other.privateKey), 'another key cannot read it');
      });
    }

    it('an app added without the switch gets a signed assertion in clear, though it publishes a certificate', async () => {
      const app = spSigningKey('clear app');
      const { sp } = await registerNodeSamlSp(tessera, `https://clear-${dialect}.example.com/sp`, {
        config: { decryptionPvk: app.privateKey },
        decryptionCert: app.certificate,
      });
      const posted = await signInTo(sp, `clear-${dialect}@example.com`);
      const xml = Buffer.from(posted.SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /<saml:Assertion /);
      assert.doesNotMatch(xml, /EncryptedAssertion/);
      await sp.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
    });

    it('refuses the switch to an app whose metadata has no encryption certificate, with a clear error', async () => {
      const entityId = `https://no-cert-${dialect}.example.com/sp`;
      await assert.rejects(
        registerNodeSamlSp(tessera, entityId, { settings: { encrypt: 'aes256-gcm' } }),
        /no encryption certificate/,
      );
      const dir = mkdtempSync(join(tmpdir(), 'tessera-saml-enc-'));
      try {
        const { metadata } = await (async () => {
          // The same metadata as a file, through `tessera saml sp add --encrypt`.
          const { SAML } = await import('@node-saml/node-saml');
          const sp = new SAML({
            callbackUrl: acsUrl,
            issuer: entityId,
            idpCert: await idpCertificates(tessera),
            entryPoint: `${tessera.url}/saml/sso`,
          });
          return { metadata: sp.generateServiceProviderMetadata(null, null) };
        })();
        writeFileSync(join(dir, 'sp.xml'), metadata);
        const env = { ...operatorEnvironment(tessera), TESSERA_ISSUER: tessera.url };
        const run = await runCli(['saml', 'sp', 'add', '--metadata', join(dir, 'sp.xml'), '--encrypt'], env);
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, /no encryption certificate/);
        assert.match(run.stderr, /use="encryption"/);
        const listed = await runCli(['saml', 'sp', 'list'], env);
        assert.doesNotMatch(listed.stdout, /no-cert/, 'nothing was added');
        const des = await runCli(['saml', 'sp', 'add', '--metadata', join(dir, 'sp.xml'), '--encrypt', 'des'], env);
        assert.notEqual(des.code, 0, 'an unknown cipher is refused');
        // With an encryption certificate in the metadata, the switch is taken: GCM unless CBC is asked for.
        for (const [args, cipher] of [
          [['--encrypt'], 'aes256-gcm'],
          [['--encrypt', 'aes256-cbc'], 'aes256-cbc'],
        ] as const) {
          const { SAML } = await import('@node-saml/node-saml');
          const key = spSigningKey(`cli ${cipher}`);
          const withCert = new SAML({
            callbackUrl: acsUrl,
            issuer: `https://cli-${cipher}-${dialect}.example.com/sp`,
            idpCert: await idpCertificates(tessera),
            entryPoint: `${tessera.url}/saml/sso`,
            decryptionPvk: key.privateKey,
          }).generateServiceProviderMetadata(key.certificate, null);
          writeFileSync(join(dir, `${cipher}.xml`), withCert);
          const added = await runCli(['saml', 'sp', 'add', '--metadata', join(dir, `${cipher}.xml`), ...args], env);
          assert.equal(added.code, 0, added.stderr);
          assert.equal(JSON.parse(added.stdout).settings.encrypt, cipher);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
