import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqlite } from './sqlite.ts';

/** What the database file alone holds, without its write-ahead log: what a checkpoint has copied back so far. */
function rowsInDatabaseFile(dir: string, path: string): number {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(path, copy);
  try {
    const db = new DatabaseSync(copy, { readOnly: true });
    try {
      const table = db.prepare("select count(*) as n from sqlite_master where name = 'notes'").get() as { n: number };
      return table.n === 0 ? 0 : (db.prepare('select count(*) as n from notes').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    // A copy taken while the checkpointer writes pages can be torn (malformed): not there yet, look again.
    return 0;
  } finally {
    rmSync(copy);
  }
}

describe('SQLite file database', () => {
  it('copies the write-ahead log into the database file in the background, and keeps every row across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
    const path = join(dir, 'tessera.db');
    try {
      const db = openSqlite(path);
      db.raw.exec('create table notes (id integer primary key, body text not null)');
      const insert = db.prepare('insert into notes (body) values (?)');
      // About 100 pages: far below the writer's own checkpoint threshold, so only the background one moves them.
      for (let i = 0; i < 200; i++) insert.run([`note ${i} ${'x'.repeat(1500)}`]);
      let inFile = 0;
      for (let waited = 0; waited < 10_000 && inFile < 200; waited += 50) {
        await sleep(50);
        inFile = rowsInDatabaseFile(dir, path);
      }
      assert.equal(inFile, 200, 'every committed row reached the database file without the writer checkpointing');
      // The writer goes on while the checkpointer works, and nothing is lost at close.
      for (let i = 200; i < 300; i++) insert.run([`note ${i}`]);
      db.close();

      const reopened = openSqlite(path);
      assert.equal((reopened.raw.prepare('select count(*) as n from notes').get() as { n: number }).n, 300);
      reopened.close();
    } finally {
      await sleep(50);
      // The checkpointer thread closes its connection after ours and may still be removing the -wal and -shm files.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    }
  });
});
