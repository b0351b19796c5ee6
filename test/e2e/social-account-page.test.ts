// The account page's sign-in providers: link Microsoft to an account made with Google, sign in with either, unlink
// (never the last way in), and find the links in the export; a provider account linked elsewhere is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type * as client from 'openid-client';
import { testDialects } from '../support/databases.ts';
import { registerApp, testRedirectUri } from '../support/oidc.ts';
import { hiddenField } from '../support/tessera.ts';
import { createWebAgent, signInWith, startSocialStage, type SocialStage, type WebAgent } from '../support/social.ts';

for (const dialect of await testDialects()) {
  describe(`linked sign-in providers on the account page on ${dialect}`, () => {
    let stage: SocialStage;
    let shop: client.Configuration;
    before(async () => {
      stage = await startSocialStage(dialect);
      shop = await registerApp(stage.tessera, 'shop');
    });
    after(async () => stage?.stop());

    const links = (accountId: string) =>
      stage.tessera.store.db.selectFrom('social_links').selectAll().where('account_id', '=', accountId).execute();
    const microsoftPerson = () => {
      const oid = randomUUID();
      return {
        sub: `pw-${oid}`,
        tid: stage.microsoft.tenant,
        oid,
        email: `${oid.slice(0, 6)}@contoso.example`,
        xms_edov: true,
      };
    };
    /** Posts the account page's form whose action is `action`, following the trip if it leaves. */
    async function accountForm(agent: WebAgent, action: string, fields: Record<string, string> = {}) {
      const page = await agent.go(`${stage.tessera.url}/account`);
      assert.equal(page.status, 200);
      return agent.post(`${stage.tessera.url}${action}`, { csrf: hiddenField(page.page, 'csrf'), ...fields });
    }

    it('links Microsoft, signs in with it, unlinks Google, and keeps the last way in', async () => {
      stage.google.next = { sub: 'acct-google', email: 'linker@example.com', email_verified: true };
      const signUp = await signInWith(stage.tessera, shop, 'google');
      const sub = (await signUp.exchange()).claims()!.sub;
      const agent = signUp.agent;

      const person = microsoftPerson();
      stage.microsoft.next = person;
      const linked = await accountForm(agent, '/account/social/microsoft/link');
      assert.equal(linked.status, 200, linked.page.slice(0, 300));
      assert.match(linked.page, /Microsoft is linked to your account/);
      assert.match(linked.page, new RegExp(`Microsoft \\(${person.email}\\)`));

      // Microsoft alone, in another browser: the same account, whatever address Microsoft holds.
      stage.microsoft.next = person;
      const viaMicrosoft = await signInWith(stage.tessera, shop, 'microsoft');
      assert.equal((await viaMicrosoft.exchange()).claims()!.sub, sub);

      const exported = await agent.request(`${stage.tessera.url}/account/export`);
      const data = (await exported.json()) as { socialLinks: Array<{ provider: string }> };
      assert.deepEqual(data.socialLinks.map((l) => l.provider).sort(), ['google', 'microsoft']);

      const unlinked = await accountForm(agent, '/account/social/unlink', {
        provider: 'google',
        subject: 'acct-google',
      });
      assert.match(unlinked.page, /Google is no longer linked/);
      const last = await accountForm(agent, '/account/social/unlink', {
        provider: 'microsoft',
        subject: `${person.tid}:${person.oid}`,
      });
      assert.equal(last.status, 400);
      assert.match(last.page, /This is your only way to sign in/);

      // Google no longer signs in to the account: the same address is now someone proving the existing account.
      stage.google.next = { sub: 'acct-google', email: 'linker@example.com', email_verified: true };
      const again = await signInWith(stage.tessera, shop, 'google');
      assert.ok(!again.end.url.startsWith(testRedirectUri));
      assert.match(again.end.page, /already exists/);
    });

    it('refuses a provider account linked to another account, and a link without the page CSRF token', async () => {
      stage.google.next = { sub: 'first-owner', email: 'first-owner@example.com', email_verified: true };
      await signInWith(stage.tessera, shop, 'google');
      stage.google.next = { sub: 'second-owner', email: 'second-owner@example.com', email_verified: true };
      const second = await signInWith(stage.tessera, shop, 'google');
      // Signed out at Google, then in as the first owner.
      second.agent.jars.delete(new URL(stage.google.issuer).host);
      stage.google.next = { sub: 'first-owner', email: 'first-owner@example.com', email_verified: true };
      const refused = await accountForm(second.agent, '/account/social/google/link');
      assert.equal(refused.status, 400, refused.url + refused.page.replace(/\s+/g, ' ').slice(0, 1500));
      assert.match(refused.page, /already linked to another account/);

      const forged = await second.agent.post(`${stage.tessera.url}/account/social/google/link`, { csrf: 'forged' });
      assert.equal(forged.status, 403);
    });

    it('removes the links with the account', async () => {
      const password = 'a fine long passphrase';
      const account = await stage.tessera.accounts.createByOperator({ email: 'leaver@example.com', password });
      stage.google.next = { sub: 'leaver-google', email: 'leaver@example.com', email_verified: true };
      const trip = await signInWith(stage.tessera, shop, 'google');
      const action = trip.end.page.match(/action="([^"]+\/social\/link)"/)![1]!;
      await trip.agent.post(new URL(action, stage.tessera.url).toString(), {
        csrf: hiddenField(trip.end.page, 'csrf'),
        password,
      });
      const deleted = await accountForm(trip.agent, '/account/delete', { delete_current_password: password });
      assert.equal(deleted.status, 200);
      const left = await stage.tessera.store.db
        .selectFrom('social_links')
        .selectAll()
        .where('account_id', '=', account.id)
        .execute();
      assert.deepEqual(left, []);
    });

    it('links a provider to an account without a password by a link mailed to its address', async () => {
      stage.google.next = { sub: 'mail-proof-google', email: 'no-password@example.com', email_verified: true };
      const made = await signInWith(stage.tessera, shop, 'google');
      const sub = (await made.exchange()).claims()!.sub;

      const person = { ...microsoftPerson(), email: 'no-password@example.com' };
      stage.microsoft.next = person;
      const trip = await signInWith(stage.tessera, shop, 'microsoft');
      assert.match(trip.end.page, /already exists/);
      const uid = trip.end.url.match(/interaction\/([^/]+)\/social/)![1]!;
      const mailed = await trip.agent.post(`${stage.tessera.url}/interaction/${uid}/social/mail`, {
        csrf: hiddenField(trip.end.page, 'csrf'),
      });
      assert.match(mailed.page, /We sent a link to no-password@example.com/);
      const mail = (await stage.tessera.outbox.recent({ limit: 10 })).find((m) => m.to === 'no-password@example.com');
      const link = mail?.text.match(/https?:\/\/\S+\/social\/confirm\?token=\S+/)?.[0];
      assert.ok(link, 'the mail carries the link');

      // Opening the link (a mail scanner does) links nothing; its button does, once.
      const opened = await createWebAgent().go(link);
      assert.match(opened.page, /Link my account/);
      const token = hiddenField(opened.page, 'token');
      const confirmed = await createWebAgent().post(`${stage.tessera.url}/social/confirm`, { token });
      assert.match(confirmed.page, /now linked to your account/);
      const again = await createWebAgent().post(`${stage.tessera.url}/social/confirm`, { token });
      assert.equal(again.status, 400);

      const done = await trip.agent.go(`${stage.tessera.url}/interaction/${uid}/social`);
      assert.ok(done.url.startsWith(testRedirectUri), done.page.slice(0, 300));
      assert.equal((await trip.request.exchange(done.url)).claims()!.sub, sub);
    });

    it('deletes an account without a password only shortly after a sign-in, and its links with it', async () => {
      stage.google.next = { sub: 'leaving-google', email: 'leaving-google@example.com', email_verified: true };
      const trip = await signInWith(stage.tessera, shop, 'google');
      const sub = (await trip.exchange()).claims()!.sub;
      const page = await trip.agent.go(`${stage.tessera.url}/account`);
      assert.doesNotMatch(page.page, /name="delete_current_password"/);
      assert.match(page.page, /needs a sign-in within the last 10 minutes/);

      // The sign-in was 11 minutes ago (oidc-provider's session, as stored).
      const sessions = await stage.tessera.store.db
        .selectFrom('oidc_payloads')
        .selectAll()
        .where('model', '=', 'Session')
        .execute();
      for (const row of sessions) {
        const payload = JSON.parse(row.payload) as { accountId?: string; loginTs?: number };
        if (payload.accountId !== sub) continue;
        payload.loginTs = Math.floor(Date.now() / 1000) - 11 * 60;
        await stage.tessera.store.db
          .updateTable('oidc_payloads')
          .set({ payload: JSON.stringify(payload) })
          .where('model', '=', 'Session')
          .where('id', '=', row.id)
          .execute();
      }
      const stale = await accountForm(trip.agent, '/account/delete');
      assert.equal(stale.status, 400);
      assert.match(stale.page, /This needs a recent sign-in/);
      const staleLink = await accountForm(trip.agent, '/account/social/microsoft/link');
      assert.equal(staleLink.status, 400, 'no new way in on an old session');
      assert.ok(await stage.tessera.accounts.findAccount(sub), 'nothing deleted');

      // Signed in again (a new sign-in with Google): deleted, and the links with it.
      const fresh = await signInWith(stage.tessera, shop, 'google');
      await fresh.exchange();
      const deleted = await accountForm(fresh.agent, '/account/delete');
      assert.equal(deleted.status, 200);
      assert.equal(await stage.tessera.accounts.findAccount(sub), undefined);
      assert.deepEqual(await links(sub), []);
    });
  });
}
