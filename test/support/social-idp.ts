// Real social providers for the tests, on 127.0.0.1: a second oidc-provider instance serving Google's or Microsoft's
// claim shapes and issuer rules, and a small HTTP server in the Facebook Graph API's shapes. Each says who signs in
// next (or that the person presses Cancel), and can be made to misbehave: a tampered ID token, a 500, no answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';

/** The person at the provider, in that provider's claims (Google: email_verified; Microsoft: tid, oid, xms_edov). */
export type IdpPerson = { sub: string } & Record<string, unknown>;

export type Tamper = (idToken: string) => Promise<string> | string;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** oidc-provider's storage in memory, with clients registered at run time (Tessera's redirect URI is known late). */
function memoryAdapter(clients: Map<string, AdapterPayload>) {
  const rows = new Map<string, AdapterPayload>();
  return class MemoryAdapter implements Adapter {
    name: string;
    constructor(name: string) {
      this.name = name;
    }
    key = (id: string) => `${this.name}:${id}`;
    async upsert(id: string, payload: AdapterPayload) {
      rows.set(this.key(id), payload);
    }
    async find(id: string) {
      return this.name === 'Client' ? clients.get(id) : rows.get(this.key(id));
    }
    async findByUid(uid: string) {
      return [...rows.entries()].find(([k, v]) => k.startsWith(`${this.name}:`) && v.uid === uid)?.[1];
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const row = rows.get(this.key(id));
      if (row) row.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      rows.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, v] of rows) if (v.grantId === grantId) rows.delete(k);
    }
  };
}

export interface OidcIdp {
  /** What Tessera's configuration names: Google's issuer, or Microsoft's origin (the tenant path follows). */
  readonly issuer: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Lets Tessera's callback in as a redirect URI of the test client. */
  allow(redirectUri: string): void;
  /** Who signs in at the next authorization, or `cancel` to press Cancel. */
  next: IdpPerson | 'cancel';
  /** Rewrites the next ID token the token endpoint answers with (then is cleared). */
  tamper: Tamper | undefined;
  /** `500`: every endpoint answers 500; `down`: connections are closed unanswered. */
  failure: 'none' | '500' | 'down';
  /** The last ID token the token endpoint gave. */
  lastIdToken: string | undefined;
  /** An ID token like `idToken` with `changes` (undefined deletes a claim), signed by the provider's key or another. */
  resign(idToken: string, changes: Record<string, unknown>, signer?: 'own' | 'other' | 'none'): Promise<string>;
  close(): Promise<void>;
}

const claimsByScope = {
  openid: ['sub', 'tid', 'oid'],
  email: ['email', 'email_verified', 'xms_edov'],
  profile: ['name', 'given_name', 'family_name', 'picture', 'preferred_username'],
};

/**
 * Google's shape: issuer at the root, `email_verified`. Microsoft's: the issuer is the tenant's
 * (`{origin}/{tenant id}/v2.0`), ID tokens carry `tid`, `oid` and `xms_edov`, and no `email_verified`.
 */
