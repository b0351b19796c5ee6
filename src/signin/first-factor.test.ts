// The first factor on a real limiter (SQLite): which check a name goes to, and which failures count.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../clock/index.ts';
import { IdentityError, type Account } from '../identity/index.ts';
import { createRateLimiter, createSqlCounterStore, type AttemptRules } from '../ratelimit/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { createFirstFactor } from './first-factor.ts';

const rule = (limit: number) => ({ limit, windowSeconds: 300 });
const rules: AttemptRules = {
  perAccountSource: rule(2),
  perSource: rule(50),
  perAccount: rule(50),
  perDevice: rule(4),
};
const person = (id: string, kind: Account['kind']) => ({ id, kind }) as Account;

describe('the first factor', () => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await createTestDatabase('sqlite');
    store = openStore(database.url);
    await store.migrate();
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  function firstFactor(directoryDown = false) {
    const tried: string[] = [];
    const check = createFirstFactor({
      limiter: createRateLimiter(createSqlCounterStore(store.counters, manualClock())),
      rules,
      accounts: {
        async authenticate(email, password) {
          tried.push(`local:${String(email)}`);
          if (password !== 'right') throw new IdentityError('identity.invalid_credentials', 'password');
          return person('customer', 'customer');
        },
      },
      workforce: {
        isDirectoryName: (name) => !name.includes('@'),
        async signIn(name, password) {
          tried.push(`directory:${name}`);
          if (directoryDown) throw Object.assign(new Error('down'), { code: 'directory.unreachable' });
          if (password !== 'right') throw Object.assign(new Error('wrong'), { code: 'directory.wrong_password' });
          return person('staff', 'workforce');
        },
      },
    });
    return { check: check.check, tried };
  }

  it('sends a directory name to the directory and an e-mail to the local password', async () => {
    const { check, tried } = firstFactor();
    const web = { action: 'signin', source: { ip: '192.0.2.1' } } as const;
    assert.equal((await check({ ...web, name: 'jsmith', password: 'right' })).id, 'staff');
    assert.equal((await check({ ...web, name: 'ana@example.com', password: 'right' })).id, 'customer');
    assert.deepEqual(tried, ['directory:jsmith', 'local:ana@example.com']);
  });

  it('counts wrong passwords per name and client, and refuses the next one without checking it', async () => {
    const { check, tried } = firstFactor();
    const attempt = { action: 'vpn', name: 'mlee', password: 'wrong', source: { station: '10.0.0.9' } } as const;
    await assert.rejects(check(attempt), { code: 'directory.wrong_password' });
    await assert.rejects(check(attempt), { code: 'directory.wrong_password' });
    await assert.rejects(check({ ...attempt, password: 'right' }), { code: 'ratelimit.throttled' });
    assert.equal(tried.length, 2, 'the throttled attempt never reached the directory');
    // Another client (Calling-Station-Id), another count; a device cookie's browser has its own.
    assert.equal((await check({ ...attempt, password: 'right', source: { station: '10.0.0.10' } })).id, 'staff');
    assert.equal((await check({ ...attempt, password: 'right', device: 'device-1' })).id, 'staff');
  });

  it('does not count a directory that cannot be reached', async () => {
    const { check } = firstFactor(true);
    const attempt = { action: 'signin', name: 'outage', password: 'right', source: { ip: '192.0.2.7' } } as const;
    for (let i = 0; i < 4; i++) await assert.rejects(check(attempt), { code: 'directory.unreachable' });
  });
});
