import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedError } from '../ratelimit/index.ts';
import { OtpError } from '../otp/index.ts';
import { IdentityError } from '../identity/index.ts';
import { replyMessageFor } from './reply-messages.ts';

describe('RADIUS Reply-Messages', () => {
  it('names the sign-in limit, the directory states and the code refusals; else the step’s own refusal', () => {
    assert.equal(replyMessageFor(new RateLimitedError(60), 'password'), 'throttled');
    assert.equal(replyMessageFor({ code: 'directory.account_locked' }, 'password'), 'account_locked');
    assert.equal(replyMessageFor({ code: 'directory.wrong_password' }, 'password'), 'wrong_password');
    assert.equal(replyMessageFor(new Error('?'), 'password'), 'wrong_password');
    assert.equal(replyMessageFor(new OtpError('otp.replayed'), 'code'), 'code_used');
    assert.equal(replyMessageFor(new OtpError('otp.throttled', 5), 'code'), 'locked');
    assert.equal(replyMessageFor(new OtpError('otp.wrong_code'), 'code'), 'wrong_code');
    assert.equal(replyMessageFor(new IdentityError('identity.invalid_credentials'), 'code'), 'wrong_password');
  });
});
