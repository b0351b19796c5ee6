// Parallel requests against a social sign-in's single-use steps and limits: one callback fired many times at once
// is used once, the same new person arriving twice at once gets one account, and trips started from one address are
// limited (each stores a flow), reserved before the trip is made.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as client from 'openid-client';
import { testDialects } from '../support/databases.ts';
import { registerApp, testRedirectUri } from '../support/oidc.ts';
import { hiddenField } from '../support/tessera.ts';
import { appRequest, createWebAgent, pressProvider, startSocialStage, type SocialStage } from '../support/social.ts';

const tripsAllowed = 8;

for (const dialect of await testDialects()) {
  describe(`social sign-in under parallel requests on ${dialect}`, () => {
    let stage: SocialStage;
    let shop: client.Configuration;
    before(async () => {
      stage = await startSocialStage(dialect, {
        limits: { signInPerSource: { limit: tripsAllowed, windowSeconds: 300 } },
      });
      shop = await registerApp(stage.tessera, 'shop');
    });
    after(async () => stage?.stop());

    /** A trip stopped at the callback, not yet followed. */
    async function atCallback() {
      const request = await appRequest(stage.tessera, shop);
      const agent = createWebAgent();
      const signInPage = await agent.go(request.url.toString());
      const step = await pressProvider(agent, stage.tessera.url, signInPage, 'google', '/social/google/callback');
      return { agent, request, callback: step.url };
    }
    const accountsWith = async (email: string) =>
      (await stage.tessera.store.db.selectFrom('accounts').select('id').where('email', '=', email).execute()).length;

    it('uses a callback fired five times at once once, and makes one account', async () => {
      stage.google.next = { sub: 'burst', email: 'burst@example.com', email_verified: true };
      const { agent, callback } = await atCallback();
      const answers = await Promise.all(Array.from({ length: 5 }, () => agent.request(callback)));
      const onward = answers.filter(
        (r) => r.status === 303 && /\/interaction\/[^/]+\/social$/.test(r.headers.get('location') ?? ''),
      );
      assert.equal(onward.length, 1, `statuses ${answers.map((r) => r.status)}`);
      assert.equal(answers.filter((r) => r.status === 400).length, 4);
      assert.equal(
        await agent
          .go(new URL(onward[0]!.headers.get('location')!, stage.tessera.url).toString())
          .then((s) => s.url.startsWith(testRedirectUri)),
        true,
      );
      assert.equal(await accountsWith('burst@example.com'), 1);
    });

    it('gives the same new person arriving in two browsers at once one account', async () => {
      stage.google.next = { sub: 'twice', email: 'twice@example.com', email_verified: true };
      const trips = [await atCallback(), await atCallback()];
      const ends = await Promise.all(trips.map((t) => t.agent.go(t.callback)));
      const subs = await Promise.all(
        ends.map(async (end, i) => {
          assert.ok(end.url.startsWith(testRedirectUri), end.page.slice(0, 200));
          return (await trips[i]!.request.exchange(end.url)).claims()!.sub;
        }),
      );
      assert.equal(subs[0], subs[1]);
      assert.equal(await accountsWith('twice@example.com'), 1);
    });

    it('limits trips started from one address, counting parallel ones before they leave', async () => {
      const agent = createWebAgent();
      const request = await appRequest(stage.tessera, shop);
      const page = await agent.go(request.url.toString());
      const action = page.page.match(/action="(\/[^"]*\/social\/google)"/)![1]!;
      const csrf = hiddenField(page.page, 'csrf');
      const answers = await Promise.all(
        Array.from({ length: tripsAllowed + 2 }, () =>
          agent.request(new URL(action, stage.tessera.url).toString(), {
            method: 'POST',
            body: new URLSearchParams({ csrf }),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
        ),
      );
      const started = answers.filter((r) => r.status === 303).length;
      const refused = answers.filter((r) => r.status === 429);
      // Earlier tests of this suite started three trips from the same address.
      assert.equal(started, tripsAllowed - 3, `statuses ${answers.map((r) => r.status)}`);
      assert.equal(refused.length, answers.length - started);
      assert.ok(refused.every((r) => Number(r.headers.get('retry-after')) > 0));
    });
  });
}
