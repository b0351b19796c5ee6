// Each OpenID provider's claims turned into the person: what its ID tokens carry and which claim vouches for the
// address. The link's key is what the provider never reassigns.
import type { IDToken } from 'openid-client';
import { SocialError } from './errors.ts';
import type { SocialIdentity } from './provider.ts';

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim().slice(0, 320) : null);

/** Google: `sub` is the key; `email_verified` says whether Google confirmed the address. */
export function googleIdentity(claims: IDToken): SocialIdentity {
  return {
    provider: 'google',
    subject: claims.sub,
    email: text(claims.email),
    emailVerified: claims.email_verified === true,
    name: text(claims.name),
  };
}

// Personal Microsoft accounts all sign in under this one tenant.
const consumersTenant = '9188040d-6c67-4c5b-b112-36a304b66dad';
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Microsoft (Entra ID): the key is the tenant and the object id (`tid`, `oid`), stable across every app of the
 * tenant, where `sub` differs per app. Entra leaves `email_verified` out, and its `email` may be any address an
 * administrator typed: only the optional `xms_edov` claim ("e-mail domain owner verified") vouches for it.
 */
export function microsoftIdentity(tenant: string) {
  return (claims: IDToken): SocialIdentity => {
    const tid = text(claims.tid)?.toLowerCase();
    const oid = text(claims.oid)?.toLowerCase();
    if (!tid || !oid || !guid.test(tid) || !guid.test(oid)) {
      throw new SocialError('social.rejected', { message: 'Microsoft ID token without tid and oid' });
    }
    // The issuer is checked against the token's own tenant (`https://login.microsoftonline.com/{tid}/v2.0`); the
    // tenant setting decides which tenants may sign in at all.
    const allowed =
      tenant === 'common' ||
      (tenant === 'consumers' && tid === consumersTenant) ||
      (tenant === 'organizations' && tid !== consumersTenant) ||
      tenant.toLowerCase() === tid;
    if (!allowed) throw new SocialError('social.rejected', { message: `tenant ${tid} is not accepted` });
    const edov = claims.xms_edov;
    return {
      provider: 'microsoft',
      subject: `${tid}:${oid}`,
      email: text(claims.email),
      emailVerified: edov === true || edov === 'true' || edov === 1 || edov === '1',
      name: text(claims.name),
    };
  };
}
