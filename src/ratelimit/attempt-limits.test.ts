// The one rule for password attempts (sign-in page, VPN, reset mails): which counters an attempt meets, in which
// order, and that no two different attempts share a counter they should not (T47).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attemptLimits, type AttemptRules } from './index.ts';

const rules: AttemptRules = {
  perAccountSource: { limit: 20, windowSeconds: 300 },
  perSource: { limit: 100, windowSeconds: 300 },
  perAccount: { limit: 100, windowSeconds: 3600 },
  perDevice: { limit: 10, windowSeconds: 300 },
};
const keys = (list: Array<{ key: string }>) => list.map((l) => l.key);

describe('attempt limits', () => {
  it('counts a web attempt per (account, address), then per address, then per account', () => {
    const limits = attemptLimits(
      { action: 'signin', account: ' Ana@Example.com', source: { ip: '2001:db8:1:2::7' } },
      rules,
    );
    assert.deepEqual(keys(limits), [
      'signin:ip:2001:db8:1:2::/64:account:ana@example.com',
      'signin:ip:2001:db8:1:2::/64',
      'signin:account:ana@example.com',
    ]);
    assert.deepEqual(
      limits.map((l) => l.rule),
      [rules.perAccountSource, rules.perSource, rules.perAccount],
    );
  });

  it('counts an attempt with the account’s device cookie per device only: others failing never refuse it', () => {
    const limits = attemptLimits(
      { action: 'signin', account: 'ana@example.com', source: { ip: '198.51.100.7' }, device: 'dev-1' },
      rules,
    );
    assert.deepEqual(limits, [{ key: 'signin:device:dev-1', rule: rules.perDevice }]);
  });

  it('counts a VPN attempt per (account, calling station) and station, or per (account, gateway) when none is named', () => {
    assert.deepEqual(
      keys(
        attemptLimits({ action: 'vpn', account: 'CORP\\jsmith', source: { station: ' 00-11-22-33-44-AA ' } }, rules),
      ),
      [
        'vpn:station:"00-11-22-33-44-aa":account:corp\\jsmith',
        'vpn:station:"00-11-22-33-44-aa"',
        'vpn:account:corp\\jsmith',
      ],
    );
    // A gateway speaks for everyone behind it: it is never counted across accounts.
    assert.deepEqual(keys(attemptLimits({ action: 'vpn', account: 'jsmith', source: { gateway: 'vpn' } }, rules)), [
      'vpn:gateway:"vpn":account:jsmith',
      'vpn:account:jsmith',
    ]);
  });

  it('keeps actions, clients and hostile names apart', () => {
    const attempts = [
      attemptLimits({ action: 'signin', account: 'a', source: { ip: '198.51.100.7' } }, rules),
      attemptLimits({ action: 'vpn', account: 'a', source: { station: '198.51.100.7' } }, rules),
      attemptLimits({ action: 'reset', account: 'a', source: { ip: '198.51.100.7' } }, rules),
      attemptLimits({ action: 'vpn', account: 'a', source: { gateway: '198.51.100.7' } }, rules),
      // A station or name written to end inside the other part lands on keys of its own.
      attemptLimits({ action: 'vpn', account: 'b', source: { station: 'x":account:a' } }, rules),
      attemptLimits({ action: 'vpn', account: 'x":account:a', source: { station: 'x' } }, rules),
    ].map(keys);
    // Every key but the per-account one names the client: no two attempts above share one.
    const perClient = attempts.flatMap((k) => k.slice(0, -1));
    assert.equal(new Set(perClient).size, perClient.length, perClient.join('\n'));
    // The per-account counters: one per action, shared by every client of that action.
    assert.deepEqual(
      new Set(attempts.map((k) => k.at(-1))),
      new Set(['signin:account:a', 'vpn:account:a', 'reset:account:a', 'vpn:account:b', 'vpn:account:x":account:a']),
    );
  });
});
