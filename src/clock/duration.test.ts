import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, isDurationParam } from './index.ts';

describe('durations in words', () => {
  it('writes lengths of time as people say them', () => {
    const cases: Array<[number, string]> = [
      [1, '1 second'],
      [45, '45 seconds'],
      [60, '1 minute'],
      [90, '1 minute and 30 seconds'],
      [30 * 60, '30 minutes'],
      [3600, '1 hour'],
      [5400, '1 hour and 30 minutes'],
      [24 * 3600, '24 hours'],
      [36 * 3600, '36 hours'],
      [2 * 86_400, '2 days'],
      [7 * 86_400, '7 days'],
      [2 * 86_400 + 8 * 3600, '2 days and 8 hours'],
    ];
    for (const [seconds, words] of cases) assert.equal(formatDuration(seconds), words, String(seconds));
  });

  it('rounds what it does not show up, so a wait is never told short', () => {
    assert.equal(formatDuration(3725), '1 hour and 3 minutes');
    assert.equal(formatDuration(3599.2), '1 hour');
    assert.equal(formatDuration(0.4), '1 second');
    assert.equal(formatDuration(0), '0 seconds');
  });

  it("writes the words of the reader's language", () => {
    assert.equal(formatDuration(5400, 'ro'), '1 oră și 30 de minute');
    assert.equal(formatDuration(24 * 3600, 'de'), '24 Stunden');
  });

  it('knows a duration parameter by its unit', () => {
    const names = ['seconds', 'expiresSeconds', 'minutes', 'serial'];
    assert.deepEqual(names.map(isDurationParam), [true, true, false, false]);
  });
});
