// RadSec (RADIUS over TLS, RFC 6614) for a gateway at another site: radclient is the NAS, radsecproxy (Debian) carries
// its packets over TLS with a client certificate to Tessera. Checklist T43: a certificate Tessera does not trust
// never gets an answer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:tls';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';
import { createTestCa, type TestCertificate } from '../support/certificates.ts';
import { startRadsecproxy, type Radsecproxy } from '../support/radsecproxy.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { encodeRequest, PacketCode, AttributeCode } from '../../src/radius/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'radsec-test-'));
const trusted = createTestCa(dir, 'trusted');
const untrusted = createTestCa(dir, 'untrusted');
const serverCertificate = trusted.issue('localhost', 'DNS:localhost,IP:127.0.0.1');
const siteB = trusted.issue('site-b.example.org', 'DNS:site-b.example.org');
const intruder = trusted.issue('intruder.example.org', 'DNS:intruder.example.org');
const forged = untrusted.issue('site-b.example.org', 'DNS:site-b.example.org');

/** Sends one Status-Server over a direct TLS connection with `certificate`; resolves with the reply or null. */
function statusOverTls(port: number, certificate?: TestCertificate): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(trusted.caFile),
      servername: 'localhost',
      ...(certificate && { cert: readFileSync(certificate.certFile), key: readFileSync(certificate.keyFile) }),
    });
    let answered: Buffer | null = null;
    socket.on('secureConnect', () => {
      socket.write(
        encodeRequest(
          {
            code: PacketCode.StatusServer,
            identifier: 7,
            authenticator: randomBytes(16),
            attributes: [{ type: AttributeCode.MessageAuthenticator, value: Buffer.alloc(16) }],
          },
          Buffer.from('radsec'),
          { messageAuthenticator: true },
        ),
      );
    });
    socket.on('data', (data) => {
      answered = data;
      socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => resolve(answered));
    socket.setTimeout(3000, () => socket.destroy());
  });
}

after(() => rmSync(dir, { recursive: true, force: true }));

for (const dialect of await testDialects()) {
  describe(`RadSec from another site through radsecproxy on ${dialect}`, () => {
    let tessera: RunningTessera;
    let radsecPort: number;
    let proxy: Radsecproxy;
    before(async () => {
      tessera = await startTessera(dialect, {
        radius: {
          port: 0,
          radsec: {
            port: 0,
            certFile: serverCertificate.certFile,
            keyFile: serverCertificate.keyFile,
            caFile: trusted.caFile,
            clients: [{ name: 'site-b', address: '127.0.0.1', certificateName: 'site-b.example.org' }],
          },
        },
      });
      radsecPort = tessera.radiusAddress()!.radsecPort!;
      await tessera.policies.save(
        { appId: 'radius:site-b', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      proxy = await startRadsecproxy({ serverPort: radsecPort, caFile: trusted.caFile, ...siteB });
    });
    after(async () => {
      await proxy?.close();
      await tessera?.stop();
    });

    it('logs a VPN user in over TLS: password, "second password" challenge, code; and records the session', async () => {
      const email = `radsec-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({
        email,
        password: 'site b passphrase',
        workforce: true,
      });
      const key = await enrolMobileToken(tessera, account.id, email);
      const send = (attributes: string[]) =>
        radclient({
          port: proxy.udpPort,
          secret: proxy.nasSecret,
          command: 'auth',
          timeoutSeconds: 3,
          attributes: [`User-Name = "${email}"`, 'Message-Authenticator = 0x00', ...attributes],
        });

      const challenge = await send(['User-Password = "site b passphrase"']);
      assert.equal(challenge.code, 'Access-Challenge', proxy.log());
      assert.match(challenge.attributes.find((a) => a.name === 'Reply-Message')!.value, /second password/);
      const state = challenge.attributes.find((a) => a.name === 'State')!.value;
      const accepted = await send([`User-Password = "${oathtool(key)}"`, `State = ${state}`]);
      assert.equal(accepted.code, 'Access-Accept');
      const audit = await tessera.store.db
        .selectFrom('audit_events')
        .select(['details'])
        .where('action', '=', 'radius.accept')
        .execute();
      assert.ok(
        audit.some((a) => String(a.details).includes('site-b')),
        'the accept names the RadSec client',
      );

      const acct = await radclient({
        port: proxy.udpPort,
        secret: proxy.nasSecret,
        command: 'acct',
        timeoutSeconds: 3,
        attributes: [`User-Name = "${email}"`, 'Acct-Session-Id = "radsec-1"', 'Acct-Status-Type = Start'],
      });
      assert.equal(acct.code, 'Accounting-Response', proxy.log());
      assert.equal((await tessera.vpnSessions.list({ userName: email }))[0].client, 'site-b');
    });

    it('answers a trusted certificate, and never a certificate from another CA, with another name, or none (T43)', async () => {
      assert.ok(await statusOverTls(radsecPort, siteB), 'the trusted client is answered');
      assert.equal(await statusOverTls(radsecPort, forged), null, 'same name, untrusted CA');
      assert.equal(
        await statusOverTls(radsecPort, intruder),
        null,
        'trusted CA, but not the configured certificate name',
      );
      assert.equal(await statusOverTls(radsecPort), null, 'no client certificate');

      const intruderProxy = await startRadsecproxy({ serverPort: radsecPort, caFile: trusted.caFile, ...forged });
      try {
        const r = await radclient({
          port: intruderProxy.udpPort,
          secret: intruderProxy.nasSecret,
          command: 'auth',
          attributes: ['User-Name = "anyone"', 'User-Password = "guess"', 'Message-Authenticator = 0x00'],
        });
        assert.equal(r.code, null, 'a proxy with an untrusted certificate gets no answer');
      } finally {
        await intruderProxy.close();
      }
    });

    it('closes a stream whose length field lies, and keeps serving others', async () => {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = connect({
          host: '127.0.0.1',
          port: radsecPort,
          ca: readFileSync(trusted.caFile),
          servername: 'localhost',
          cert: readFileSync(siteB.certFile),
          key: readFileSync(siteB.keyFile),
        });
        socket.on('secureConnect', () => socket.write(Buffer.from([1, 1, 0, 5, 0, 0, 0, 0])));
        socket.on('error', () => socket.destroy());
        socket.on('close', () => resolve(true));
        socket.setTimeout(3000, () => {
          socket.destroy();
          resolve(false);
        });
      });
      assert.ok(closed, 'the server closed the broken stream');
      assert.ok(await statusOverTls(radsecPort, siteB), 'the server still answers');
      assert.ok(tessera.metrics, 'metrics exist');
    });
  });
}

describe('RadSec configuration', () => {
  it('stops the start with the key named when a certificate file cannot be read', async () => {
    await assert.rejects(
      startTessera('sqlite', {
        radius: {
          port: 0,
          radsec: { certFile: join(dir, 'missing.pem'), keyFile: serverCertificate.keyFile, caFile: trusted.caFile },
        },
      }),
      /radius\.radsec\.certFile: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });
});
