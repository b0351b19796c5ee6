// The two demo apps as Tessera registers them in demo mode (src/serve.ts), and as the tests register them with
// a test provider. Ports are arguments so a test can run everything on free ports.
import { forum } from './forum/index.ts';
import { shop } from './shop/index.ts';
import type { DemoAppConfig } from './relying-party/standalone.ts';

/** OIDC client metadata (OpenID Connect Dynamic Client Registration 1.0 names), accepted as is by oidc-provider. */
// A type alias, not an interface, so it fits oidc-provider's ClientMetadata index signature.
export type DemoClientRegistration = {
  client_id: string;
  client_secret: string;
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string;
  // Back-Channel Logout 1.0 §2.2: the logout token then carries `sid`, so only that Tessera session's app sessions end.
  backchannel_logout_session_required: true;
  // The demo apps keep their own session and never refresh tokens, so they are not registered for the refresh grant.
  grant_types: Array<'authorization_code' | 'refresh_token'>;
  response_types: ['code'];
  token_endpoint_auth_method: 'client_secret_basic';
};

export interface DemoClient {
  client: DemoClientRegistration;
  /** startDemoApp's options without the issuer. */
  app: DemoAppConfig;
  port: number;
}

export function demoClients(ports: { shop?: number; forum?: number } = {}): DemoClient[] {
  return [demoClient(shop, ports.shop ?? shop.port), demoClient(forum, ports.forum ?? forum.port)];
}

function demoClient(config: DemoAppConfig, port: number): DemoClient {
  const origin = `http://localhost:${port}`;
  return {
    client: {
      client_id: config.clientId,
      client_secret: config.clientSecret,
      client_name: config.name,
      redirect_uris: [`${origin}/callback`],
      post_logout_redirect_uris: [`${origin}/`],
      backchannel_logout_uri: `${origin}/backchannel-logout`,
      backchannel_logout_session_required: true,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    app: { ...config, port, publicUrl: origin },
    port,
  };
}
