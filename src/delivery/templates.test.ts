import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderMail } from './index.ts';
import { catalogues, supportedLocales } from '../i18n/index.ts';
import { mailParams } from './templates.ts';

const verify = { code: '012345', link: 'https://id.example.com/verify?token=abc&x=1', expiresSeconds: 3600 };

describe('mail templates', () => {
  it('renders the verification mail with the code, the link, its life and a word about the spam folder', () => {
    const mail = renderMail('account.verify_email', verify);
    assert.equal(mail.subject, 'Confirm your e-mail address');
    assert.match(mail.text, /012345/);
    assert.match(
      mail.text,
      /https:\/\/id\.example\.com\/verify\?token=abc&x=1/,
      'the text part is plain, the link works as written',
    );
    assert.match(mail.text, /work for 1 hour and only once/);
    assert.match(mail.text, /spam folder/);
    assert.match(mail.html, /<a href="https:\/\/id\.example\.com\/verify\?token=abc&amp;x=1">/);
    assert.match(mail.html, /spam folder/);
  });

  it('says how long a link works in the words people use: "24 hours", not "1440 minutes" (issue 17)', () => {
    const day = renderMail('account.verify_email', { ...verify, expiresSeconds: 24 * 3600 });
    assert.match(day.text, /work for 24 hours and only once/);
    assert.match(day.html, /work for 24 hours and only once/);
    assert.doesNotMatch(day.text, /minutes/);
    const reset = renderMail('account.reset_password', { link: verify.link, expiresSeconds: 30 * 60 });
    assert.match(reset.text, /works for 30 minutes, once/);
    const change = renderMail('account.confirm_new_email', { link: verify.link, expiresSeconds: 2 * 86_400 });
    assert.match(change.text, /works for 2 days, once/);
  });

  it('tells the owner of a taken address how to sign in or reset, without creating anything', () => {
    const mail = renderMail('account.already_registered', {
      signInLink: 'https://id.example.com/sign-in',
      resetLink: 'https://id.example.com/reset',
    });
    assert.match(mail.text, /Sign in: https:\/\/id\.example\.com\/sign-in/);
    assert.match(mail.text, /Reset it: https:\/\/id\.example\.com\/reset/);
    assert.match(mail.html, /href="https:\/\/id\.example\.com\/reset"/);
  });

  it('escapes every hostile parameter in the HTML part', () => {
    const mail = renderMail('account.verify_email', {
      code: '<img src=x onerror=alert(1)>',
      link: 'https://x.example/"><script>alert(1)</script>',
      expiresSeconds: 600,
    });
    assert.doesNotMatch(mail.html, /<script>|<img/);
    assert.match(mail.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(
      mail.html,
      /href="https:\/\/x\.example\/&quot;&gt;&lt;script&gt;/,
      'the quote cannot close the attribute',
    );
    const changed = renderMail('account.email_changed', {
      newEmail: `o'brien"<b>@example.com`,
      undoLink: 'https://id.example.com/undo',
    });
    assert.match(changed.html, /o&#39;brien&quot;&lt;b&gt;@example\.com/);
  });

  it('refuses a link parameter that is not a web address (javascript: survives escaping)', () => {
    for (const link of ['javascript:alert(1)', 'data:text/html,x', '//evil.example/x', 'https://a.example/ b']) {
      assert.throws(
        () => renderMail('account.verify_email', { ...verify, link }),
        { code: 'delivery.invalid_parameter', field: 'link' },
        link,
      );
    }
  });

  it('refuses a missing parameter rather than sending a mail with a hole in it', () => {
    assert.throws(() => renderMail('account.verify_email', { code: '1', expiresSeconds: 300 }), {
      code: 'delivery.missing_parameter',
      field: 'link',
    });
    assert.throws(() => renderMail('account.verify_email', { ...verify, expiresSeconds: Number.NaN }), {
      code: 'delivery.missing_parameter',
      field: 'expiresSeconds',
    });
  });

  it('refuses an unknown template id, including names every object has', () => {
    for (const id of ['nope', 'toString', '__proto__', 'constructor']) {
      assert.throws(() => renderMail(id, {}), { code: 'delivery.unknown_template' }, id);
    }
  });

  it('writes a mail in the language asked for, a region read as its language, else English', () => {
    assert.equal(renderMail('account.verify_email', verify, 'ro-RO').subject, 'Confirmați adresa de e-mail');
    assert.match(renderMail('account.verify_email', verify, 'ro').text, /valabile 1 oră și o singură dată/);
    assert.deepEqual(renderMail('account.verify_email', verify, 'en-GB'), renderMail('account.verify_email', verify));
    assert.deepEqual(renderMail('account.verify_email', verify, 'xx'), renderMail('account.verify_email', verify));
  });

  it('keeps every language in step with English: same mails, same parameters, and every mail renders', () => {
    const ids = [
      ...new Set(
        Object.keys(catalogues.en)
          .filter((k) => k.startsWith('mail.'))
          .map((k) => k.slice(5, k.lastIndexOf('.'))),
      ),
    ];
    assert.ok(ids.length >= 10);
    for (const locale of supportedLocales) {
      for (const id of ids) {
        assert.deepEqual(mailParams(id, locale).sort(), mailParams(id, 'en').sort(), `${locale} ${id} parameters`);
        const params = Object.fromEntries(
          mailParams(id, locale).map((name) => [name, `https://id.example.com/${name}`]),
        );
        const mail = renderMail(id, params, locale);
        assert.ok(mail.subject && mail.text && mail.html, `${locale} ${id} renders`);
        assert.doesNotMatch(mail.subject + mail.text + mail.html, /\{\w+\}/, `${locale} ${id} leaves no placeholder`);
      }
    }
  });
});
