import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, pageOf, pageSizeOf } from './paging.ts';

describe('console cursors', () => {
  it('reads back what it wrote, and nothing else', () => {
    const c = encodeCursor('next', [1733450000000, 42]);
    assert.deepEqual(decodeCursor(c, ['number', 'number']), { toward: 'next', key: [1733450000000, 42] });
    assert.equal(decodeCursor(undefined, ['number']), undefined);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      'not a cursor',
      '!!!',
      'x'.repeat(5000),
      Buffer.from('{').toString('base64url'),
      b64([1, 'next', -1, 2]),
      b64([1, 'next', 1e300, 2]),
      b64([1, 'next', 1.5, 2]),
      b64([1, 'sideways', 1, 2]),
      b64([2, 'next', 1, 2]),
      b64([1, 'next', 1]),
      b64([1, 'next', '1', 2]),
      b64({ toward: 'next' }),
      c.slice(0, -3),
    ]) {
      assert.equal(decodeCursor(bad, ['number', 'number']), null, bad.slice(0, 40));
    }
    assert.equal(decodeCursor(b64([1, 'prev', 'a'.repeat(400), 'id']), ['string', 'string']), null);
    assert.equal(decodeCursor(b64([1, 'prev', 'a\0', 'id']), ['string', 'string']), null);
  });

  it('caps the page size and pages both ways', () => {
    assert.deepEqual([pageSizeOf(undefined), pageSizeOf('0'), pageSizeOf('7'), pageSizeOf('99999')], [50, 1, 7, 200]);
    const rows = [1, 2, 3, 4];
    const first = pageOf(rows, 3, undefined, (r) => [r]);
    assert.deepEqual([first.rows, first.prev], [[1, 2, 3], undefined]);
    assert.deepEqual(decodeCursor(first.next, ['number'])?.key, [3]);
    const back = pageOf([0, 1, 2, 3], 3, { toward: 'prev', key: [4] }, (r) => [r]);
    assert.deepEqual(back.rows, [1, 2, 3]);
    assert.deepEqual(decodeCursor(back.prev, ['number'])?.key, [1]);
    assert.ok(back.next);
    const last = pageOf([1], 3, { toward: 'prev', key: [2] }, (r) => [r]);
    assert.equal(last.prev, undefined);
  });
});
