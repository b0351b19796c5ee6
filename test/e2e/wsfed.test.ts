// WS-Federation passive (the protocol of on-premises Outlook Web App and SharePoint): a relying party written here
// with xml-crypto and @xmldom/xmldom, as such apps check a token: the RSTR's AppliesTo, the assertion's signature
// (only what the signature covers is read), its audience, recipient and lifetime; xmlsec1 checks the signature too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, type RunningTessera } from '../support/tessera.ts';
import { idpCertificates, openAt, submit, xmlsecVerify } from '../support/saml.ts';

const password = 'employee passphrase';
const realm = 'urn:sharepoint:intranet';
const trustUrl = 'http://127.0.0.1:9/_trust/';
const metadataFor = (
  entityId: string,
  location: string,
) => `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${location}"/>
  </SPSSODescriptor>
</EntityDescriptor>`;
const metadata = metadataFor(realm, trustUrl);
const owaRealm = 'https://mail.example.com/owa/';
const owaTrust = 'https://mail.example.com/owa/auth/';

/** What the relying party accepts from `wresult`: the signed assertion's subject and claims. */
function relyingParty(wresult: string, certificate: string) {
  const doc = new DOMParser().parseFromString(wresult, 'text/xml');
  const rstr = doc.documentElement!;
  assert.equal(rstr.localName, 'RequestSecurityTokenResponse');
  const address = rstr.getElementsByTagNameNS('http://www.w3.org/2005/08/addressing', 'Address')[0];
  assert.equal(address?.textContent, realm);
  const assertion = rstr.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')[0]!;
  const signature = assertion.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!;
  const verifier = new SignedXml({ publicCert: certificate });
  verifier.loadSignature(signature);
  assert.equal(verifier.checkSignature(assertion.toString()), true);
  const signed = new DOMParser().parseFromString(verifier.getSignedReferences()[0]!, 'text/xml').documentElement!;
  const one = (name: string) => signed.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', name)[0]!;
  assert.equal(one('Audience').textContent, realm);
  assert.equal(one('SubjectConfirmationData').getAttribute('Recipient'), trustUrl);
  assert.ok(Date.parse(one('Conditions').getAttribute('NotOnOrAfter')!) > Date.now());
  const claims: Record<string, string> = {};
  for (const attribute of Array.from(
    signed.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Attribute'),
  )) {
    claims[attribute.getAttribute('Name')!] = attribute.textContent ?? '';
  }
  return { nameId: one('NameID').textContent, claims };
}

function postedForm(page: string) {
  const action = page.match(/<form id="saml-post" method="post" action="([^"]+)"/)?.[1];
  assert.ok(action, page.slice(0, 500));
  const fields = Object.fromEntries(
    [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1]!,
      m[2]!
        .replaceAll('&quot;', '"')
        .replaceAll('&#39;', "'")
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&amp;', '&'),
    ]),
  );
  return { action, fields };
}

