// Single Logout joined with the SSO session: signing out of one SAML app ends the Tessera session (the OIDC app in
// it loses its session too) and every other SAML app of the session is sent a LogoutRequest through the browser;
// the app that asked gets its LogoutResponse last. NameID and SessionIndex come from the database.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { authorize, registerApp } from '../support/oidc.ts';
import { openAt, postedResponse, registerNodeSamlSp, spSigningKey, submit } from '../support/saml.ts';

const password = 'employee passphrase';
const sloA = 'http://127.0.0.1:9/saml/slo-a';
const sloB = 'http://127.0.0.1:9/saml/slo-b';

const optionsOf = (sp: SAML) => (sp as unknown as { options: SamlConfig }).options;

/** The auto-posted form of a Tessera page: where it posts and its hidden fields. */
function formOf(page: string) {
  const action = page.match(/<form id="saml-post" method="post" action="([^"]+)"/)?.[1];
  assert.ok(action, page.slice(0, 600));
  const fields = Object.fromEntries(
    [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
  );
  return { action, fields };
}

for (const dialect of await testDialects()) {
  describe(`SAML Single Logout on ${dialect}`, () => {
    let tessera: RunningTessera;
    let appA: SAML;
    let appB: SAML;
    before(async () => {
      tessera = await startTessera(dialect);
      const keyA = spSigningKey('a');
      const keyB = spSigningKey('b');
      const common = (slo: string, key: { privateKey: string }) => ({
        logoutUrl: `${tessera.url}/saml/slo`,
        logoutCallbackUrl: slo,
        privateKey: key.privateKey,
        signatureAlgorithm: 'sha256' as const,
      });
      ({ sp: appA } = await registerNodeSamlSp(tessera, `https://a-${dialect}.example.com/sp`, {
        config: common(sloA, keyA),
        signingCert: keyA.certificate,
      }));
      ({ sp: appB } = await registerNodeSamlSp(tessera, `https://b-${dialect}.example.com/sp`, {
        config: common(sloB, keyB),
        signingCert: keyB.certificate,
      }));
    });
    after(async () => {
      await tessera?.stop();
    });

    async function signedInEverywhere(email: string) {
      const account = await tessera.accounts.createByOperator({ email, password });
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await appA.getAuthorizeUrlAsync('', undefined, {}));
      const doneA = await submit(agent, tessera, signIn, 'login', { email, password });
      const profileA = (await appA.validatePostResponseAsync({ SAMLResponse: postedResponse(doneA.page).SAMLResponse }))
        .profile!;
      const doneB = await openAt(agent, tessera, await appB.getAuthorizeUrlAsync('', undefined, {}));
      const profileB = (await appB.validatePostResponseAsync({ SAMLResponse: postedResponse(doneB.page).SAMLResponse }))
        .profile!;
      const portal = await registerApp(tessera, `portal-${email.split('@')[0]}`);
      const oidc = await authorize(tessera, portal, { agent });
      assert.match(oidc.step.url, /code=/, 'the OIDC app signs in on the same session, no password');
      return { account, agent, profileA, profileB };
    }

    it('keeps NameID and SessionIndex per app in the database, for any node to run the logout', async () => {
      const { account, profileA, profileB } = await signedInEverywhere(`rows-${dialect}@example.com`);
      const rows = await tessera.store.db
        .selectFrom('saml_participants')
        .select(['sp_entity_id', 'name_id', 'session_index'])
        .where('account_id', '=', account.id)
        .orderBy('sp_entity_id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.name_id, r.session_index]),
        [
          [profileA.nameID, profileA.sessionIndex],
          [profileB.nameID, profileB.sessionIndex],
        ],
      );
    });

    it('signs out of app A: the session ends, app B is told, A gets its LogoutResponse', async () => {
      const { account, agent, profileA } = await signedInEverywhere(`slo-${dialect}@example.com`);
      assert.equal((await tessera.sessions.list(account.id)).length, 1);

      // node-saml's metadata offers the POST binding for logout: Tessera's messages come as auto-posted forms.
      const logoutUrl = await appA.getLogoutUrlAsync(profileA, 'after-logout', {});
      const toB = await agent.request(logoutUrl);
      const formToB = formOf(await toB.text());
      assert.equal(formToB.action, sloB);
      const seenByB = await appB.validatePostRequestAsync({ SAMLRequest: formToB.fields.SAMLRequest! });
      assert.equal(seenByB.loggedOut, true);
      assert.equal((await tessera.sessions.list(account.id)).length, 0, 'the SSO session (OIDC apps too) has ended');

      const answerUrl = await appB.getLogoutResponseUrlAsync(seenByB.profile!, formToB.fields.RelayState!, {}, true);
      const toA = await agent.request(answerUrl);
      const formToA = formOf(await toA.text());
      assert.equal(formToA.action, sloA);
      assert.equal(formToA.fields.RelayState, 'after-logout');
      // node-saml reads InResponseTo of a POSTed answer from <Response> only: the LogoutResponse's is checked here,
      // its signature by node-saml (with InResponseTo checks off).
      const requestId = inflateRawSync(Buffer.from(new URL(logoutUrl).searchParams.get('SAMLRequest')!, 'base64'))
        .toString()
        .match(/ID="([^"]+)"/)![1];
      const answer = Buffer.from(formToA.fields.SAMLResponse!, 'base64').toString();
      assert.match(answer, new RegExp(`InResponseTo="${requestId}"`));
      const lenientA = new SAML({ ...optionsOf(appA), validateInResponseTo: ValidateInResponseTo.never });
      const seenByA = await lenientA.validatePostResponseAsync({ SAMLResponse: formToA.fields.SAMLResponse! });
      assert.equal(seenByA.loggedOut, true);

      // Signed out: the next sign-in asks for the password again, and a replayed LogoutRequest gets nothing.
      const again = await openAt(agent, tessera, await appA.getAuthorizeUrlAsync('', undefined, {}));
      assert.match(again.page, /name="password"/);
      const replay = await agent.request(logoutUrl);
      assert.equal(replay.status, 400);
    });

    it('refuses an unsigned or forged LogoutRequest from an app that signs, and ends nothing', async () => {
      const { account, profileA } = await signedInEverywhere(`forged-${dialect}@example.com`);
      const url = new URL(await appA.getLogoutUrlAsync(profileA, '', {}));
      url.searchParams.delete('Signature');
      url.searchParams.delete('SigAlg');
      assert.equal((await fetch(url, { redirect: 'manual' })).status, 400);
      const forged = new URL(await appA.getLogoutUrlAsync(profileA, '', {}));
      forged.searchParams.set('Signature', Buffer.from('x'.repeat(256)).toString('base64'));
      assert.equal((await fetch(forged, { redirect: 'manual' })).status, 400);
      assert.equal((await tessera.sessions.list(account.id)).length, 1);
    });
    it('signs out at Tessera by WS-Federation (wsignout1.0): the SAML apps of the session are told, then back to wreply', async () => {
      const realm = `urn:owa:${dialect}`;
      await tessera.saml.providers.add({
        metadata: `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${realm}"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="http://127.0.0.1:9/owa/auth/"/></SPSSODescriptor></EntityDescriptor>`,
      });
      const { account, agent } = await signedInEverywhere(`wsfed-out-${dialect}@example.com`);
      const owa = await openAt(
        agent,
        tessera,
        `${tessera.url}/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}`,
      );
      assert.match(owa.page, /name="wresult"/, 'signed in to the WS-Federation app too, no password');

      const out = await agent.request(
        `${tessera.url}/wsfed?wa=wsignout1.0&wtrealm=${encodeURIComponent(realm)}&wreply=${encodeURIComponent('http://127.0.0.1:9/owa/signed-out')}`,
      );
      assert.equal((await tessera.sessions.list(account.id)).length, 0);
      // Apps A and B are told in turn (their LogoutRequests as auto-posted forms), each answering back.
      let page = await out.text();
      const told: string[] = [];
      for (let i = 0; i < 2; i++) {
        const form = formOf(page);
        told.push(form.action);
        const app = form.action === sloA ? appA : appB;
        const seen = await app.validatePostRequestAsync({ SAMLRequest: form.fields.SAMLRequest! });
        assert.equal(seen.loggedOut, true);
        const back = await agent.request(
          await app.getLogoutResponseUrlAsync(seen.profile!, form.fields.RelayState!, {}, true),
        );
        if (i === 1) {
          assert.equal(back.status, 303);
          assert.equal(back.headers.get('location'), 'http://127.0.0.1:9/owa/signed-out');
        } else {
          page = await back.text();
        }
      }
      assert.deepEqual(told.sort(), [sloA, sloB].sort());
    });

    /**
     * Follows a logout Tessera started through the apps' LogoutRequests, each app answering, and from one chained
     * session's logout to the next: the apps told, and where it ends.
     */
    async function throughTheApps(agent: ReturnType<typeof createAgent>, first: Response) {
      const told: string[] = [];
      let step = first;
      for (;;) {
        const chained = step.status === 303 && step.headers.get('location')?.startsWith('/saml/slo/continue?');
        if (chained) {
          step = await agent.request(`${tessera.url}${step.headers.get('location')}`);
          continue;
        }
        if (step.status !== 200) break;
        const form = formOf(await step.text());
        told.push(form.action);
        const app = form.action === sloA ? appA : appB;
        const seen = await app.validatePostRequestAsync({ SAMLRequest: form.fields.SAMLRequest! });
        assert.equal(seen.loggedOut, true);
        step = await agent.request(
          await app.getLogoutResponseUrlAsync(seen.profile!, form.fields.RelayState!, {}, true),
        );
      }
      assert.equal(step.status, 303);
      return { told, location: step.headers.get('location') };
    }

    it("signs out at Tessera's end_session page: the session's SAML apps are told, then the signed-out page", async () => {
      const { account, agent } = await signedInEverywhere(`end-session-${dialect}@example.com`);
      const logoutPage = await agent.request(`${tessera.url}/oidc/session/end`, { headers: { accept: 'text/html' } });
      const confirmed = await agent.postForm(`${tessera.url}/oidc/session/end/confirm`, {
        xsrf: hiddenField(await logoutPage.text(), 'xsrf'),
        logout: 'yes',
      });
      assert.equal(confirmed.status, 303);
      const start = confirmed.headers.get('location')!;
      assert.match(start, /^\/saml\/slo\/continue\?logout=/);
      assert.equal((await tessera.sessions.list(account.id)).length, 0, 'the SSO session ended at once');
      const { told, location } = await throughTheApps(agent, await agent.request(`${tessera.url}${start}`));
      assert.deepEqual(told.sort(), [sloA, sloB].sort());
      assert.equal(location, `${tessera.url}/oidc/session/end/success`);
      const done = await agent.request(`${tessera.url}${start}`);
      assert.equal(done.status, 400, 'a finished logout does not run again');
      assert.equal((await agent.request(`${tessera.url}/saml/slo/continue?logout=nope`)).status, 400);
      const again = await openAt(agent, tessera, await appA.getAuthorizeUrlAsync('', undefined, {}));
      assert.match(again.page, /name="password"/, 'signed out: the password is asked again');
    });

    it('"sign out everywhere" on the account page tells the SAML apps of every session of the account', async () => {
      const email = `everywhere-${dialect}@example.com`;
      const { account, agent } = await signedInEverywhere(email);
      // A second browser of the same person, signed in to app A only.
      const phone = createAgent();
      const phoneSignIn = await openAt(phone, tessera, await appA.getAuthorizeUrlAsync('', undefined, {}));
      const phoneDone = await submit(phone, tessera, phoneSignIn, 'login', { email, password });
      await appA.validatePostResponseAsync({ SAMLResponse: postedResponse(phoneDone.page).SAMLResponse });
      assert.equal((await tessera.sessions.list(account.id)).length, 2);

      const accountPage = await agent.follow(`${tessera.url}/account`, tessera.url);
      assert.equal(accountPage.response.status, 200);
      const ended = await agent.postForm(`${tessera.url}/account/sessions/end-all`, {
        csrf: hiddenField(await accountPage.response.text(), 'csrf'),
      });
      assert.equal(ended.status, 303);
      assert.equal((await tessera.sessions.list(account.id)).length, 0, 'every session ended at once');
      const start = ended.headers.get('location')!;
      assert.match(start, /^\/saml\/slo\/continue\?logout=/);
      const { told, location } = await throughTheApps(agent, await agent.request(`${tessera.url}${start}`));
      assert.deepEqual(told.sort(), [sloA, sloA, sloB].sort(), "both browsers' apps are told, through this one");
      assert.equal(location, '/oidc/session/end/success');
      const last = await agent.request(`${tessera.url}${location}`);
      assert.equal(last.status, 200);
      const rows = await tessera.store.db
        .selectFrom('saml_participants')
        .select('sp_entity_id')
        .where('account_id', '=', account.id)
        .execute();
      assert.equal(rows.length, 0, 'nothing left to tell');
    });

    it("ending one session from the account page's list tells that session's SAML apps, and no one else's", async () => {
      const email = `one-session-${dialect}@example.com`;
      const { account, agent } = await signedInEverywhere(email);
      const phone = createAgent();
      const phoneSignIn = await openAt(phone, tessera, await appA.getAuthorizeUrlAsync('', undefined, {}));
      const phoneDone = await submit(phone, tessera, phoneSignIn, 'login', { email, password });
      await appA.validatePostResponseAsync({ SAMLResponse: postedResponse(phoneDone.page).SAMLResponse });
      const laptopUid = (
        await tessera.store.db
          .selectFrom('saml_participants')
          .select('session_uid')
          .where('account_id', '=', account.id)
          .where('sp_entity_id', '=', `https://b-${dialect}.example.com/sp`)
          .executeTakeFirstOrThrow()
      ).session_uid;
      const accountPage = await agent.follow(`${tessera.url}/account`, tessera.url);
      const html = await accountPage.response.text();
      const uids = [...html.matchAll(/action="\/account\/sessions\/([^/"]+)\/end"/g)].map((m) => m[1]!);
      const phoneUid = uids.find((uid) => uid !== laptopUid)!;
      assert.ok(phoneUid, 'the phone is in the list');

      // Someone else's session uid ends nothing and tells no app.
      const other = await signedInEverywhere(`other-${dialect}@example.com`);
      const otherUid = (await tessera.sessions.list(other.account.id))[0]!.uid;
      const foreign = await agent.postForm(`${tessera.url}/account/sessions/${otherUid}/end`, {
        csrf: hiddenField(html, 'csrf'),
      });
      assert.ok(!foreign.headers.get('location')?.startsWith('/saml/'), 'an unknown session tells no app');

      const ended = await agent.postForm(`${tessera.url}/account/sessions/${phoneUid}/end`, {
        csrf: hiddenField(html, 'csrf'),
      });
      assert.equal(ended.status, 303);
      const { told, location } = await throughTheApps(agent, ended);
      assert.deepEqual(told, [sloA], "only the phone's app is told");
      assert.equal(location, '/account');
      assert.equal((await tessera.sessions.list(account.id)).length, 1, 'the laptop keeps its session');
      assert.equal((await tessera.sessions.list(other.account.id)).length, 1, "the other person's session is intact");
    });
  });
}
