import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { t } from './index.ts';

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
