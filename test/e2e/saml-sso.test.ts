// SAML Web SSO against a real service provider (@node-saml/node-saml with validateInResponseTo 'always'):
// SP-initiated in both bindings, the assertion verified by node-saml and by xmlsec1, one SSO session with OIDC,
// and the app's OTP policy (`saml:<entity ID>`) asking for the code.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { openAt, postedResponse, registerNodeSamlSp, submit, xmlsecVerify } from '../support/saml.ts';

const password = 'employee passphrase';

for (const dialect of await testDialects()) {
  describe(`SAML SSO on ${dialect}`, () => {
    let tessera: RunningTessera;
    let webmail: SAML;
    let certificates: string[];
    const webmailId = 'https://webmail.example.com/saml';
    before(async () => {
      tessera = await startTessera(dialect);
      ({ sp: webmail, certificates } = await registerNodeSamlSp(tessera, webmailId, {
        name: 'Webmail',
        config: { wantAuthnResponseSigned: true },
        settings: { nameIdFormat: 'email', signResponse: true },
      }));
    });
    after(async () => {
      await tessera?.stop();
    });

    it('publishes metadata with both bindings and the current and next certificates', async () => {
      const response = await fetch(`${tessera.url}/saml/metadata`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /samlmetadata\+xml/);
      const xml = await response.text();
      assert.match(xml, new RegExp(`entityID="${tessera.url}/saml/metadata"`));
      for (const binding of ['HTTP-Redirect', 'HTTP-POST']) {
        assert.match(
          xml,
          new RegExp(`SingleSignOnService Binding="[^"]*${binding}" Location="${tessera.url}/saml/sso"`),
        );
      }
      assert.equal(certificates.length, 2);
      assert.notEqual(certificates[0], certificates[1]);
      // Signed (enveloped, first child) with the key in force: xmlsec1 checks it; the next key does not sign yet.
      assert.match(xml, /<md:EntityDescriptor [^>]*ID="_[0-9a-f]{40}"[^>]*><ds:Signature /);
      xmlsecVerify(xml, certificates[0]!, 'EntityDescriptor');
      assert.throws(() => xmlsecVerify(xml, certificates[1]!, 'EntityDescriptor'));
      assert.throws(
        () => xmlsecVerify(xml.replace('/saml/sso"', '/saml/evil"'), certificates[0]!, 'EntityDescriptor'),
        'an altered endpoint breaks the signature',
      );
      assert.equal(await (await fetch(`${tessera.url}/saml/metadata`)).text(), xml, 'the same document again');
    });

    it('signs a person in over the Redirect binding: node-saml and xmlsec1 accept the assertion', async () => {
      const email = `redirect-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const agent = createAgent();
      const start = await webmail.getAuthorizeUrlAsync('back-to-inbox', undefined, {});
      const signIn = await openAt(agent, tessera, start);
      assert.match(signIn.page, /name="password"/);
      assert.match(signIn.page, /Webmail/, 'the sign-in page names the app');
      const done = await submit(agent, tessera, signIn, 'login', { email, password });
      const posted = postedResponse(done.page);
      assert.equal(posted.action, 'http://127.0.0.1:9/saml/acs');
      assert.equal(posted.RelayState, 'back-to-inbox');
      const { profile } = await webmail.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
      assert.equal(profile?.nameID, email);
      assert.equal(profile?.['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'], email);
      const xml = Buffer.from(posted.SAMLResponse, 'base64').toString('utf8');
      xmlsecVerify(xml, certificates[0]!, 'Assertion');
      xmlsecVerify(xml, certificates[0]!, 'Response');
      assert.throws(() => xmlsecVerify(xml, certificates[1]!, 'Assertion'), 'the next key does not sign yet');
      assert.match(xml, /AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</);
    });

    it('takes the POST binding too, and a second app in the same browser needs no password (one SSO session)', async () => {
      const email = `post-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const { sp: wiki } = await registerNodeSamlSp(tessera, `https://wiki-${dialect}.example.com/sp`, {
        config: { authnRequestBinding: 'HTTP-POST' },
      });
      const agent = createAgent();
      const first = await openAt(agent, tessera, await webmail.getAuthorizeUrlAsync('', undefined, {}));
      const done = await submit(agent, tessera, first, 'login', { email, password });
      await webmail.validatePostResponseAsync({ SAMLResponse: postedResponse(done.page).SAMLResponse });

      const form = await wiki.getAuthorizeFormAsync('wiki-page');
      const request = form.match(/name="SAMLRequest" value="([^"]+)"/)![1]!;
      const response = await agent.postForm(`${tessera.url}/saml/sso`, {
        SAMLRequest: request,
        RelayState: 'wiki-page',
      });
      assert.equal(response.status, 303);
      const answered = await openAt(agent, tessera, new URL(response.headers.get('location')!, tessera.url).toString());
      const posted = postedResponse(answered.page);
      assert.equal(posted.RelayState, 'wiki-page');
      const { profile } = await wiki.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
      // The wiki gets the default NameID: persistent and pairwise, not the address.
      assert.equal(profile?.nameIDFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
      assert.notEqual(profile?.nameID, email);
    });

    it('asks for the OTP code where the policy of saml:<entity ID> requires it, and says so in the assertion', async () => {
      const email = `otp-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email, password });
      const key = await enrolMobileToken(tessera, account.id, email);
      const entityId = `https://vpn-portal-${dialect}.example.com/sp`;
      const { sp } = await registerNodeSamlSp(tessera, entityId, { name: 'VPN portal' });
      await tessera.policies.save(
        { appId: `saml:${entityId}`, otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await sp.getAuthorizeUrlAsync('', undefined, {}));
      const codePage = await submit(agent, tessera, signIn, 'login', { email, password });
      assert.match(codePage.page, /name="code"/, 'the code is asked before anything is posted to the app');
      assert.doesNotMatch(codePage.page, /SAMLResponse/);
      const done = await submit(agent, tessera, codePage, 'otp', { code: oathtool(key) });
      const posted = postedResponse(done.page);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
      assert.ok(profile?.nameID);
      const xml = Buffer.from(posted.SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /AuthnContextClassRef>http:\/\/schemas.microsoft.com\/claims\/multipleauthn</);
      xmlsecVerify(xml, certificates[0]!, 'Assertion');
    });
    it('honours ForceAuthn (the password again) and a RequestedAuthnContext naming MFA (the code) in a signed-in browser', async () => {
      const email = `step-up-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email, password });
      const key = await enrolMobileToken(tessera, account.id, email);
      const { sp: forced } = await registerNodeSamlSp(tessera, `https://forced-${dialect}.example.com/sp`, {
        config: { forceAuthn: true },
      });
      const { sp: strict } = await registerNodeSamlSp(tessera, `https://strict-${dialect}.example.com/sp`, {
        config: { authnContext: ['http://schemas.microsoft.com/claims/multipleauthn'], racComparison: 'exact' },
      });
      const agent = createAgent();
      const first = await openAt(agent, tessera, await webmail.getAuthorizeUrlAsync('', undefined, {}));
      await submit(agent, tessera, first, 'login', { email, password });

      const again = await openAt(agent, tessera, await forced.getAuthorizeUrlAsync('', undefined, {}));
      assert.match(again.page, /name="password"/, 'ForceAuthn asks for the password although a session exists');
      const forcedDone = await submit(agent, tessera, again, 'login', { email, password });
      await forced.validatePostResponseAsync({ SAMLResponse: postedResponse(forcedDone.page).SAMLResponse });

      const stepUp = await openAt(agent, tessera, await strict.getAuthorizeUrlAsync('', undefined, {}));
      assert.match(stepUp.page, /name="code"/, 'MFA asked in the request: the code, not the password');
      assert.doesNotMatch(stepUp.page, /name="password"/);
      const done = await submit(agent, tessera, stepUp, 'otp', { code: oathtool(key) });
      const xml = Buffer.from(postedResponse(done.page).SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /AuthnContextClassRef>http:\/\/schemas.microsoft.com\/claims\/multipleauthn</);
    });
    it('signs a person in IdP-initiated to the relay state configured for the app (no InResponseTo)', async () => {
      const email = `unsolicited-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const entityId = `https://intranet-${dialect}.example.com/sp`;
      const { sp } = await registerNodeSamlSp(tessera, entityId, {
        config: { validateInResponseTo: ValidateInResponseTo.ifPresent },
        settings: { relayState: 'https://intranet.example.com/home' },
      });
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, `${tessera.url}/saml/start?app=${encodeURIComponent(entityId)}`);
      const done = await submit(agent, tessera, signIn, 'login', { email, password });
      const posted = postedResponse(done.page);
      assert.equal(posted.RelayState, 'https://intranet.example.com/home');
      const xml = Buffer.from(posted.SAMLResponse, 'base64').toString('utf8');
      assert.doesNotMatch(xml, /InResponseTo/);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
      assert.ok(profile?.nameID);
      // An app that accepts only answers to its own requests refuses it.
      await assert.rejects(webmail.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse }));
      const unknown = await fetch(`${tessera.url}/saml/start?app=https%3A%2F%2Fnobody.example`, { redirect: 'manual' });
      assert.equal(unknown.status, 400);
    });
    it('answers IsPassive without a page: NoPassive without a session, signed in with one', async () => {
      const email = `passive-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const { sp: passive } = await registerNodeSamlSp(tessera, `https://passive-${dialect}.example.com/sp`, {
        config: { passive: true },
      });
      const agent = createAgent();
      const refused = await openAt(agent, tessera, await passive.getAuthorizeUrlAsync('', undefined, {}));
      const xml = Buffer.from(postedResponse(refused.page).SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /urn:oasis:names:tc:SAML:2.0:status:NoPassive/);
      assert.doesNotMatch(xml, /Assertion/);
      const signIn = await openAt(agent, tessera, await webmail.getAuthorizeUrlAsync('', undefined, {}));
      await submit(agent, tessera, signIn, 'login', { email, password });
      const answered = await openAt(agent, tessera, await passive.getAuthorizeUrlAsync('', undefined, {}));
      const { profile } = await passive.validatePostResponseAsync({
        SAMLResponse: postedResponse(answered.page).SAMLResponse,
      });
      assert.ok(profile?.nameID);
    });
    it("answers a signed-in person at once, until the app's policy asks for a code the session has not proven", async () => {
      const email = `again-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email, password });
      const key = await enrolMobileToken(tessera, account.id, email);
      const entityId = `https://timesheets-${dialect}.example.com/sp`;
      const { sp } = await registerNodeSamlSp(tessera, entityId);
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await sp.getAuthorizeUrlAsync('', undefined, {}));
      await submit(agent, tessera, signIn, 'login', { email, password });

      // Signed in to this app in this session: the SSO endpoint answers itself, no trip through /oidc/auth.
      const again = await agent.request(await sp.getAuthorizeUrlAsync('', undefined, {}));
      assert.equal(again.status, 200);
      const { profile } = await sp.validatePostResponseAsync({
        SAMLResponse: postedResponse(await again.text()).SAMLResponse,
      });
      assert.ok(profile?.nameID);

      // The policy now requires the code: the next request is not answered before the code is typed.
      await tessera.policies.save(
        { appId: `saml:${entityId}`, otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      const stepUp = await openAt(agent, tessera, await sp.getAuthorizeUrlAsync('', undefined, {}));
      assert.match(stepUp.page, /name="code"/);
      const done = await submit(agent, tessera, stepUp, 'otp', { code: oathtool(key) });
      await sp.validatePostResponseAsync({ SAMLResponse: postedResponse(done.page).SAMLResponse });
      const fast = await agent.request(await sp.getAuthorizeUrlAsync('', undefined, {}));
      assert.equal(fast.status, 200, 'with the code proven in this session, answered at once again');
      const xml = Buffer.from(postedResponse(await fast.text()).SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /multipleauthn/);
    });
    it('tells the app, signed, when the person cancels the sign-in, and asserts nothing', async () => {
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await webmail.getAuthorizeUrlAsync('', undefined, {}));
      const cancel = signIn.page.match(/href="(\/interaction\/[^"]+\/abort)"|action="(\/interaction\/[^"]+\/abort)"/);
      assert.ok(cancel, 'the sign-in page offers to cancel');
      const response = await agent.postForm(`${tessera.url}${cancel[1] ?? cancel[2]}`, {
        csrf: hiddenField(signIn.page, 'csrf'),
      });
      const answered = await openAt(agent, tessera, new URL(response.headers.get('location')!, tessera.url).toString());
      const xml = Buffer.from(postedResponse(answered.page).SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /status:Responder/);
      assert.match(xml, /status:AuthnFailed/);
      assert.doesNotMatch(xml, /Assertion/);
      xmlsecVerify(xml, certificates[0]!, 'Response');
      await assert.rejects(
        webmail.validatePostResponseAsync({ SAMLResponse: postedResponse(answered.page).SAMLResponse }),
      );
    });
    it('answers NoAuthnContext, signed and at once, to a request naming only classes Tessera cannot do', async () => {
      const { sp: kerberos } = await registerNodeSamlSp(tessera, `https://kerberos-${dialect}.example.com/sp`, {
        config: { authnContext: ['urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos'], racComparison: 'exact' },
      });
      const answered = await openAt(createAgent(), tessera, await kerberos.getAuthorizeUrlAsync('', undefined, {}));
      const xml = Buffer.from(postedResponse(answered.page).SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /status:NoAuthnContext/);
      assert.doesNotMatch(xml, /Assertion/);
      xmlsecVerify(xml, certificates[0]!, 'Response');
    });
  });
}
