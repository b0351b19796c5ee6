// Given name, surname and employee ID for SAML and WS-Federation apps: read from the directory (the real slapd
// fixture) by stable id when the assertion is built, released only to apps that asked for them, under ADFS claim
// URIs or plain names; a directory that does not answer costs the app those attributes, never the person the sign-in.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import type { SAML } from '@node-saml/node-saml';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, type RunningTessera } from '../support/tessera.ts';
import { fixtureConfig, startSlapd, type Slapd } from '../support/slapd.ts';
import { idpCertificates, openAt, postedResponse, registerNodeSamlSp, submit, xmlsecVerify } from '../support/saml.ts';

const alice = { name: 'alice', password: 'correct horse battery' };
const claim = {
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  employeeId: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/employeeid',
  mail: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
};
const everything = ['mail', 'upn', 'displayName', 'groups', 'givenName', 'surname', 'employeeId'];
const owaRealm = 'https://mail.example.com/owa/';
const owaMetadata = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${owaRealm}">
  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://mail.example.com/owa/auth/"/>
  </SPSSODescriptor>
</EntityDescriptor>`;

/** The SAML 1.1 claims of a WS-Federation `wresult` as `namespace/name=value`. */
function saml11Claims(wresult: string): string[] {
  const doc = new DOMParser().parseFromString(wresult, 'text/xml');
  return Array.from(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:1.0:assertion', 'Attribute')).map(
    (a) => `${a.getAttribute('AttributeNamespace')}/${a.getAttribute('AttributeName')}=${a.textContent}`,
  );
}

const wresultOf = (page: string) => {
  const value = page.match(/name="wresult" value="([^"]*)"/)?.[1];
  assert.ok(value, page.slice(0, 500));
  return value.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
};

for (const dialect of await testDialects()) {
  describe(`SAML attributes from the directory on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    let hr: SAML;
    let payroll: SAML;
    let wiki: SAML;
    const logLines: string[] = [];
    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(dialect, { directory: fixtureConfig('openldap', [slapd.url]) }, { logLines });
      ({ sp: hr } = await registerNodeSamlSp(tessera, 'https://hr.example.com/sp', {
        settings: { nameIdFormat: 'email', release: everything },
      }));
      ({ sp: payroll } = await registerNodeSamlSp(tessera, 'https://payroll.example.com/sp', {
        settings: { attributeNames: 'plain', release: ['mail', 'givenName', 'surname', 'employeeId'] },
      }));
      ({ sp: wiki } = await registerNodeSamlSp(tessera, 'https://wiki.example.com/sp'));
      await tessera.saml.providers.add({ metadata: owaMetadata, settings: { release: everything } as never });
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    const signIn = async (sp: SAML) => {
      const agent = createAgent();
      const page = await openAt(agent, tessera, await sp.getAuthorizeUrlAsync('', undefined, {}));
      const done = await submit(agent, tessera, page, 'login', { email: alice.name, password: alice.password });
      return { agent, posted: postedResponse(done.page) };
    };
    const next = async (agent: ReturnType<typeof createAgent>, sp: SAML) => {
      const answered = await openAt(agent, tessera, await sp.getAuthorizeUrlAsync('', undefined, {}));
      return (await sp.validatePostResponseAsync({ SAMLResponse: postedResponse(answered.page).SAMLResponse }))
        .profile!;
    };
    const directorySearchesByStableId = () =>
      slapd
        .log()
        .split('\n')
        .filter((l) => /SRCH.*entryUUID=/i.test(l)).length;

    it('releases given name, surname and employee ID under ADFS claim URIs and under plain names', async () => {
      const { agent, posted } = await signIn(hr);
      const { profile } = await hr.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
      assert.equal(profile?.[claim.givenName], 'Alice');
      assert.equal(profile?.[claim.surname], 'Smith');
      assert.equal(profile?.[claim.employeeId], 'E1001');
      assert.equal(profile?.[claim.mail], 'alice@example.org');
      assert.equal(profile?.[claim.displayName], 'Alice Smith');
      xmlsecVerify(Buffer.from(posted.SAMLResponse, 'base64').toString('utf8'), (await idpCertificates(tessera))[0]!);

      const plain = await next(agent, payroll);
      assert.deepEqual(
        [plain.givenName, plain.sn, plain.employeeID, plain.mail],
        ['Alice', 'Smith', 'E1001', 'alice@example.org'],
      );
      assert.equal(plain.displayName, undefined, 'only what the app asked for');
    });

    it('gives an app that did not ask for them none, and does not search the directory for it', async () => {
      const { agent } = await signIn(hr);
      const before = directorySearchesByStableId();
      assert.ok(before > 0, 'the earlier assertions searched by entryUUID, and the log shows it');
      const profile = await next(agent, wiki);
      assert.equal(profile[claim.mail], 'alice@example.org');
      for (const name of [claim.givenName, claim.surname, claim.employeeId, 'givenName', 'sn', 'employeeID']) {
        assert.equal(profile[name], undefined, name);
      }
      assert.equal(directorySearchesByStableId(), before);
    });

    it('puts them in the WS-Federation token (SAML 1.1) too', async () => {
      const agent = createAgent();
      const start = `${tessera.url}/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(owaRealm)}`;
      const page = await openAt(agent, tessera, start);
      const done = await submit(agent, tessera, page, 'login', { email: alice.name, password: alice.password });
      const wresult = wresultOf(done.page);
      xmlsecVerify(wresult, (await idpCertificates(tessera))[0]!, 'Assertion');
      const claims = saml11Claims(wresult);
      for (const expected of [`${claim.givenName}=Alice`, `${claim.surname}=Smith`, `${claim.employeeId}=E1001`]) {
        assert.ok(claims.includes(expected), `${expected} in ${claims}`);
      }
    });

    it('still signs the person in to the next app while the directory is down, without those attributes', async () => {
      const { agent } = await signIn(hr);
      await slapd.stop();
      try {
        const profile = await next(agent, hr);
        assert.equal(profile[claim.mail], 'alice@example.org', 'what the account knows is released');
        assert.equal(profile[claim.displayName], 'Alice Smith');
        for (const name of [claim.givenName, claim.surname, claim.employeeId]) assert.equal(profile[name], undefined);
        assert.ok(
          logLines.some((l) => l.includes('directory.unreachable') && l.includes('without given name')),
          'the missing attributes are logged',
        );
      } finally {
        await slapd.restart();
      }
      assert.equal((await next(agent, payroll)).givenName, 'Alice', 'back once the directory answers');
    });

    it('answers without them once a hung directory times out (the sign-in is not refused)', async () => {
      const { agent } = await signIn(hr);
      await slapd.freeze();
      try {
        const profile = await next(agent, hr);
        assert.equal(profile[claim.mail], 'alice@example.org');
        assert.equal(profile[claim.givenName], undefined);
      } finally {
        slapd.thaw();
      }
    });

    it('sends a directory value that looks like XML as text', async () => {
      const hostile = '</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin';
      await slapd.modify(
        `dn: uid=bob,ou=people,dc=example,dc=org\nchangetype: modify\nreplace: givenName\ngivenName: ${hostile}\n`,
      );
      const agent = createAgent();
      const page = await openAt(agent, tessera, await hr.getAuthorizeUrlAsync('', undefined, {}));
      const done = await submit(agent, tessera, page, 'login', { email: 'bob', password: 'bob password 1' });
      const { profile } = await hr.validatePostResponseAsync({ SAMLResponse: postedResponse(done.page).SAMLResponse });
      assert.equal(profile?.[claim.givenName], hostile);
      assert.equal(profile?.role, undefined);
      assert.equal(profile?.[claim.employeeId], 'E1003');
    });

    it('gives a customer account none of them (its name is not split)', async () => {
      const email = `customer-${dialect}@example.com`;
      const password = 'customer passphrase';
      await tessera.accounts.createByOperator({ email, password, name: 'Cora Customer' });
      const agent = createAgent();
      const page = await openAt(agent, tessera, await hr.getAuthorizeUrlAsync('', undefined, {}));
      const done = await submit(agent, tessera, page, 'login', { email, password });
      const { profile } = await hr.validatePostResponseAsync({
        SAMLResponse: postedResponse(done.page).SAMLResponse,
      });
      assert.equal(profile?.[claim.displayName], 'Cora Customer');
      for (const name of [claim.givenName, claim.surname, claim.employeeId]) assert.equal(profile?.[name], undefined);
    });
  });
}
