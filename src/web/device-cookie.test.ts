// Device cookies: only a browser that proved the account's password holds one for that name, it cannot be moved
// to another name or forged, and it expires on the server too (T47).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { manualClock } from '../clock/index.ts';
import { createDeviceCookies, deviceCookieName } from './device-cookie.ts';

const cookieOf = (setCookie: string) => setCookie.split(';')[0];

describe('device cookies', () => {
  const clock = manualClock(Date.UTC(2026, 5, 1));
  const key = randomBytes(32);
  const devices = createDeviceCookies({ key, clock, lifetimeDays: 180, secure: false });

  it('proves the names signed in with, under one device id, and nothing else', () => {
    const set = devices.issue(undefined, ['Ana@Example.com ', 'ana', null]);
    assert.match(set, /^tessera_device=[\w.~-]+; Path=\/; Max-Age=15552000; HttpOnly; SameSite=Lax$/);
    const cookie = cookieOf(set);
    const id = devices.deviceFor(cookie, 'ana@example.com');
    assert.ok(id);
    assert.equal(devices.deviceFor(`a=b; ${cookie}; c=d`, 'ANA@EXAMPLE.COM'), id, 'any case, among other cookies');
    assert.equal(devices.deviceFor(cookie, 'ana'), id, 'the account’s other name shares the device');
    assert.equal(devices.deviceFor(cookie, 'bob@example.com'), undefined, 'another account');
    assert.equal(devices.deviceFor(cookie, ''), undefined);
    assert.ok(!cookie.includes('ana'), 'the cookie names no account');
  });

  it('keeps the browser’s device id and its other people, at most six', () => {
    const first = cookieOf(devices.issue(undefined, ['ana@example.com']));
    const id = devices.deviceFor(first, 'ana@example.com');
    let cookie = cookieOf(devices.issue(first, ['bob@example.com']));
    assert.equal(devices.deviceFor(cookie, 'ana@example.com'), id, 'ana kept');
    assert.ok(devices.deviceFor(cookie, 'bob@example.com'));
    clock.advance(60_000);
    cookie = cookieOf(devices.issue(cookie, ['ana@example.com']));
    assert.equal(devices.deviceFor(cookie, 'ana@example.com'), id, 'the same device id again');
    for (let i = 0; i < 8; i++) cookie = cookieOf(devices.issue(cookie, [`person${i}@example.com`]));
    assert.equal(cookie.split('~').length, 6);
    assert.ok(devices.deviceFor(cookie, 'person7@example.com'));
    assert.equal(devices.deviceFor(cookie, 'ana@example.com'), undefined, 'the oldest made room');
  });

  it('refuses forged, altered, foreign-key and expired cookies, and junk', () => {
    const cookie = cookieOf(devices.issue(undefined, ['ana@example.com']));
    const [id, issued, mac] = cookie.slice(deviceCookieName.length + 1).split('.');
    const other = createDeviceCookies({ key: randomBytes(32), clock, lifetimeDays: 180, secure: true });
    const forged = [
      `${deviceCookieName}=${randomBytes(16).toString('base64url')}.${issued}.${mac}`,
      `${deviceCookieName}=${id}.${(parseInt(issued, 36) + 1).toString(36)}.${mac}`,
      `${deviceCookieName}=${id}.${issued}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      cookieOf(other.issue(undefined, ['ana@example.com'])),
      `${deviceCookieName}=${'x'.repeat(5000)}`,
      `${deviceCookieName}=~~~`,
      `${deviceCookieName}=${id}..${mac}`,
      `${deviceCookieName}=\u0000`,
    ];
    for (const f of forged) assert.equal(devices.deviceFor(f, 'ana@example.com'), undefined, f.slice(0, 60));
    assert.match(other.issue(undefined, ['x']), /; Secure$/, 'Secure when the issuer is https');
    clock.advance(181 * 86_400_000);
    assert.equal(
      devices.deviceFor(cookie, 'ana@example.com'),
      undefined,
      'expired on the server, whatever the browser kept',
    );
  });
});
