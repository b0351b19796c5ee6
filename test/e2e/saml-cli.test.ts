// The operator's SAML commands as another process on the server's database: an app added from its metadata file
// in one command (audited), its OTP policy by `policy set --app saml:<entity ID>`, listed, the keys rolled over
// (the published next key signs; the app that trusted the metadata keeps working), and removed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, type RunningTessera } from '../support/tessera.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
import { acsUrl, idpCertificates, openAt, postedResponse, submit, xmlsecVerify } from '../support/saml.ts';

const password = 'employee passphrase';

for (const dialect of await testDialects()) {
  describe(`tessera saml on ${dialect}`, () => {
    let tessera: RunningTessera;
    let env: Record<string, string | undefined>;
    let dir: string;
    const entityId = `https://owa-${dialect}.example.com/owa`;
    before(async () => {
      tessera = await startTessera(dialect);
      env = { ...operatorEnvironment(tessera), TESSERA_ISSUER: tessera.url };
      dir = mkdtempSync(join(tmpdir(), 'tessera-saml-cli-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await tessera?.stop();
    });

    const spFor = (certificates: string[]) =>
      new SAML({
        callbackUrl: acsUrl,
        entryPoint: `${tessera.url}/saml/sso`,
        issuer: entityId,
        audience: entityId,
        idpCert: certificates,
        wantAuthnResponseSigned: false,
        validateInResponseTo: ValidateInResponseTo.never,
      });

    it('adds an app from its metadata file, lists it, and sets its OTP policy by saml:<entity ID>', async () => {
      const metadata = spFor(await idpCertificates(tessera)).generateServiceProviderMetadata(null, null);
      writeFileSync(join(dir, 'owa.xml'), metadata);
      const added = await runCli(
        [
          ...['saml', 'sp', 'add', '--metadata', join(dir, 'owa.xml'), '--name', 'Outlook Web App'],
          ...['--name-id', 'email', '--release', 'mail'],
        ],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      const shown = JSON.parse(added.stdout);
      assert.equal(shown.entityId, entityId);
      assert.equal(shown.policyApp, `saml:${entityId}`);
      assert.deepEqual(shown.consumers, [acsUrl]);
      const row = (await tessera.audit.list({ action: 'saml.sp.add', limit: 1 }))[0];
      assert.equal(row?.actor, 'operator');
      assert.equal(row?.subject, entityId);

      const again = await runCli(['saml', 'sp', 'add', '--metadata', join(dir, 'owa.xml')], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /exists already/);
      writeFileSync(join(dir, 'bad.xml'), '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>');
      const unknownAttribute = await runCli(
        ['saml', 'sp', 'add', '--metadata', join(dir, 'owa.xml'), '--release', 'mail,salary'],
        env,
      );
      assert.equal(unknownAttribute.code, 1);
      assert.match(unknownAttribute.stderr, /release/);
      const bad = await runCli(['saml', 'sp', 'add', '--metadata', join(dir, 'bad.xml')], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /DTD/);

      const list = await runCli(['saml', 'sp', 'list'], env);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(
        JSON.parse(list.stdout).map((a: { entityId: string; name: string }) => [a.entityId, a.name]),
        [[entityId, 'Outlook Web App']],
      );
      const policy = await runCli(['policy', 'set', '--app', `saml:${entityId}`, '--otp', 'required'], env);
      assert.equal(policy.code, 0, policy.stderr);
    });

    it('rolls the signing key over: the published next key signs, and an app that read the metadata keeps working', async () => {
      const before = await idpCertificates(tessera);
      const sp = spFor(before);
      const rotated = await runCli(['saml', 'keys', 'rotate'], env);
      assert.equal(rotated.code, 0, rotated.stderr);
      const after = await idpCertificates(tessera);
      assert.equal(after[0], before[1], 'the next certificate is now the current one');
      // A running server signs with what it read in the last second: within a second, with the new key.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.notEqual(after[1], before[1]);

      const email = `rollover-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password, name: 'Rollo Over' });
      await tessera.policies.save(
        { appId: `saml:${entityId}`, otp: 'off', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await sp.getAuthorizeUrlAsync('', undefined, {}));
      const done = await submit(agent, tessera, signIn, 'login', { email, password });
      const posted = postedResponse(done.page);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
      assert.equal(profile?.nameID, email);
      // --release mail: the address, and not the name.
      assert.equal(profile?.['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'], email);
      assert.equal(profile?.['http://schemas.microsoft.com/identity/claims/displayname'], undefined);
      xmlsecVerify(Buffer.from(posted.SAMLResponse, 'base64').toString('utf8'), before[1]!);
    });

    it("hides the app's stand-in OIDC client from client list, and client remove points to saml sp remove", async () => {
      const oidcApp = await runCli(
        [
          'client',
          'add',
          '--id',
          'intranet',
          '--name',
          'Intranet',
          '--redirect-uri',
          'https://intranet.example.com/cb',
        ],
        env,
      );
      assert.equal(oidcApp.code, 0, oidcApp.stderr);
      const listed = await runCli(['client', 'list'], env);
      assert.equal(listed.code, 0, listed.stderr);
      const ids = JSON.parse(listed.stdout).map((c: { client_id: string }) => c.client_id);
      assert.ok(ids.includes(JSON.parse(oidcApp.stdout).client_id), 'the OIDC app is listed');
      assert.ok(!ids.some((id: string) => id.startsWith('saml:')), 'no saml:<entity ID> stand-in is listed');
      const refused = await runCli(['client', 'remove', '--id', `saml:${entityId}`], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`tessera saml sp remove --entity-id ${entityId}`));
      const list = await runCli(['saml', 'sp', 'list'], env);
      assert.equal(JSON.parse(list.stdout).length, 1, 'the app is still there');
      assert.equal((await tessera.audit.list({ action: 'client.remove', limit: 1 })).length, 0, 'nothing removed');
    });

    it('removes the app: its requests are refused', async () => {
      const removed = await runCli(['saml', 'sp', 'remove', '--entity-id', entityId], env);
      assert.equal(removed.code, 0, removed.stderr);
      const sp = spFor(await idpCertificates(tessera));
      // The server hears of the removal through the change feed (on SQLite a look every 250 ms), not at once.
      const deadline = Date.now() + 5_000;
      let response: Response;
      do {
        await new Promise((resolve) => setTimeout(resolve, 50));
        response = await fetch(await sp.getAuthorizeUrlAsync('', undefined, {}), { redirect: 'manual' });
      } while (response.status !== 400 && Date.now() < deadline);
      assert.equal(response.status, 400);
      assert.match(await response.text(), /not registered with Tessera/);
      const missing = await runCli(['saml', 'sp', 'remove', '--entity-id', entityId], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no SAML app/);
    });
  });
}
