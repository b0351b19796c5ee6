// Marketing mail is opt-in, carries one-click unsubscribe (RFC 8058 / RFC 2369) that works without signing in,
// and unsubscribing never stops the mail about the account itself.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp.ts';

for (const dialect of await testDialects()) {
  describe(`marketing mail and one-click unsubscribe on ${dialect}`, () => {
    let smtp: SmtpTestServer;
    let tessera: RunningTessera;
    before(async () => {
      smtp = await startSmtpServer();
      tessera = await startTessera(dialect, { mail: { smtpUrl: smtp.url, marketingPerMinute: 60_000 } });
    });
    after(async () => {
      await tessera.stop();
      await smtp.stop();
    });

    async function customer(email: string, marketingOptIn: boolean) {
      const pending = await tessera.accounts.signUp({ email, password: 'customer passphrase', marketingOptIn });
      const mail = await smtp.waitForMail((m) => m.to.includes(email) && /Confirm/.test(m.subject));
      return tessera.accounts.confirmByCode(pending.verificationId, mail.text.match(/\b(\d{6})\b/)![1]);
    }

    it('sends a campaign only to those who opted in, with RFC 8058 headers and a visible unsubscribe button', async () => {
      const yes = await customer(`yes-${dialect}@example.com`, true);
      await customer(`no-${dialect}@example.com`, false);
      assert.deepEqual(await tessera.selfService.marketing(yes.id).then((m) => [m.subscribed, m.source]), [
        true,
        'signup',
      ]);
      const { recipients } = await tessera.sendCampaign({
        subject: 'Winter sale',
        html: '<h1>Winter sale</h1><p>Everything <b>half price</b>.</p>',
      });
      assert.equal(recipients, 1);
      const mail = await smtp.waitForMail((m) => m.subject === 'Winter sale');
      assert.deepEqual(mail.to, [`yes-${dialect}@example.com`]);
      const unsubscribe = mail.headers.get('list-unsubscribe')!.replace(/^<|>$/g, '');
      assert.ok(unsubscribe.startsWith(`${tessera.url}/unsubscribe?t=`), 'the link uses the configured issuer');
      assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      assert.match(mail.text, /Unsubscribe from these mails: http/);
      assert.match(mail.raw, /Unsubscribe<\/a>/);

      // A person's click shows a confirmation page first, and changes nothing yet.
      const shown = await fetch(unsubscribe);
      assert.match(await shown.text(), /Stop receiving news and offers/);
      assert.equal((await tessera.selfService.marketing(yes.id)).subscribed, true);

      // The mail client's one-click POST unsubscribes at once, without signing in; doing it again is harmless.
      for (let i = 0; i < 2; i++) {
        const response = await fetch(unsubscribe, {
          method: 'POST',
          body: 'List-Unsubscribe=One-Click',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(response.status, 200);
      }
      assert.deepEqual(await tessera.selfService.marketing(yes.id).then((m) => [m.subscribed, m.source]), [
        false,
        'unsubscribe_link',
      ]);
      const audit = await tessera.store.db
        .selectFrom('audit_events')
        .select(['action', 'source'])
        .where('subject', '=', yes.id)
        .where('action', '=', 'marketing.unsubscribe')
        .execute();
      assert.equal(audit.length, 1, 'recorded once');
      assert.equal(audit[0].source, '127.0.0.1', 'with the address the request came from');

      assert.equal((await tessera.sendCampaign({ subject: 'Spring sale', html: '<p>Spring</p>' })).recipients, 0);

      // Account mail still comes.
      await tessera.selfService.changePassword(yes.id, 'customer passphrase', 'a newer customer passphrase');
      await smtp.waitForMail(
        (m) => m.to.includes(`yes-${dialect}@example.com`) && /password was changed/.test(m.subject),
      );
    });

    it('refuses tampered, forged and malformed unsubscribe links without changing anyone', async () => {
      const other = await customer(`other-${dialect}@example.com`, true);
      const link = new URL(tessera.unsubscribeLink(other.id));
      const token = link.searchParams.get('t')!;
      const [encoded, signature] = token.split('.');
      const forgedFor = `${Buffer.from('someone-else').toString('base64url')}.${signature}`;
      for (const bad of [`${encoded}.${signature.slice(0, -2)}xx`, forgedFor, 'garbage', '', '.', 'x'.repeat(299)]) {
        const response = await fetch(`${tessera.url}/unsubscribe?t=${encodeURIComponent(bad)}`, {
          method: 'POST',
          body: 'List-Unsubscribe=One-Click',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(response.status, 400, bad);
      }
      assert.equal((await fetch(`${tessera.url}/unsubscribe?t=${'x'.repeat(400)}`, { method: 'POST' })).status, 400);
      assert.equal((await tessera.selfService.marketing(other.id)).subscribed, true);
    });
  });
}
