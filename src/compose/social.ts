// Sign in with Google, Facebook or Microsoft: the configured providers and the links; absent when none is set.
import { cryptoRandom } from '../clock/index.ts';
import { createSocial, createSocialProviders, createSqlSocialStore } from '../social/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity, Mail } from './identity.ts';

export function composeSocial(f: Foundation, identity: Identity, mail: Mail) {
  const settings = f.config.social;
  const providers = createSocialProviders(settings, f.link);
  if (providers.length === 0) return undefined;
  const service = createSocial({
    providers,
    store: createSqlSocialStore(f.store.db),
    accounts: identity.identityStore,
    clock: f.clock,
    random: cryptoRandom,
    flowSeconds: settings.flowSeconds,
    audit: f.auditAs('anonymous'),
    sendMail: mail.sendMail,
    proofLink: (token) => `${f.link('social/confirm')}?token=${encodeURIComponent(token)}`,
  });
  return {
    service,
    secureCookies: f.secureCookies,
    flowSeconds: settings.flowSeconds,
    limiter: f.limiter,
    // As many trips as sign-in attempts from one address.
    tripsPerSource: f.config.limits.signInPerSource,
  };
}

export type SocialParts = ReturnType<typeof composeSocial>;
