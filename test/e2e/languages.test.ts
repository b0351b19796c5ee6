// The language of every page (issue 22): OIDC ui_locales, then the switcher's cookie, then Accept-Language, then
// i18n.defaultLocale; the accessibility menu's choices kept per browser. Hostile values change nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';

const get = (base: string, path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, base), { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
const langOf = (page: string) => /<html lang="([^"]+)"/.exec(page)?.[1];

for (const dialect of await testDialects()) {
  describe(`languages (${dialect})`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, { demo: true });
    });
    after(() => tessera?.stop());

    it('answers in the language the browser prefers, English when it has none of it', async () => {
      const ro = await (
        await get(tessera.url, '/reset-password', { 'accept-language': 'de;q=0.9, ro-RO, en;q=0.5' })
      ).text();
      assert.equal(langOf(ro), 'ro');
      assert.match(ro, /<h1>Resetați parola<\/h1>/);
      assert.match(ro, /Salt la conținut/);
      const en = await (await get(tessera.url, '/reset-password', { 'accept-language': 'de, fr;q=0.8' })).text();
      assert.equal(langOf(en), 'en');
      assert.match(en, /<h1>Reset password<\/h1>/);
      const refused = await (await get(tessera.url, '/reset-password', { 'accept-language': 'ro;q=0, en' })).text();
      assert.equal(langOf(refused), 'en', 'q=0 means not this language');
    });

    it('keeps the switcher choice in a cookie that outranks Accept-Language, and links back to the same page', async () => {
      const res = await get(tessera.url, '/reset-password?lang=ro', { 'accept-language': 'en' });
      const cookie = res.headers.get('set-cookie') ?? '';
      assert.match(cookie, /tessera_lang=ro; Path=\/; Max-Age=31536000; SameSite=Lax/);
      const page = await res.text();
      assert.equal(langOf(page), 'ro');
      assert.match(page, /<a href="\/reset-password\?lang=en" hreflang="en" lang="en">English<\/a>/);
      assert.match(page, /aria-current="true">Română<\/a>/);
      const next = await (
        await get(tessera.url, '/reset-password', { cookie: 'tessera_lang=ro', 'accept-language': 'en' })
      ).text();
      assert.equal(langOf(next), 'ro');
    });

    it("links a form's answer page to the page above it that a GET shows, never to a 404", async () => {
      const post = (path: string) =>
        fetch(new URL(path, tessera.url), {
          method: 'POST',
          headers: {
            accept: 'text/html',
            'content-type': 'application/x-www-form-urlencoded',
            'accept-language': 'ro',
          },
          body: 'csrf=forged',
        });
      const interaction = await (await post('/interaction/abc123/login')).text();
      assert.equal(langOf(interaction), 'ro');
      assert.match(interaction, /<a href="\/interaction\/abc123\?lang=en" hreflang="en"/);
      const reset = await (await post('/reset-password')).text();
      assert.match(reset, /<a href="\/reset-password\?lang=en" hreflang="en"/);
    });

    it('takes OIDC ui_locales on the authorization request and keeps it for the sign-in pages', async () => {
      const res = await get(tessera.url, '/oidc/auth?client_id=nope&ui_locales=fr%20ro-RO', {
        cookie: 'tessera_lang=en',
      });
      assert.match(res.headers.get('set-cookie') ?? '', /tessera_lang=ro;/);
    });

    it('ignores language tags it does not have and hostile values', async () => {
      for (const lang of ['xx', '../../etc', 'ro<script>', 'r'.repeat(100), '']) {
        const res = await get(tessera.url, `/reset-password?lang=${encodeURIComponent(lang)}`, {
          'accept-language': 'en',
        });
        assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /tessera_lang/, lang);
        assert.equal(langOf(await res.text()), 'en', lang);
      }
      const forged = await (
        await get(tessera.url, '/reset-password', { cookie: 'tessera_lang="><x', 'accept-language': 'x'.repeat(5000) })
      ).text();
      assert.equal(langOf(forged), 'en');
    });

    it('answers error pages in the language too', async () => {
      const res = await get(tessera.url, '/no-such-page', { 'accept-language': 'ro' });
      assert.equal(res.status, 404);
      assert.match(await res.text(), /Această pagină nu există\./);
    });

    it("answers a SAML app's broken request in the person's language", async () => {
      const res = await get(tessera.url, '/saml/sso?SAMLRequest=not-base64-deflate', { 'accept-language': 'ro' });
      assert.equal(res.status, 400);
      const page = await res.text();
      assert.equal(langOf(page), 'ro');
      assert.match(page, /Aplicația a trimis o cerere de autentificare care nu a putut fi citită\./);
    });

    it('keeps the accessibility menu choices per browser: larger text and high contrast', async () => {
      const res = await get(tessera.url, '/reset-password?view=large-text');
      assert.match(res.headers.get('set-cookie') ?? '', /tessera_view=large-text;/);
      assert.match(await res.text(), /<html lang="en" class="large-text">/);
      const both = await (
        await get(tessera.url, '/reset-password?view=high-contrast', { cookie: 'tessera_view=large-text' })
      ).text();
      assert.match(both, /class="large-text high-contrast"/);
      assert.match(both, /href="\/reset-password\?view=-large-text">Normal text size</);
      const off = await get(tessera.url, '/reset-password?view=-large-text', { cookie: 'tessera_view=large-text' });
      assert.match(off.headers.get('set-cookie') ?? '', /tessera_view=;/);
      for (const forged of ['%E0%A4%A', 'large-text%2Chigh-contrast%ZZ', '"><script>', 'x'.repeat(4000)]) {
        const res = await get(tessera.url, '/reset-password', { cookie: `tessera_view=${forged}` });
        assert.equal(res.status, 200, forged);
        assert.match(await res.text(), /<html lang="en"( class="large-text")?>/, forged);
      }
    });
  });
}
