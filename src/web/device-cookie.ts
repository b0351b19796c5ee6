// Device cookies (OWASP Authentication Cheat Sheet, "device cookies"): after a correct password the browser keeps a
// signed cookie bound to the account name it signed in with. An attempt that carries one for the name it tries is
// counted per device (src/ratelimit/attempt-limits.ts), so others failing at that account do not keep its owner
// out. Only someone who knew the password can have one; it opens nothing by itself.
//
// Each entry is `<device id>.<issued, seconds, base 36>.<HMAC>`, the HMAC over id, time and the account name, so
// the cookie names no account: an entry is checked against the name an attempt types. A browser keeps a few
// entries (several people, or several names of one person: e-mail and user name share the device id).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock/index.ts';

export const deviceCookieName = 'tessera_device';
// A shared computer keeps its last few people; more would only grow every request.
const maxEntries = 6;
const entryPattern = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

export interface DeviceCookies {
  /** The device id this request's cookie proves for `account` (the name as typed), if any. */
  deviceFor(cookieHeader: string | undefined, account: string): string | undefined;
  /**
   * The Set-Cookie value after a correct password for `names` (the name typed and the account's other names): the
   * device id this browser already had for them, or a new one; the browser's other entries are kept.
   */
  issue(cookieHeader: string | undefined, names: ReadonlyArray<string | null | undefined>): string;
}

export interface DeviceCookieOptions {
  /** The HMAC key (a named secret, like the cookie and CSRF keys). */
  key: Buffer;
  clock: Clock;
  lifetimeDays: number;
  /** Secure when the issuer is https. */
  secure: boolean;
}

const normalized = (name: string) => name.normalize('NFC').trim().toLowerCase();

export function createDeviceCookies(o: DeviceCookieOptions): DeviceCookies {
  const lifetimeSeconds = o.lifetimeDays * 86_400;
  const mac = (id: string, issued: string, name: string) =>
    createHmac('sha256', o.key)
      .update(`tessera-device\0${id}\0${issued}\0${normalized(name)}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');

  function entries(cookieHeader: string | undefined): Array<{ text: string; id: string; issued: string; mac: string }> {
    const value = new RegExp(`(?:^|;\\s*)${deviceCookieName}=([^;]*)`).exec(cookieHeader ?? '')?.[1] ?? '';
    const nowSeconds = Math.floor(o.clock.now() / 1000);
    return value
      .split('~')
      .slice(0, maxEntries)
      .flatMap((text) => {
        const m = entryPattern.exec(text);
        if (!m) return [];
        // Checked on the server too: a cookie kept past its life (or copied) proves nothing.
        const age = nowSeconds - parseInt(m[2], 36);
        return age >= 0 && age <= lifetimeSeconds ? [{ text, id: m[1], issued: m[2], mac: m[3] }] : [];
      });
  }

  const matches = (entry: { id: string; issued: string; mac: string }, name: string) =>
    timingSafeEqual(Buffer.from(entry.mac), Buffer.from(mac(entry.id, entry.issued, name)));

  return {
    deviceFor(cookieHeader, account) {
      if (typeof account !== 'string' || account.trim() === '') return undefined;
      return entries(cookieHeader).find((e) => matches(e, account))?.id;
    },

    issue(cookieHeader, names) {
      const wanted = [
        ...new Set(names.filter((n): n is string => typeof n === 'string' && n.trim() !== '').map(normalized)),
      ];
      const kept = entries(cookieHeader);
      // The same browser keeps its device id for the account, so its own count follows it.
      const id = kept.find((e) => wanted.some((n) => matches(e, n)))?.id ?? randomBytes(16).toString('base64url');
      const issued = Math.floor(o.clock.now() / 1000).toString(36);
      const fresh = wanted.map((n) => `${id}.${issued}.${mac(id, issued, n)}`);
      const others = kept.filter((e) => !wanted.some((n) => matches(e, n))).map((e) => e.text);
      const value = [...fresh, ...others].slice(0, maxEntries).join('~');
      // HttpOnly: no script needs it. SameSite=Lax: sent when the person follows a link to the sign-in page.
      return `${deviceCookieName}=${value}; Path=/; Max-Age=${lifetimeSeconds}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`;
    },
  };
}
