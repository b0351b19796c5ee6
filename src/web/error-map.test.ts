import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityError } from '../identity/index.ts';
import { OtpError } from '../otp/index.ts';
import { RateLimitedError, RateLimitError } from '../ratelimit/index.ts';
import { SignInError } from '../signin/index.ts';
import { CaptchaError } from '../captcha/index.ts';
import { answerStatus, formError, webAnswer } from './error-map.ts';

const headers = () => {
  const set: Record<string, string> = {};
  return {
    set,
    reply: {
      header(name: string, value: string) {
        set[name] = value;
      },
    },
  };
};

describe('the web error map', () => {
  it('answers a throttle 429 with Retry-After and the page message web.rate_limited', () => {
    const answer = webAnswer(new RateLimitedError(42))!;
    assert.deepEqual([answer.message, answer.field, answer.params?.seconds], ['web.rate_limited', undefined, 42]);
    const { set, reply } = headers();
    assert.equal(answerStatus(reply, answer, 400), 429);
    assert.equal(set['retry-after'], '42');
  });

  it('keeps the route status for a form mistake, and ties it to the field the code belongs to', () => {
    const { set, reply } = headers();
    const tooShort = webAnswer(new IdentityError('identity.password_too_short', 'password', { min: 15 }))!;
    assert.deepEqual(
      [tooShort.message, tooShort.field, tooShort.params?.min],
      ['identity.password_too_short', 'password', 15],
    );
    assert.equal(answerStatus(reply, tooShort, 401), 401);
    assert.deepEqual(set, {});
    assert.equal(webAnswer(new OtpError('otp.throttled', 30))!.field, 'code');
    assert.equal(webAnswer(new OtpError('otp.throttled', 30))!.status, undefined, 'a throttled token is a form answer');
    assert.equal(webAnswer(new CaptchaError('captcha.invalid'))!.field, 'captcha');
    assert.equal(webAnswer(new SignInError('signin.code_required'))!.field, undefined);
  });

  it('throttles identity guesses at 429 too, by their own seconds', () => {
    const answer = webAnswer(new IdentityError('identity.too_many_attempts', 'code', { seconds: 9 }))!;
    assert.equal(answerStatus(headers().reply, answer, 400), 429);
    assert.equal(answer.retryAfterSeconds, 9);
  });

  it('places directory refusals: the name, nothing for an outage (503), the password otherwise', () => {
    const code = (c: string) => Object.assign(new RateLimitError('ratelimit.invalid_key'), { code: c });
    assert.equal(webAnswer(code('directory.invalid_name'))!.field, 'email');
    const down = webAnswer(code('directory.unreachable'))!;
    assert.deepEqual([down.field, down.status], [undefined, 503]);
    assert.equal(webAnswer(code('directory.wrong_password'))!.field, 'password');
    const expired = webAnswer(code('directory.password_expired'), { passwordChangeUrl: 'https://pw.example' })!;
    assert.deepEqual([expired.message, expired.params?.url], ['directory.password_expired_at', 'https://pw.example']);
  });

  it('has no words for anything else: formError rethrows it', () => {
    const plain = new Error('boom');
    assert.equal(webAnswer(plain), undefined);
    assert.throws(() => formError(plain), plain);
    assert.equal(webAnswer(new RateLimitError('ratelimit.invalid_rule')), undefined);
    assert.equal(webAnswer(new RateLimitError('ratelimit.unavailable'))!.status, 503);
  });
});
