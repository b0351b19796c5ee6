// Sign in with Google, played by a real OpenID provider on 127.0.0.1 in Google's shapes: a first sign-in makes the
// account from the confirmed address, the apps see one `sub` whichever way the person comes, and every check of the
// provider's answer (state, issuer, nonce, signature, algorithm) refuses a bad one without making anything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as client from 'openid-client';
import { testDialects } from '../support/databases.ts';
import { registerApp, testRedirectUri } from '../support/oidc.ts';
import {
  createWebAgent,
  pressProvider,
  appRequest,
  signInWith,
  startSocialStage,
  type SocialStage,
} from '../support/social.ts';

for (const dialect of await testDialects()) {
  describe(`sign in with Google on ${dialect}`, () => {
    let stage: SocialStage;
    let shop: client.Configuration;
    let forum: client.Configuration;
    before(async () => {
      stage = await startSocialStage(dialect);
      shop = await registerApp(stage.tessera, 'shop');
      forum = await registerApp(stage.tessera, 'forum');
    });
    after(async () => stage?.stop());

    const accountCount = async () =>
      Number(
        (
          await stage.tessera.store.db
            .selectFrom('accounts')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('signs up with Google, and the forum gets the same sub as the shop', async () => {
      stage.google.next = { sub: '1098765432101', email: 'ana.g@example.com', email_verified: true, name: 'Ana G' };
      const first = await signInWith(stage.tessera, shop, 'google');
      assert.ok(
        first.end.url.startsWith(testRedirectUri),
        `back at the app: ${first.end.url} ${first.end.page.slice(0, 300)}`,
      );
      const tokens = await first.exchange();
      const claims = tokens.claims()!;
      assert.equal(claims.email, 'ana.g@example.com');
      const account = await stage.tessera.accounts.findAccount(claims.sub);
      assert.equal(account?.emailVerified, true);
      assert.equal(account?.passwordHash, null, 'no password was made up');

      // Another browser, the forum: signed in with Google again, the same person.
      const second = await signInWith(stage.tessera, forum, 'google');
      assert.equal((await second.exchange()).claims()!.sub, claims.sub);
      // The same browser at the forum: single sign-on, no provider trip.
      const request = await appRequest(stage.tessera, forum);
      const sso = await first.agent.go(request.url.toString());
      assert.equal((await request.exchange(sso.url)).claims()!.sub, claims.sub);
    });

    it('shows a Continue with button for each configured provider on sign-in and sign-up', async () => {
      const request = await appRequest(stage.tessera, shop);
      const page = await createWebAgent().go(request.url.toString());
      for (const name of ['Google', 'Microsoft', 'Facebook'])
        assert.match(page.page, new RegExp(`Continue with ${name}`));
      const signUp = await createWebAgent().go(
        (await appRequest(stage.tessera, shop, { prompt: 'create' })).url.toString(),
      );
      assert.match(signUp.page, /Create your account/);
      assert.match(signUp.page, /Continue with Google/);
    });
    // A trip whose provider answer is made bad by `tamper`; nothing may be signed in or made.
    async function refusedTrip(person: Record<string, unknown>, tamper?: (token: string) => Promise<string>) {
      stage.google.next = { sub: String(person.sub), ...person };
      stage.google.tamper = tamper;
      const before = await accountCount();
      const trip = await signInWith(stage.tessera, shop, 'google');
      assert.equal(await accountCount(), before, 'no account was made');
      assert.ok(!trip.end.url.startsWith(testRedirectUri), 'the app got no code');
      return trip.end;
    }
    const person = (sub: string) => ({ sub, email: `${sub}@example.com`, email_verified: true, name: 'Eve' });

    it("refuses an ID token from another issuer, without a nonce or with another sign-in's nonce", async () => {
      const issued = await signInWith(stage.tessera, shop, 'google');
      assert.ok(issued.end.url.startsWith(testRedirectUri));
      const earlier = stage.google.lastIdToken!;
      const cases: Array<[string, (t: string) => Promise<string>]> = [
        ['wrong iss', (t) => stage.google.resign(t, { iss: 'https://accounts.google.com' })],
        ['no nonce', (t) => stage.google.resign(t, { nonce: undefined })],
        ['replayed nonce', async () => earlier],
        ['other audience', (t) => stage.google.resign(t, { aud: 'someone-else' })],
      ];
      for (const [name, tamper] of cases) {
        const end = await refusedTrip(person(`bad-${name.replaceAll(' ', '-')}`), tamper);
        assert.equal(end.status, 400, name);
        assert.match(end.page, /could not be accepted/, name);
      }
    });

    it('refuses an ID token signed by another key or with alg none', async () => {
      for (const signer of ['other', 'none'] as const) {
        const end = await refusedTrip(person(`signer-${signer}`), (t) => stage.google.resign(t, {}, signer));
        assert.equal(end.status, 400, signer);
        assert.match(end.page, /could not be accepted/, signer);
      }
    });

    it('refuses a wrong state, a callback in another browser and a callback replayed', async () => {
      stage.google.next = person('state-owner');
      const request = await appRequest(stage.tessera, shop);
      const agent = createWebAgent();
      const signInPage = await agent.go(request.url.toString());
      const atCallback = await pressProvider(agent, stage.tessera.url, signInPage, 'google', '/social/google/callback');
      const callback = new URL(atCallback.url);
      assert.match(callback.pathname, /\/social\/google\/callback$/);

      const wrongState = new URL(callback);
      wrongState.searchParams.set('state', 'x'.repeat(43));
      const wrong = await agent.go(wrongState.toString());
      assert.equal(wrong.status, 400);
      assert.match(wrong.page, /expired or was started in another browser/);

      // Someone lured into finishing another person's trip: refused before the code is spent (login CSRF).
      const elsewhere = await createWebAgent().go(callback.toString());
      assert.equal(elsewhere.status, 400);
      assert.match(elsewhere.page, /expired or was started in another browser/);

      const done = await agent.go(callback.toString());
      assert.ok(done.url.startsWith(testRedirectUri), "the trip's own browser finishes it");
      await request.exchange(done.url);
      const replayed = await agent.go(callback.toString());
      assert.equal(replayed.status, 400, 'a callback is used once');
    });

    it('does not hand an account to the same address at another sub, nor to an unconfirmed address', async () => {
      stage.google.next = { sub: 'owner-sub', email: 'owner@example.com', email_verified: true };
      const owner = await signInWith(stage.tessera, shop, 'google');
      const ownerSub = (await owner.exchange()).claims()!.sub;

      // The same address at another Google account: told to prove the existing account, not signed in to it.
      stage.google.next = { sub: 'other-sub', email: 'owner@example.com', email_verified: true };
      const other = await signInWith(stage.tessera, shop, 'google');
      assert.equal(other.end.status, 200);
      assert.match(other.end.page, /already exists/);
      assert.match(other.end.page, /name="password"/);

      // An address the provider has not confirmed never makes or takes an account (T23).
      for (const email of ['owner@example.com', 'fresh-unconfirmed@example.com']) {
        const end = await refusedTrip({ sub: `unverified-${email}`, email, email_verified: false });
        assert.equal(end.status, 400);
        assert.match(end.page, /has not confirmed your e-mail address/);
      }
      const links = await stage.tessera.store.db
        .selectFrom('social_links')
        .selectAll()
        .where('account_id', '=', ownerSub)
        .execute();
      assert.deepEqual(
        links.map((l) => l.subject),
        ['owner-sub'],
      );
    });

    it('links an existing password account after its password, and the app sees the same sub', async () => {
      const email = 'has-password@example.com';
      const password = 'a fine long passphrase';
      const account = await stage.tessera.accounts.createByOperator({ email, password });
      stage.google.next = { sub: 'pw-sub', email: 'Has-Password@example.com', email_verified: true };
      const trip = await signInWith(stage.tessera, shop, 'google');
      const action = trip.end.page.match(/action="([^"]+\/social\/link)"/)![1]!;
      const csrf = trip.end.page.match(/name="csrf" value="([^"]+)"/)![1]!;
      const wrong = await trip.agent.post(new URL(action, stage.tessera.url).toString(), {
        csrf,
        password: 'not it at all, no',
      });
      assert.equal(wrong.status, 401);
      assert.match(wrong.page, /name="password"/);
      const right = await trip.agent.post(new URL(action, stage.tessera.url).toString(), { csrf, password });
      assert.ok(right.url.startsWith(testRedirectUri), right.page.slice(0, 300));
      assert.equal((await trip.request.exchange(right.url)).claims()!.sub, account.id);
      // Next time Google alone signs in to the same account.
      const again = await signInWith(stage.tessera, forum, 'google');
      assert.equal((await again.exchange()).claims()!.sub, account.id);
    });

    it('says the provider is unavailable when it answers 500 or not at all, and the person cancelling', async () => {
      for (const failure of ['500', 'down'] as const) {
        stage.google.next = person(`failure-${failure}`);
        const request = await appRequest(stage.tessera, shop);
        const agent = createWebAgent();
        const signInPage = await agent.go(request.url.toString());
        const atCallback = await pressProvider(
          agent,
          stage.tessera.url,
          signInPage,
          'google',
          '/social/google/callback',
        );
        const before = await accountCount();
        stage.google.failure = failure;
        const end = await agent.go(atCallback.url);
        stage.google.failure = 'none';
        assert.equal(end.status, 503, failure);
        assert.match(end.page, /cannot be reached right now/);
        assert.equal(await accountCount(), before, `no half-made account (${failure})`);
      }
      stage.google.next = 'cancel';
      const cancelled = await signInWith(stage.tessera, shop, 'google');
      assert.equal(cancelled.end.status, 400);
      assert.match(cancelled.end.page, /You cancelled at the provider/);
    });

    it('asks for the OTP code after a Google sign-in at an app whose policy requires it', async () => {
      await stage.tessera.policies.save(
        { appId: 'otp-app', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      const otpApp = await registerApp(stage.tessera, 'otp-app');
      stage.google.next = person('otp-person');
      const trip = await signInWith(stage.tessera, otpApp, 'google');
      assert.ok(!trip.end.url.startsWith(testRedirectUri), 'no code for the app before the second factor');
      assert.match(trip.end.page, /name="code"/);
    });
  });
}
