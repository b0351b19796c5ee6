// Nodes of one cluster starting together on one database, as an operator starts them: they must agree on the schema
// and the signing keys, and a node with another key-encryption key must say so and go. Several nodes share
// PostgreSQL only; an SQLite file belongs to one process, so the tests of nodes racing run on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDialects, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { runCli } from '../support/cli.ts';
import { openStore, createSealer } from '../../src/store/index.ts';
import { createSqlSecretStore, loadSigningKeys, rotateSigningKeys } from '../../src/oidc/index.ts';
import { systemClock } from '../../src/clock/index.ts';

const nodes = 6;
const kek = randomBytes(32);

for (const dialect of await testDialects()) {
  describe(`nodes starting together (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(() => database.drop());

    const startNodes = async () => {
      const stores = Array.from({ length: nodes }, () => openStore(database.url));
      const migrated = await Promise.allSettled(stores.map((s) => s.migrate()));
      return { stores, migrated };
    };

    const racing = { skip: dialect === 'sqlite' && 'an SQLite file has one node' };

    it('every node migrates a database no node has seen, and none fails on the others', racing, async () => {
      // The race is narrow (2 of 11 cold starts by hand): several fresh schemas give it its chances.
      for (let round = 0; round < 6; round++) {
        const fresh = await createTestDatabase(dialect);
        const stores = Array.from({ length: nodes }, () => openStore(fresh.url));
        try {
          const migrated = await Promise.allSettled(stores.map((s) => s.migrate()));
          const refused = migrated.find((m) => m.status === 'rejected');
          assert.equal(refused, undefined, `round ${round}: ${String(refused?.reason)}`);
          // The migrations ran once, by whichever node came first.
          const ran = migrated.flatMap((m) => (m.status === 'fulfilled' ? m.value : []));
          assert.equal(new Set(ran).size, ran.length);
        } finally {
          await Promise.all(stores.map((s) => s.close()));
          await fresh.drop();
        }
      }
    });

    it('nodes starting together publish the same signing keys, and a rotation is one rotation', racing, async () => {
      const { stores } = await startNodes();
      const sealer = createSealer(kek);
      const kidsAt = async () => {
        const sets = await Promise.all(
          stores.map((s) => loadSigningKeys(createSqlSecretStore(s.db), sealer, systemClock, 3_600_000)),
        );
        return sets.map((keys) => keys.map((k) => k.kid).join(' '));
      };
      try {
        const first = await kidsAt();
        assert.equal(new Set(first).size, 1, 'every node read the same key set');
        assert.equal(first[0].split(' ').length, 4, 'one ES256 and one RS256 key that sign, and a next key of each');
        // Two operators rotating at once: each rotation retires what was active, so exactly two keys sign.
        await Promise.all(
          stores
            .slice(0, 2)
            .map((s) => rotateSigningKeys(createSqlSecretStore(s.db), sealer, systemClock, { publishedForMs: 0 })),
        );
        const afterRotation = await kidsAt();
        assert.equal(new Set(afterRotation).size, 1);
        const keys = await loadSigningKeys(createSqlSecretStore(stores[0].db), sealer, systemClock, 0);
        assert.equal(keys.filter((k) => !k.key_ops).length, 2, 'only the newest rotation signs');
        assert.equal(keys.length, 4, 'beside its next keys');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('a node started with another key-encryption key names the setting and exits', async () => {
      const store = openStore(database.url);
      await store.migrate();
      await loadSigningKeys(createSqlSecretStore(store.db), createSealer(kek), systemClock, 0);
      await store.close();
      const other = randomBytes(32).toString('base64');
      const result = await runCli(['serve'], {
        TESSERA_DATABASE_URL: database.url,
        TESSERA_SECRETS_KEY_ENCRYPTION_KEY: other,
        TESSERA_HTTP_PORT: '0',
        TESSERA_LOG_LEVEL: 'silent',
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /secrets\.keyEncryptionKey \(TESSERA_SECRETS_KEY_ENCRYPTION_KEY\) does not open/);
      assert.doesNotMatch(result.stderr, /SealingError|at .*\.ts:\d+/, 'no stack trace');
      assert.doesNotMatch(result.stderr, new RegExp(other.slice(0, 12).replace(/[+/]/g, '.')), 'the key is not shown');
    });
  });
}
