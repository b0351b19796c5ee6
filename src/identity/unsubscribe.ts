// One-click unsubscribe links (RFC 8058): signed per recipient so they work without signing in, and carry no secret
// but the account id; the signature is checked in constant time.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

export function createUnsubscribeTokens(key: Buffer) {
  const secret = createSecretKey(key);
  const sign = (accountId: string) =>
    createHmac('sha256', secret).update(`unsubscribe:${accountId}`).digest('base64url');
  return {
    issue: (accountId: string) => `${Buffer.from(accountId).toString('base64url')}.${sign(accountId)}`,
    /** The account id the token was issued for, or undefined when it was altered. */
    verify(token: unknown): string | undefined {
      if (typeof token !== 'string' || token.length > 300) return undefined;
      const [encoded, signature] = token.split('.');
      if (!encoded || !signature) return undefined;
      const accountId = Buffer.from(encoded, 'base64url').toString('utf8');
      const expected = Buffer.from(sign(accountId));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected) ? accountId : undefined;
    },
  };
}

export type UnsubscribeTokens = ReturnType<typeof createUnsubscribeTokens>;

export interface UnsubscribePorts {
  tokens: UnsubscribeTokens;
  exists(accountId: string): Promise<boolean>;
  /** Turns marketing mail off, recorded as coming from the link. */
  optOut(accountId: string): Promise<void>;
}

/** A one-click unsubscribe: false when the token was altered or its account is gone. */
export function createUnsubscribe(p: UnsubscribePorts): (token: unknown) => Promise<boolean> {
  return async (token) => {
    const accountId = p.tokens.verify(token);
    if (!accountId || !(await p.exists(accountId))) return false;
    await p.optOut(accountId);
    return true;
  };
}
