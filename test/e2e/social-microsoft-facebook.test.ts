// Sign in with Microsoft (Entra ID's shapes: the tenant's issuer, `tid` and `oid` as the key, `xms_edov` vouching
// for the address) and with Facebook (plain OAuth 2.0, the Graph API's `/me` with appsecret_proof), each played by a
// real server on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type * as client from 'openid-client';
import { testDialects } from '../support/databases.ts';
import { registerApp, testRedirectUri } from '../support/oidc.ts';
import {
  appRequest,
  createWebAgent,
  pressProvider,
  signInWith,
  startSocialStage,
  type SocialStage,
} from '../support/social.ts';

for (const dialect of await testDialects()) {
  describe(`sign in with Microsoft and Facebook on ${dialect}`, () => {
    let stage: SocialStage;
    let shop: client.Configuration;
    before(async () => {
      stage = await startSocialStage(dialect);
      shop = await registerApp(stage.tessera, 'shop');
    });
    after(async () => stage?.stop());

    const links = (accountId: string) =>
      stage.tessera.store.db.selectFrom('social_links').selectAll().where('account_id', '=', accountId).execute();
    const microsoftPerson = (extra: Record<string, unknown> = {}) => {
      const oid = randomUUID();
      return {
        sub: `pairwise-${oid}`,
        tid: stage.microsoft.tenant,
        oid,
        email: `${oid.slice(0, 8)}@contoso.example`,
        xms_edov: true,
        name: 'Mo Contoso',
        ...extra,
      };
    };

    it('makes an account from Microsoft, keyed by tenant and object id, and signs in to it again', async () => {
      const person = microsoftPerson();
      stage.microsoft.next = person;
      const first = await signInWith(stage.tessera, shop, 'microsoft');
      assert.ok(first.end.url.startsWith(testRedirectUri), first.end.page.slice(0, 400));
      const sub = (await first.exchange()).claims()!.sub;
      assert.deepEqual(
        (await links(sub)).map((l) => [l.provider, l.subject]),
        [['microsoft', `${person.tid}:${person.oid}`]],
      );
      // Another app's pairwise `sub` and a changed address: the same tenant and object id, the same account.
      stage.microsoft.next = { ...person, sub: 'another-pairwise-sub', email: 'renamed@contoso.example' };
      const again = await signInWith(stage.tessera, shop, 'microsoft');
      assert.equal((await again.exchange()).claims()!.sub, sub);
    });

    it('makes no account without xms_edov, since Entra leaves email_verified out', async () => {
      stage.microsoft.next = microsoftPerson({ xms_edov: undefined, email_verified: true });
      const trip = await signInWith(stage.tessera, shop, 'microsoft');
      assert.equal(trip.end.status, 400);
      assert.match(trip.end.page, /has not confirmed your e-mail address/);
    });

    it("refuses a token naming another tenant than its issuer's, or another tenant altogether", async () => {
      const otherTenant = randomUUID();
      const cases: Array<[string, Record<string, unknown>]> = [
        ['tid of another tenant', { tid: otherTenant }],
        ['issuer of another tenant', { iss: `${stage.microsoft.issuer}/${otherTenant}/v2.0`, tid: otherTenant }],
        ['no oid', { oid: undefined }],
      ];
      for (const [name, changes] of cases) {
        stage.microsoft.next = microsoftPerson();
        stage.microsoft.tamper = (t) => stage.microsoft.resign(t, changes);
        const trip = await signInWith(stage.tessera, shop, 'microsoft');
        assert.equal(trip.end.status, 400, name);
        assert.match(trip.end.page, /could not be accepted/, name);
      }
    });

    it('makes an account from Facebook, proving the app secret on every Graph call', async () => {
      stage.facebook.next = { id: '10223344556677', name: 'Fay Book', email: 'fay@example.com' };
      const trip = await signInWith(stage.tessera, shop, 'facebook');
      assert.ok(trip.end.url.startsWith(testRedirectUri), trip.end.page.slice(0, 400));
      const claims = (await trip.exchange()).claims()!;
      assert.equal(claims.email, 'fay@example.com');
      assert.deepEqual(
        (await links(claims.sub)).map((l) => [l.provider, l.subject]),
        [['facebook', '10223344556677']],
      );
      assert.ok(stage.facebook.proofs.length > 0 && stage.facebook.proofs.every((p) => /^[0-9a-f]{64}$/.test(p)));
    });

    it('handles Facebook without an address, with Cancel, and with the Graph API down', async () => {
      stage.facebook.next = { id: '555000111', name: 'No Mail' };
      const noMail = await signInWith(stage.tessera, shop, 'facebook');
      assert.equal(noMail.end.status, 400);
      assert.match(noMail.end.page, /has not confirmed your e-mail address/);

      stage.facebook.next = 'cancel';
      const cancelled = await signInWith(stage.tessera, shop, 'facebook');
      assert.equal(cancelled.end.status, 400);
      assert.match(cancelled.end.page, /You cancelled at the provider/);

      stage.facebook.next = { id: '555000222', email: 'down@example.com' };
      stage.facebook.failure = '500';
      try {
        // The dialog itself is down too: the person never leaves, and is told so.
        const down = await signInWith(stage.tessera, shop, 'facebook');
        assert.equal(down.end.status, 500, 'the provider’s own error page');
      } finally {
        stage.facebook.failure = 'none';
      }
    });

    it('says Facebook is unavailable when the Graph API fails at the token exchange, and makes nothing', async () => {
      for (const failure of ['500', 'down'] as const) {
        stage.facebook.next = { id: `4440000${failure.length}`, email: `graph-${failure}@example.com` };
        const request = await appRequest(stage.tessera, shop);
        const agent = createWebAgent();
        const signInPage = await agent.go(request.url.toString());
        const at = await pressProvider(agent, stage.tessera.url, signInPage, 'facebook', '/social/facebook/callback');
        stage.facebook.failure = failure;
        const end = await agent.go(at.url).finally(() => {
          stage.facebook.failure = 'none';
        });
        assert.equal(end.status, 503, failure);
        assert.match(end.page, /cannot be reached right now/);
        const made = await stage.tessera.store.db
          .selectFrom('accounts')
          .select('id')
          .where('email', '=', `graph-${failure}@example.com`)
          .execute();
        assert.deepEqual(made, [], `no half-made account (${failure})`);
      }
    });

    it('never signs a workforce account in through a provider', async () => {
      await stage.tessera.accounts.createByOperator({
        email: 'staff@corp.example',
        password: 'a fine long passphrase',
        workforce: true,
      });
      stage.facebook.next = { id: '777888999', email: 'staff@corp.example' };
      const trip = await signInWith(stage.tessera, shop, 'facebook');
      assert.equal(trip.end.status, 400);
      assert.match(trip.end.page, /Staff accounts sign in with their company password/);
    });
  });
}
