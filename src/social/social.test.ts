// The providers' settings and claim shapes without a network: which variables configure a provider, and which
// Microsoft tenants each `tenant` setting lets in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IDToken } from 'openid-client';
import { loadConfig } from '../config.ts';
import { googleIdentity, microsoftIdentity } from './shapes.ts';

const consumers = '9188040d-6c67-4c5b-b112-36a304b66dad';
const work = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const token = (claims: Record<string, unknown>) =>
  ({ iss: 'x', aud: 'y', exp: 0, iat: 0, sub: 'pairwise', ...claims }) as IDToken;

describe('social settings and claims', () => {
  it('configures a provider from its environment variables, and none by default', () => {
    const env = {
      TESSERA_SOCIAL_GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com',
      TESSERA_SOCIAL_GOOGLE_CLIENT_SECRET: 'secret',
      TESSERA_SOCIAL_MICROSOFT_CLIENT_ID: 'ms',
      TESSERA_SOCIAL_MICROSOFT_CLIENT_SECRET: 'ms-secret',
    };
    const config = loadConfig({ env, file: '/nonexistent.json' });
    assert.equal(config.social.google?.clientId, 'id.apps.googleusercontent.com');
    assert.equal(config.social.microsoft?.tenant, 'common');
    assert.equal(config.social.facebook, undefined);
    assert.equal(loadConfig({ env: {}, file: '/nonexistent.json' }).social.google, undefined);
  });

  it('lets in the tenants each Microsoft tenant setting names, keyed by tid and oid', () => {
    const person = (tid: string) => token({ tid, oid: '00000000-0000-0000-0000-0000000000aa', xms_edov: true });
    assert.equal(microsoftIdentity('common')(person(work)).subject, `${work}:00000000-0000-0000-0000-0000000000aa`);
    assert.ok(microsoftIdentity('consumers')(person(consumers)));
    assert.throws(() => microsoftIdentity('consumers')(person(work)), { code: 'social.rejected' });
    assert.throws(() => microsoftIdentity('organizations')(person(consumers)), { code: 'social.rejected' });
    assert.ok(microsoftIdentity(work.toUpperCase())(person(work)));
    assert.throws(() => microsoftIdentity('common')(token({ tid: work })), { code: 'social.rejected' });
  });

  it('takes only a confirmed address as verified', () => {
    assert.equal(
      microsoftIdentity('common')(token({ tid: work, oid: work, email_verified: true })).emailVerified,
      false,
    );
    assert.equal(googleIdentity(token({ email: 'a@example.com', email_verified: 'true' })).emailVerified, false);
    assert.equal(googleIdentity(token({ email: 'a@example.com', email_verified: true })).emailVerified, true);
  });
});
