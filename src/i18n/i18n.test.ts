import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  catalogues,
  chooseLocale,
  formatDateTime,
  fromAcceptLanguage,
  inLocale,
  localeFromEnvironment,
  messageParams,
  referenceLocale,
  supportedLocaleOf,
  supportedLocales,
  t,
  type MessageId,
} from './index.ts';

describe('messages', () => {
  it("writes numbers the locale's way and leaves strings as they are", () => {
    assert.equal(
      t('identity.password_too_long', { max: 1024 }),
      'That password is too long: use at most 1,024 characters.',
    );
    assert.equal(t('identity.password_too_short', { min: 15 }), 'Use at least 15 characters.');
    // A value that only looks like a number (a serial, a code) is passed as a string and kept whole.
    assert.match(t('account.otp_token', { type: 'hardware', serial: '0012345678', state: 'active' }), /0012345678/);
    assert.equal(t('identity.password_too_short'), 'Use at least {min} characters.', 'a missing value shows its name');
  });

  it('writes a wait in the words people use, not a count of seconds (issue 17)', () => {
    assert.equal(t('web.rate_limited', { seconds: 45 }), 'Too many attempts. Wait 45 seconds, then try again.');
    assert.match(t('identity.too_many_attempts', { seconds: 900 }), /Wait 15 minutes, then try again\.$/);
    assert.equal(t('otp.throttled', { seconds: 3600 }), 'Too many wrong codes. Wait 1 hour, then try again.');
  });
});

// Ids whose Romanian text is rightly the same as the English one: names, and messages made only of parameters.
const sameInBothLanguages = new Set([
  'app.name',
  'mailbox.sms',
  'account.otp_token',
  'social.linked_item',
  'social.provider.google',
  'social.provider.microsoft',
  'social.provider.facebook',
  'account.time_utc',
  'desktop.pin',
  'desktop.prompt_pin',
]);
const englishWords = /\b(the|your|you|and|with|please|sign|password|account|code|again|not|this|enter|wait)\b/i;

describe('catalogues', () => {
  const ids = Object.keys(catalogues[referenceLocale]) as MessageId[];

  it('have every message in every language, with the same parameters', () => {
    assert.ok(supportedLocales.includes('ro'));
    for (const locale of supportedLocales) {
      assert.deepEqual(Object.keys(catalogues[locale]).sort(), [...ids].sort(), `${locale}: same ids as English`);
      for (const id of ids)
        assert.deepEqual(messageParams(id, locale).sort(), messageParams(id).sort(), `${locale} ${id}: parameters`);
    }
  });

  it('leave no English in Romanian, except names on an allow-list', () => {
    for (const id of ids) {
      if (sameInBothLanguages.has(id)) continue;
      assert.notEqual(catalogues.ro[id], catalogues.en[id], `ro ${id} is still English`);
      const words = (catalogues.ro[id] ?? '').replace(/<[^>]*>|\{[^}]*\}|https?:\S+/g, ' ');
      assert.doesNotMatch(words, englishWords, `ro ${id} has an English word`);
    }
  });

  it('write ș and ț with the comma below, never ş ţ with the cedilla', () => {
    for (const locale of supportedLocales)
      for (const id of ids) assert.doesNotMatch(catalogues[locale][id] ?? '', /[şţŞŢ]/, `${locale} ${id}`);
    assert.match(Object.values(catalogues.ro).join(' '), /ș.*ț/s, 'Romanian uses its diacritics');
  });

  it("follows Intl.PluralRules('ro') and writes numbers and durations through Intl", () => {
    assert.equal(t('identity.password_too_short', { min: 1 }, 'ro'), 'Folosiți cel puțin 1 caracter.');
    assert.equal(t('identity.password_too_short', { min: 8 }, 'ro'), 'Folosiți cel puțin 8 caractere.');
    assert.equal(t('identity.password_too_short', { min: 15 }, 'ro'), 'Folosiți cel puțin 15 caractere.');
    assert.equal(t('identity.password_too_short', { min: 20 }, 'ro'), 'Folosiți cel puțin 20 de caractere.');
    assert.equal(t('identity.password_too_short', { min: 101 }, 'ro'), 'Folosiți cel puțin 101 caractere.');
    assert.match(t('identity.password_too_long', { max: 1024 }, 'ro'), /cel mult 1\.024 de caractere\.$/);
    assert.equal(
      t('web.rate_limited', { seconds: 120 }, 'ro'),
      'Prea multe încercări. Așteptați 2 minute, apoi încercați din nou.',
    );
    assert.match(t('otp.throttled', { seconds: 1200 }, 'ro'), /Așteptați 20 de minute,/);
    assert.equal(formatDateTime(Date.UTC(2026, 11, 5, 23, 40), 'ro'), '5 decembrie 2026 la 23:40');
    assert.equal(t('console.imported', { count: 1 }), 'Imported 1 hardware token.', 'English has its plural too');
    assert.equal(t('console.imported', { count: 2 }), 'Imported 2 hardware tokens.');
    assert.equal(t('console.imported', { count: 1 }, 'ro'), 'S-a importat 1 token hardware.');
  });

  it("answers in the request's language when none is named, English outside a request", () => {
    assert.equal(t('signin.title'), 'Sign in');
    assert.equal(
      inLocale('ro', () => t('signin.title')),
      'Autentificare',
    );
    assert.equal(t('signin.title', {}, 'xx'), 'Sign in', 'an unknown language gets English');
  });
});

describe('choosing the language', () => {
  it('takes ui_locales, then the cookie, then Accept-Language, then the default', () => {
    assert.equal(chooseLocale({ uiLocales: 'fr ro-RO', cookie: 'en', acceptLanguage: 'en' }, 'en'), 'ro');
    assert.equal(chooseLocale({ uiLocales: 'fr', cookie: 'ro', acceptLanguage: 'en' }, 'en'), 'ro');
    assert.equal(chooseLocale({ cookie: 'xx', acceptLanguage: 'de, ro;q=0.8, en;q=0.5' }, 'en'), 'ro');
    assert.equal(chooseLocale({ acceptLanguage: 'de, *;q=0.5' }, 'ro'), 'ro');
    assert.equal(chooseLocale({ acceptLanguage: 'ro;q=0, en;q=0.1' }, 'ro'), 'en');
    assert.equal(chooseLocale({}, 'xx'), 'en');
  });

  it("takes a desktop program's language from LC_ALL, LC_MESSAGES or LANG", () => {
    assert.equal(localeFromEnvironment({ LANG: 'ro_RO.UTF-8' }), 'ro');
    assert.equal(localeFromEnvironment({ LC_ALL: 'en_GB.UTF-8', LANG: 'ro_RO.UTF-8' }), 'en');
    assert.equal(localeFromEnvironment({ LC_MESSAGES: 'ro_MD', LANG: 'de_DE' }), 'ro');
    assert.equal(localeFromEnvironment({ LANG: 'de_DE.UTF-8' }), 'en', 'a language Tessera lacks gets English');
    assert.equal(localeFromEnvironment({ LC_ALL: 'C', LANG: 'ro_RO@euro' }), 'ro', 'C names no language');
  });

  it('reads nothing from hostile values', () => {
    for (const bad of ['../ro', 'ro<script>', 'r'.repeat(40), '', ' ', 'constructor', '__proto__', 'toString'])
      assert.equal(supportedLocaleOf(bad), undefined, bad);
    assert.equal(
      fromAcceptLanguage(`${'x;q=0.1,'.repeat(10_000)}ro`),
      undefined,
      'a long header is cut, not parsed whole',
    );
  });
});
