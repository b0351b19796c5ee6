// Signs and checks oidc-provider's cookies like keygrip does (HMAC-SHA1, base64url), so cookies already issued stay
// valid. Written here because keygrip makes an HMAC with a string key per call and compares through tsscmp, which
// makes two more with a fresh random key: on Node 24 a key that is not a KeyObject costs several times the HMAC
// itself, and this ran three times per signed cookie on every sign-in.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** What the `cookies` package (behind Koa and oidc-provider) asks of its `keys` option. */
export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  /** Which key made `digest` (0 is the newest), or -1; a cookie signed by an older key is signed again. */
  index(data: string, digest: string): number;
}

export function createCookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('at least one cookie key is needed');
  // keygrip used the key text's UTF-8 octets as the HMAC key.
  const keyObjects: KeyObject[] = keys.map((k) => createSecretKey(Buffer.from(k, 'utf8')));
  const mac = (data: string, key: KeyObject) => createHmac('sha1', key).update(data).digest();
  return {
    sign: (data) => mac(data, keyObjects[0]).toString('base64url'),
    verify(data, digest) {
      return this.index(data, digest) > -1;
    },
    index(data, digest) {
      const given = Buffer.from(digest, 'base64url');
      // base64url decoding ignores junk, so the text must also be what the octets encode to.
      if (given.length !== 20 || given.toString('base64url') !== digest) return -1;
      return keyObjects.findIndex((key) => timingSafeEqual(given, mac(data, key)));
    },
  };
}
