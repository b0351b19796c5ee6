import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createCookieSigner } from './cookie-signer.ts';

// keygrip is what signed Tessera's cookies before (through Koa's `cookies`); cookies it signed must stay valid.
const Keygrip = createRequire(import.meta.url)('keygrip') as (keys: string[]) => {
  sign(d: string): string;
  index(d: string, s: string): number;
};

describe('cookie signer', () => {
  const keys = ['bmV3ZXN0LWtleS1mb3ItY29va2llcw', 'b2xkZXIta2V5LWZvci1jb29raWVz'];
  const data = '_session=ZXhhbXBsZS1zZXNzaW9uLWlk';

  it('signs and checks exactly as keygrip does, so sessions survive the change', () => {
    const ours = createCookieSigner(keys);
    const theirs = Keygrip(keys);
    assert.equal(ours.sign(data), theirs.sign(data));
    assert.equal(ours.index(data, Keygrip([keys[1]]).sign(data)), 1, 'a cookie signed by the older key is recognised');
    assert.equal(theirs.index(data, ours.sign(data)), 0);
  });

  it('refuses a forged, truncated, padded or foreign signature, and a cookie whose value was changed', () => {
    const signer = createCookieSigner(keys);
    const good = signer.sign(data);
    const flipped = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    for (const bad of [
      flipped,
      good.slice(0, -1),
      `${good}=`,
      `${good}AA`,
      '',
      '!!!!',
      createCookieSigner(['another-key']).sign(data),
    ]) {
      assert.equal(signer.verify(data, bad), false, `refused ${JSON.stringify(bad)}`);
    }
    assert.equal(signer.verify(`${data}x`, good), false);
    assert.throws(() => createCookieSigner([]), /at least one cookie key/);
  });
});
