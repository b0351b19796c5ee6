import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { openSqlite } from './sqlite.ts';
import { openStore } from './database.ts';
import type { CheckpointRound } from './wal-checkpointer.ts';

/** What the database file alone holds, without its write-ahead log: what a checkpoint has copied back so far. */
function rowsInDatabaseFile(dir: string, path: string): number {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
  // Copied by another process: closing a descriptor of the file here would drop this process's SQLite locks on it.
  execFileSync('cp', [path, copy]);
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

/**
 * Runs `work` on a database file in a directory of its own, removed after. The checkpointer thread closes its
 * connection after the test's and may still be removing the -wal and -shm files, hence the wait and the retries.
 */
async function inScratchDirectory(work: (path: string, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
  try {
    await work(join(dir, 'tessera.db'), dir);
  } finally {
    await sleep(50);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

const countNotes = (db: DatabaseSync) => (db.prepare('select count(*) as n from notes').get() as { n: number }).n;
const createNotes = (db: DatabaseSync) => db.exec('create table notes (id integer primary key, body text not null)');

const restartsIn = (rounds: CheckpointRound[]) => rounds.filter((r) => r.restarted).length;
/** Waits (10 s at most) for the checkpointer to start the log over once more than `before` times. */
async function untilRestarted(rounds: CheckpointRound[], before = restartsIn(rounds)): Promise<void> {
  for (let waited = 0; restartsIn(rounds) === before; waited += 20) {
    assert.ok(waited < 10_000, 'the checkpointer started the log over');
    await sleep(20);
  }
}

describe('SQLite file database', () => {
  it('copies the write-ahead log into the database file in the background, and keeps every row across a reopen', async () => {
    await inScratchDirectory(async (path, dir) => {
      const db = openSqlite(path);
      createNotes(db.raw);
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
      assert.equal(countNotes(reopened.raw), 300);
      reopened.close();
    });
  });

  it('starts the write-ahead log over from its own thread while writes go on, and cuts the file back', async () => {
    const rounds: CheckpointRound[] = [];
    await inScratchDirectory(async (path) => {
      const db = openSqlite(path, { onCheckpoint: (round) => rounds.push(round) });
      createNotes(db.raw);
      const insert = db.prepare('insert into notes (body) values (?)');
      // Writes never pause for long (a batch, then a turn of the event loop): a checkpoint that only copies what was
      // written before it began never finds the log all copied, so this thread must hold writers off to catch up.
      let written = 0;
      const caughtUp = () => rounds.some((r) => r.caughtUp && r.restarted);
      for (let batch = 0; !caughtUp() && batch < 200_000; batch++) {
        db.raw.exec('BEGIN IMMEDIATE');
        for (let i = 0; i < 10; i++) insert.run([`note ${written++} ${'x'.repeat(600)}`]);
        db.raw.exec('COMMIT');
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(caughtUp(), 'the checkpointer caught up and started the log over while the writes went on');
      // The writer's own backstop (10,000 pages) never had to act: the log started over well below it.
      assert.ok(
        rounds.every((r) => r.log < 10_000),
        `largest log ${Math.max(...rounds.map((r) => r.log))} frames`,
      );
      // Once the writes stop, the log is copied and started over within a few rounds, by that thread.
      const seen = rounds.length;
      while (rounds.length < seen + 5 && !rounds.slice(seen).some((r) => r.restarted)) await sleep(20);
      assert.ok(rounds.slice(seen).some((r) => r.restarted));
      // journal_size_limit: the file itself is cut back once the log starts over, not kept at its largest.
      assert.ok(statSync(`${path}-wal`).size <= 16 * 1024 * 1024 + 64 * 1024);
      // A further read and write: everything is there, the file works as before.
      insert.run(['last']);
      assert.equal(countNotes(db.raw), written + 1);
      db.close();
      const reopened = openSqlite(path);
      assert.equal(countNotes(reopened.raw), written + 1);
      reopened.close();
    });
  });

  it('leaves an idle database alone: no round works when nobody else wrote', async () => {
    const rounds: CheckpointRound[] = [];
    await inScratchDirectory(async (path) => {
      const db = openSqlite(path, { onCheckpoint: (round) => rounds.push(round) });
      createNotes(db.raw);
      db.prepare('insert into notes (body) values (?)').run(['one']);
      await untilRestarted(rounds, 0);
      const after = rounds.length;
      // Ten checkpoint intervals with no write: the thread found nothing to do (its own restart is not new work).
      await sleep(1_000);
      assert.equal(rounds.length, after);
      db.close();
    });
  });

  it("leaves two processes' checkpointers settled after a write, not restarting each other's log", async () => {
    // The server and a CLI command beside it: each restart writes page 1, which the other took as new work, and the
    // two went on for as long as both were open, 8 restarts a second each, in the way of the command's statements.
    const restarts = { server: 0, command: 0 };
    await inScratchDirectory(async (path) => {
      const server = openSqlite(path, { onCheckpoint: (r) => void (r.restarted && restarts.server++) });
      const command = openSqlite(path, { onCheckpoint: (r) => void (r.restarted && restarts.command++) });
      createNotes(command.raw);
      command.prepare('insert into notes (body) values (?)').run(['granted']);
      server.prepare('insert into notes (body) values (?)').run(['signed in']);
      await sleep(1_000);
      const settled = restarts.server + restarts.command;
      // Ten checkpoint intervals more with nobody writing: no restart at all.
      await sleep(1_000);
      assert.equal(restarts.server + restarts.command, settled);
      assert.ok(settled <= 4, `${settled} restarts for 3 writes`);
      assert.equal(countNotes(server.raw), 2);
      command.close();
      server.close();
    });
  });

  it("keeps this process's locks on the shared index while the checkpointer starts the log over", async () => {
    // Closing any descriptor of a file drops every POSIX lock the process holds on it. The checkpointer once read the
    // -shm file itself after each restart, so the server no longer held its lock there; a CLI command opening the
    // database next took itself for the only user and rebuilt the index under the server (CI: a test process died
    // beside `otp registration-code`).
    await inScratchDirectory(async (path) => {
      const rounds: CheckpointRound[] = [];
      const db = openSqlite(path, { onCheckpoint: (round) => rounds.push(round) });
      createNotes(db.raw);
      const insert = db.prepare('insert into notes (body) values (?)');
      for (let i = 0; i < 3; i++) {
        insert.run([`note ${i}`]);
        await untilRestarted(rounds);
      }
      const index = statSync(`${path}-shm`).ino;
      const held = readFileSync('/proc/locks', 'utf8')
        .split('\n')
        .filter((line) => line.includes(`:${index} `) && line.split(/\s+/)[4] === String(process.pid));
      assert.ok(held.length > 0, 'the process still holds its lock on the -shm file');
      db.close();
    });
  });

  it('goes on writing while other processes open the database, write and close it, and loses no row', async () => {
    // The server beside CLI commands. When this process had lost its -shm lock (above), the next process to open
    // the database cut the shared index's file short under this one's mapping, and it died of SIGBUS.
    await inScratchDirectory(async (path) => {
      const db = openSqlite(path);
      createNotes(db.raw);
      const insert = db.prepare('insert into notes (body) values (?)');
      let written = 0;
      const writes = setInterval(() => {
        insert.run(['server']);
        written++;
      }, 2);
      const command = `
        const { openSqlite } = await import(${JSON.stringify(new URL('./sqlite.ts', import.meta.url).href)});
        const db = openSqlite(${JSON.stringify(path)});
        const insert = db.prepare("insert into notes (body) values ('command')");
        for (let i = 0; i < 10; i++) { insert.run([]); await new Promise((r) => setTimeout(r, 5)); }
        db.close();`;
      const run = () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', command], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.on('exit', (code) => resolve(code === 0 ? '' : `exit ${code}: ${stderr}`));
        });
      try {
        for (let round = 0; round < 8; round++) assert.deepEqual(await Promise.all([run(), run()]), ['', '']);
      } finally {
        clearInterval(writes);
      }
      const rows = db.raw.prepare('select body, count(*) as n from notes group by body order by body').all();
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [
          { body: 'command', n: 160 },
          { body: 'server', n: written },
        ],
      );
      assert.equal(
        (db.raw.prepare('pragma integrity_check').get() as { integrity_check: string }).integrity_check,
        'ok',
      );
      db.close();
    });
  });

  it("keeps a transaction that reads, then writes, from being undone by another connection's write in between", async () => {
    await inScratchDirectory(async (path) => {
      const store = openStore(`sqlite:${path}`);
      await sql`create table notes (id integer primary key, body text not null)`.execute(store.db);
      await store.db.transaction().execute(async (trx) => {
        await sql`select count(*) as n from notes`.execute(trx);
        // As the checkpointer thread's restart write would: it finds the write lock taken and waits its turn,
        // instead of committing under a reader that still means to write (SQLITE_BUSY_SNAPSHOT for that one).
        const other = new DatabaseSync(path);
        other.exec('PRAGMA busy_timeout = 0');
        assert.throws(() => other.exec('PRAGMA user_version = 7'), /locked|busy/i);
        other.close();
        await sql`insert into notes (body) values ('after a read')`.execute(trx);
      });
      const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(store.db);
      assert.equal(rows[0].n, 1);
      await store.close();
    });
  });
});
