// The pages put user data in as text, never as markup.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { signedInPage } from './pages.ts';
import { defaults } from './options.ts';

it('escapes the e-mail and claims it shows', () => {
  const email = '"><script>alert(1)</script>@example.test';
  const page = signedInPage(
    { name: 'Shop & <Co>', theme: defaults.theme },
    {
      id: 'id',
      sub: "o'brien",
      sid: undefined,
      idToken: 't',
      csrf: 'c',
      expiresAt: 0,
      claims: { sub: "o'brien", email, amr: ['<pwd>'], acr: '<acr>' },
    },
  );
  assert.doesNotMatch(page, /<script>|<pwd>|<acr>|<Co>/);
  assert.match(
    page,
    /Signed in as <span data-testid="email">&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;@example\.test<\/span>/,
  );
  assert.match(page, /o&#39;brien/);
  assert.match(page, /<html lang="en">/);
});
