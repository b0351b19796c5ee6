// oidc-provider keeps sessions, grants, codes and tokens through this adapter; rows live in the database so
// several Tessera nodes share them (no in-memory state that matters).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../clock/index.ts';
import type { PayloadStore } from './store.ts';

const grantBound = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export function createAdapterFactory(
  store: PayloadStore,
  clock: Clock,
  clients: { find(id: string): Promise<Record<string, unknown> | undefined> },
) {
  return class DatabaseAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with `tessera client add`');
      await store.upsert({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: grantBound.has(this.model) ? (payload.grantId ?? null) : null,
        accountId: payload.accountId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? clock.now() + expiresIn * 1000 : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.find(id) as Promise<AdapterPayload | undefined>;
      return this.findWhere('id', id);
    }

    findByUserCode(userCode: string) {
      return this.findWhere('user_code', userCode);
    }
    findByUid(uid: string) {
      return this.findWhere('uid', uid);
    }

    async consume(id: string): Promise<void> {
      await store.consume(this.model, id, clock.now());
    }

    async destroy(id: string): Promise<void> {
      await store.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.destroyByGrantId(grantId);
    }

    private async findWhere(column: 'id' | 'user_code' | 'uid', value: string): Promise<AdapterPayload | undefined> {
      const row = await store.find(this.model, column, value);
      if (!row || (row.expiresAt !== null && row.expiresAt <= clock.now())) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumedAt === null ? payload : { ...payload, consumed: Math.floor(row.consumedAt / 1000) };
    }
  };
}

/**
 * Ends everything an account holds: SSO sessions, grants, access and refresh tokens, on every node at once.
 * Used when the directory disables an account, on "sign out everywhere" and after a password reset.
 */
export async function endAccountSessions(store: PayloadStore, accountId: string): Promise<number> {
  return store.destroyAccountRows(accountId);
}

/**
 * The person's grant for an app, whichever SSO session made it (rows carry the account, the payload the app). Data
 * written before grants were shared may hold several: the one that lives longest is the one kept in use.
 */
export async function findGrantId(
  store: PayloadStore,
  clock: Clock,
  accountId: string,
  clientId: string,
): Promise<string | undefined> {
  const rows = await store.live('Grant', accountId, clock.now());
  const forApp = rows.filter((r) => (JSON.parse(r.payload) as { clientId?: string }).clientId === clientId);
  forApp.sort((a, b) => (b.expiresAt ?? Infinity) - (a.expiresAt ?? Infinity));
  return forApp[0]?.id;
}

/** Removes expired rows; oidc-provider never deletes what simply ran out. */
export async function purgeExpired(store: PayloadStore, clock: Clock): Promise<number> {
  return store.purgeExpired(clock.now());
}
