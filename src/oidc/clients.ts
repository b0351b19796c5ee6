// Registered apps (OIDC clients). The operator adds them with `tessera client add`; secrets are sealed at rest.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Sealer } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';
import { TesseraError } from '../errors/index.ts';
import type { ClientStore } from './store.ts';

// Exact URIs only (ASVS V10.4.1): absolute, http(s), no fragment, no credentials in the authority.
const redirectUri = z.url({ protocol: /^https?$/ }).refine((v) => {
  const u = new URL(v);
  return !u.hash && !u.username && !u.password && !v.includes('#');
}, 'must be an absolute http(s) URL without fragment or credentials');

/**
 * When an app gets a refresh token: only when it asks for one (the `offline_access` scope, with prompt=consent), or
 * at every sign-in (then, without offline_access, it ends with the person's SSO session).
 */
export const refreshTokenModes = ['offline_access', 'always'] as const;

export const clientInputSchema = z.object({
  client_id: z.string().regex(/^[A-Za-z0-9._-]{3,100}$/, 'letters, digits, dot, dash and underscore, 3 to 100 long'),
  client_secret: z.string().min(32, 'at least 32 characters').optional(),
  public: z.boolean().default(false),
  client_name: z.string().min(1).max(100),
  redirect_uris: z.array(redirectUri).min(1),
  post_logout_redirect_uris: z.array(redirectUri).default([]),
  backchannel_logout_uri: redirectUri.optional(),
  logo_uri: z.url({ protocol: /^https?$/ }).optional(),
  policy_uri: z.url({ protocol: /^https?$/ }).optional(),
  tos_uri: z.url({ protocol: /^https?$/ }).optional(),
  grant_types: z
    .array(z.enum(['authorization_code', 'refresh_token', 'client_credentials']))
    .default(['authorization_code', 'refresh_token']),
  id_token_signed_response_alg: z.enum(['ES256', 'RS256']).default('ES256'),
  // The company's own apps skip the consent page; third-party apps show it once, and again for a new scope.
  first_party: z.boolean().default(false),
  // A stolen browser session should yield no long-lived token: by default only an app that asks gets one.
  refresh_tokens: z.enum(refreshTokenModes).default('offline_access'),
});

export type ClientInput = z.input<typeof clientInputSchema>;

export class ClientError extends TesseraError<'client.invalid' | 'client.exists' | 'client.not_found'> {
  constructor(code: ClientError['code'], message: string) {
    super(code, { message });
  }
}

const sealContext = (clientId: string) => `client:${clientId}`;

/**
 * `recentMs`: how long a row read is reused. At thousands of token requests a second the client row would otherwise be
 * read for each one; a change on any node reaches the others through the change feed (`forget`), so this is only the
 * backstop should a notice be lost.
 */
export function createClientRegistry(store: ClientStore, sealer: Sealer, clock: Clock, recentMs = 1000) {
  // Opening the same sealed secret again is skipped.
  const opened = new Map<string, Record<string, unknown>>();
  const recent = new Map<string, { row: { metadata: string } | undefined; readAt: number }>();
  return {
    /** Reads every client again at its next use (another process changed one). */
    forget(): void {
      recent.clear();
    },
    /** Registers an app; returns its metadata with the secret, the only time the secret is shown. */
    async add(input: ClientInput): Promise<Record<string, unknown>> {
      const parsed = clientInputSchema.safeParse(input);
      if (!parsed.success) {
        throw new ClientError(
          'client.invalid',
          parsed.error.issues.map((i) => `${i.path.join('.') || 'client'}: ${i.message}`).join('; '),
        );
      }
      const { public: isPublic, client_secret, ...rest } = parsed.data;
      const metadata: Record<string, unknown> = {
        ...rest,
        response_types: rest.grant_types.includes('authorization_code') ? ['code'] : [],
        token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
        ...(rest.backchannel_logout_uri ? { backchannel_logout_session_required: true } : {}),
      };
      const secret = isPublic ? undefined : (client_secret ?? randomBytes(32).toString('base64url'));
      const stored = {
        ...metadata,
        ...(secret ? { client_secret_sealed: sealer.seal(secret, sealContext(rest.client_id)) } : {}),
      };
      recent.delete(rest.client_id);
      if ((await store.insert(rest.client_id, JSON.stringify(stored), clock.now())) === 'exists') {
        throw new ClientError('client.exists', `a client with id ${rest.client_id} exists already`);
      }
      return { ...metadata, ...(secret ? { client_secret: secret } : {}) };
    },

    /** Metadata as oidc-provider reads it, secret opened. */
    async find(clientId: string): Promise<Record<string, unknown> | undefined> {
      let hit = recent.get(clientId);
      if (!hit || clock.now() - hit.readAt >= recentMs) {
        const metadata = await store.findMetadata(clientId);
        hit = { row: metadata === undefined ? undefined : { metadata }, readAt: clock.now() };
        if (recent.size >= 1000) recent.clear();
        recent.set(clientId, hit);
      }
      const { row } = hit;
      if (!row) return undefined;
      const cached = opened.get(row.metadata);
      if (cached) return { ...cached };
      const { client_secret_sealed, ...metadata } = JSON.parse(row.metadata) as Record<string, unknown>;
      const result =
        typeof client_secret_sealed === 'string'
          ? { ...metadata, client_secret: sealer.open(client_secret_sealed, sealContext(clientId)) }
          : metadata;
      if (opened.size >= 1000) opened.clear();
      opened.set(row.metadata, result);
      return result;
    },

    async list(): Promise<Array<Record<string, unknown>>> {
      return (await store.list()).map((stored) => {
        const { client_secret_sealed: _, ...metadata } = JSON.parse(stored) as Record<string, unknown>;
        return metadata;
      });
    },

    async remove(clientId: string): Promise<void> {
      recent.delete(clientId);
      if (!(await store.remove(clientId))) throw new ClientError('client.not_found', `no client with id ${clientId}`);
    },
  };
}

export type ClientRegistry = ReturnType<typeof createClientRegistry>;