export async function startOidcIdp(shape: 'google' | 'microsoft'): Promise<OidcIdp> {
  const server = createServer();
  const origin = await listen(server);
  const tenant = shape === 'microsoft' ? randomUUID() : '';
  const prefix = shape === 'microsoft' ? `/${tenant}/v2.0` : '';
  const issuer = `${origin}${prefix}`;
  const own = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(own.privateKey)), kid, alg: 'RS256', use: 'sig' };
  const clients = new Map<string, AdapterPayload>();
  const clientId = `tessera-${shape}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const people = new Map<string, IdpPerson>();

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(clients),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: claimsByScope,
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const person = people.get(sub);
      return person && { accountId: sub, claims: async () => ({ ...person }) };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && ctx.status === 200 && body?.id_token) {
      idp.lastIdToken = body.id_token;
      if (idp.tamper) {
        body.id_token = await idp.tamper(body.id_token);
        idp.tamper = undefined;
      }
    }
  });
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse) {
    await provider.interactionDetails(req, res);
    if (idp.next === 'cancel') {
      const result = { error: 'access_denied', error_description: 'The user cancelled' };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    people.set(idp.next.sub, idp.next);
    const login = { accountId: idp.next.sub };
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }

  server.on('request', (req: IncomingMessage & { originalUrl?: string }, res) => {
    if (idp.failure === 'down') return req.socket.destroy();
    if (idp.failure === '500') return res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Server Error</h1>');
    const url = req.url ?? '/';
    if (new RegExp(`^${prefix}/interaction/[^/?]+$`).test(url.split('?')[0]!)) {
      interaction(req, res).catch((err) => res.writeHead(500).end(String(err)));
      return;
    }
    if (!url.startsWith(prefix)) return res.writeHead(404).end();
    // As Express does when mounting: oidc-provider reads its mount path from originalUrl.
    req.originalUrl = url;
    req.url = url.slice(prefix.length) || '/';
    callback(req, res);
  });

  const idp: OidcIdp = {
    issuer: shape === 'microsoft' ? origin : issuer,
    tenant,
    clientId,
    clientSecret,
    allow(redirectUri) {
      clients.set(clientId, {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      });
    },
    next: { sub: 'nobody' },
    tamper: undefined,
    failure: 'none',
    lastIdToken: undefined,
    async resign(idToken, changes, signer = 'own') {
      const claims: Record<string, unknown> = { ...decodeJwt(idToken), ...changes };
      for (const [k, v] of Object.entries(changes)) if (v === undefined) delete claims[k];
      if (signer === 'none') {
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
      }
      const header = { ...decodeProtectedHeader(idToken), alg: 'RS256', kid };
      return new SignJWT(claims).setProtectedHeader(header).sign(signer === 'own' ? own.privateKey : other.privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return idp;
}

export interface GraphPerson {
  id: string;
  name?: string;
  email?: string;
}

export interface FacebookGraph {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  next: GraphPerson | 'cancel';
  failure: 'none' | '500' | 'down';
  /** The `appsecret_proof` values the Graph API received, checked as Facebook checks them. */
  readonly proofs: string[];
  close(): Promise<void>;
}

/**
 * Facebook in the Graph API's shapes: the login dialog (`/vX/dialog/oauth`) redirecting back with a code, the token
 * exchange (`/vX/oauth/access_token`, PKCE checked) and `/vX/me?fields=id,name,email` with `appsecret_proof`.
 */
export async function startFacebookGraph(): Promise<FacebookGraph> {
  const server = createServer();
  const url = await listen(server);
  const clientSecret = randomBytes(24).toString('base64url');
  const codes = new Map<string, { person: GraphPerson; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GraphPerson>();
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const graphError = (res: ServerResponse, message: string) =>
    json(res, 400, { error: { message, type: 'OAuthException', code: 190 } });

  server.on('request', (req, res) => {
    if (graph.failure === 'down') return req.socket.destroy();
    if (graph.failure === '500') return json(res, 500, { error: { message: 'An unknown error has occurred.' } });
    const u = new URL(req.url ?? '/', url);
    const q = u.searchParams;
    if (/^\/v\d+\.\d+\/dialog\/oauth$/.test(u.pathname)) {
      const back = new URL(q.get('redirect_uri') ?? '');
      back.searchParams.set('state', q.get('state') ?? '');
      if (graph.next === 'cancel') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_reason', 'user_denied');
      } else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, {
          person: graph.next,
          challenge: q.get('code_challenge') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
        });
        back.searchParams.set('code', code);
      }
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (/^\/v\d+\.\d+\/oauth\/access_token$/.test(u.pathname)) {
      const entry = codes.get(q.get('code') ?? '');
      codes.delete(q.get('code') ?? '');
      const verifier = q.get('code_verifier') ?? '';
      const challenge = sha256url(verifier);
      if (!entry || q.get('client_secret') !== clientSecret || entry.redirectUri !== q.get('redirect_uri')) {
        return graphError(res, 'Invalid verification code format.');
      }
      if (entry.challenge !== challenge) return graphError(res, 'Invalid code verifier.');
      const token = randomBytes(24).toString('hex');
      tokens.set(token, entry.person);
      return json(res, 200, { access_token: token, token_type: 'bearer', expires_in: 5183944 });
    }
    if (/^\/v\d+\.\d+\/me$/.test(u.pathname)) {
      const token = q.get('access_token') ?? '';
      const person = tokens.get(token);
      const proof = q.get('appsecret_proof') ?? '';
      graph.proofs.push(proof);
      if (!person) return graphError(res, 'Invalid OAuth access token.');
      if (proof !== createHmac('sha256', clientSecret).update(token).digest('hex')) {
        return graphError(res, 'Invalid appsecret_proof provided in the API argument');
      }
      const fields = (q.get('fields') ?? 'id,name').split(',');
      return json(
        res,
        200,
        Object.fromEntries(fields.filter((f) => f in person).map((f) => [f, person[f as keyof GraphPerson]])),
      );
    }
    return json(res, 404, { error: { message: 'Unknown path components' } });
  });

  const graph: FacebookGraph = {
    url,
    clientId: String(1_000_000_000 + Math.floor(Math.random() * 1_000_000)),
    clientSecret,
    next: { id: '1' },
    failure: 'none',
    proofs: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return graph;
}

function sha256url(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
