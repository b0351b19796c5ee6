import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from './logging.ts';

describe('request log redaction', () => {
  it('masks tokens, codes and unknown query values but keeps the path and harmless parameters', () => {
    assert.equal(redactUrl('/verify-email?token=abc123secret'), '/verify-email?token=[redacted]');
    const logged = redactUrl('/oidc/auth?client_id=shop&code_challenge=xyz&state=s3cret&scope=openid');
    assert.match(logged, /client_id=shop/);
    assert.match(logged, /scope=openid/);
    assert.doesNotMatch(logged, /xyz|s3cret/);
    assert.equal(redactUrl('/healthz'), '/healthz');
  });
});
