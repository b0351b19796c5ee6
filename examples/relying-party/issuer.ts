// Tessera as this app sees it: discovered lazily at first use, and again later if Tessera was not up yet.
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { DemoError } from './errors.ts';

export interface Issuer {
  config: client.Configuration;
  /** Tessera's signing keys, for back-channel logout tokens (openid-client checks ID tokens itself). */
  keys: JWTVerifyGetKey;
}

export interface IssuerOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  retryDelaysMs: readonly number[];
}

/** Plain http is refused by openid-client; it is allowed only for an issuer on this machine (the demo's http://localhost:8080). */
export function isLocalHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
}

export function lazyIssuer(o: IssuerOptions): () => Promise<Issuer> {
  let discovered: Promise<Issuer> | undefined;
  return () => {
    // A failed discovery is not cached: the next request tries again.
    discovered ??= discover(o).catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };
}

async function discover(o: IssuerOptions): Promise<Issuer> {
  const server = new URL(o.issuer);
  const options = isLocalHttp(server) ? { execute: [client.allowInsecureRequests] } : {};
  let lastError: unknown;
  for (const delayMs of [0, ...o.retryDelaysMs]) {
    await sleep(delayMs);
    try {
      // Tessera registers the demo apps with client_secret_basic (openid-client would default to client_secret_post).
      const config = await client.discovery(
        server,
        o.clientId,
        o.clientSecret,
        client.ClientSecretBasic(o.clientSecret),
        options,
      );
      const jwksUri = config.serverMetadata().jwks_uri;
      if (!jwksUri) throw new Error('the issuer publishes no jwks_uri');
      return { config, keys: createRemoteJWKSet(new URL(jwksUri)) };
    } catch (err) {
      lastError = err;
    }
  }
  throw new DemoError('issuer.unreachable', 503, undefined, { cause: lastError });
}