for (const dialect of await testDialects()) {
  describe(`WS-Federation on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect);
      await tessera.saml.providers.add({
        metadata,
        name: 'Intranet (SharePoint)',
        settings: { nameIdFormat: 'email', wsfedToken: 'saml2.0' },
      });
      await tessera.saml.providers.add({ metadata: metadataFor(owaRealm, owaTrust), name: 'Outlook Web App' });
    });
    after(async () => {
      await tessera?.stop();
    });

    it('signs a person in with wsignin1.0: a signed SAML 2.0 token in an RSTR, wctx returned', async () => {
      const email = `wsfed-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email, password });
      const agent = createAgent();
      const wctx = 'rm=0&id=passive&ru=%2f_layouts%2fAuthenticate.aspx';
      const start = `${tessera.url}/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}&wctx=${encodeURIComponent(wctx)}`;
      const signIn = await openAt(agent, tessera, start);
      assert.match(signIn.page, /Intranet \(SharePoint\)/);
      const done = await submit(agent, tessera, signIn, 'login', { email, password });
      const form = postedForm(done.page);
      assert.equal(form.action, trustUrl);
      assert.equal(form.fields.wa, 'wsignin1.0');
      assert.equal(form.fields.wctx, wctx);
      const [current] = await idpCertificates(tessera);
      const seen = relyingParty(form.fields.wresult!, current!);
      assert.equal(seen.nameId, email);
      assert.equal(seen.claims['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'], email);
      xmlsecVerify(form.fields.wresult!, current!, 'Assertion');

      // wsignout1.0: the session ends, and the browser goes back only to an address of the app.
      assert.equal((await tessera.sessions.list(account.id)).length, 1);
      const out = await agent.request(
        `${tessera.url}/wsfed?wa=wsignout1.0&wtrealm=${encodeURIComponent(realm)}&wreply=${encodeURIComponent('http://127.0.0.1:9/signed-out')}`,
      );
      assert.equal(out.status, 303);
      assert.equal(out.headers.get('location'), 'http://127.0.0.1:9/signed-out');
      assert.equal((await tessera.sessions.list(account.id)).length, 0);
      const elsewhere = await agent.request(
        `${tessera.url}/wsfed?wa=wsignout1.0&wtrealm=${encodeURIComponent(realm)}&wreply=${encodeURIComponent('https://evil.example/')}`,
      );
      assert.equal(elsewhere.status, 200);
      assert.equal(elsewhere.headers.get('location'), null);
    });

    it('refuses an unknown realm and a wreply the app did not register', async () => {
      const unknown = await fetch(`${tessera.url}/wsfed?wa=wsignin1.0&wtrealm=urn%3Anobody`, { redirect: 'manual' });
      assert.equal(unknown.status, 400);
      const elsewhere = await fetch(
        `${tessera.url}/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}&wreply=${encodeURIComponent('https://evil.example/_trust/')}`,
        { redirect: 'manual' },
      );
      assert.equal(elsewhere.status, 400);
      assert.match(await elsewhere.text(), /has not registered/);
    });
    it('sends a SAML 1.1 token by default (as ADFS does), signed last, with the claims split into name and namespace', async () => {
      const email = `owa-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password, name: 'Olga Owa' });
      const agent = createAgent();
      const start = `${tessera.url}/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(owaRealm)}&wctx=${encodeURIComponent('ru=/owa/')}`;
      const signIn = await openAt(agent, tessera, start);
      const done = await submit(agent, tessera, signIn, 'login', { email, password });
      const form = postedForm(done.page);
      assert.equal(form.action, owaTrust);
      const [current] = await idpCertificates(tessera);
      xmlsecVerify(form.fields.wresult!, current!, 'Assertion');
      const doc = new DOMParser().parseFromString(form.fields.wresult!, 'text/xml');
      const v11 = 'urn:oasis:names:tc:SAML:1.0:assertion';
      const assertion = doc.getElementsByTagNameNS(v11, 'Assertion')[0]!;
      assert.equal(assertion.getAttribute('MajorVersion'), '1');
      assert.equal(assertion.getAttribute('MinorVersion'), '1');
      assert.equal((assertion.lastChild as unknown as { localName: string }).localName, 'Signature', 'signature last');
      const verifier = new SignedXml({ publicCert: current!, idAttribute: 'AssertionID' });
      verifier.loadSignature(assertion.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!);
      assert.equal(verifier.checkSignature(assertion.toString()), true);
      const signed = new DOMParser().parseFromString(verifier.getSignedReferences()[0]!, 'text/xml').documentElement!;
      assert.equal(signed.getElementsByTagNameNS(v11, 'Audience')[0]?.textContent, owaRealm);
      const names = Array.from(signed.getElementsByTagNameNS(v11, 'Attribute')).map(
        (a) => `${a.getAttribute('AttributeNamespace')}/${a.getAttribute('AttributeName')}=${a.textContent}`,
      );
      assert.ok(
        names.includes(`http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress=${email}`),
        String(names),
      );
      assert.ok(names.includes('http://schemas.microsoft.com/identity/claims/displayname=Olga Owa'), String(names));
      assert.match(
        form.fields.wresult!,
        /<t:TokenType>http:\/\/docs.oasis-open.org\/wss\/oasis-wss-saml-token-profile-1.1#SAMLV1.1</,
      );
    });
  });
}
