// Changing the primary address to one that only differs in case or Unicode form, or to another account's address.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';

for (const dialect of await testDialects()) {
  describe(`e-mail change edge cases on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect);
    });
    after(() => tessera.stop());

    it('treats case and Unicode forms as the same address, and answers a taken address without revealing it', async () => {
      const password = 'edge case passphrase';
      const jose = await tessera.accounts.createByOperator({ email: 'josé@example.com', password });
      await tessera.accounts.createByOperator({ email: 'bob@example.com', password });
      await assert.rejects(tessera.selfService.startEmailChange(jose.id, password, 'JOSÉ@Example.COM'), {
        code: 'identity.email_unchanged',
      });
      await assert.rejects(
        tessera.selfService.startEmailChange(jose.id, password, 'jose\u0301@example.com'),
        { code: 'identity.email_unchanged' },
        'NFD form of the same address',
      );
      const taken = await tessera.selfService.startEmailChange(jose.id, password, 'Bob@Example.com');
      assert.deepEqual(taken, { newEmail: 'bob@example.com' }, 'the same answer as for a free address');
      assert.deepEqual(
        (await tessera.outbox.recent({ to: 'bob@example.com' })).filter((m) => /Confirm your new/.test(m.subject)),
        [],
        'no link goes to the taken address',
      );
      await assert.rejects(tessera.selfService.startEmailChange(jose.id, 'wrong password', 'new@example.com'), {
        code: 'identity.wrong_password',
      });
      await assert.rejects(tessera.selfService.confirmEmailChange('tampered-token'), {
        code: 'identity.verification_invalid',
      });
      await assert.rejects(tessera.selfService.confirmEmailChange('x'.repeat(1000)), {
        code: 'identity.verification_invalid',
      });
      assert.equal((await tessera.accounts.findAccount(jose.id))?.email, 'josé@example.com', 'nothing changed');
    });
  });
}
