// Runs in a worker thread beside each SQLite file database (see sqlite.ts): it copies the write-ahead log back into
// the database file, so the fsyncs of a checkpoint stall this thread instead of the one answering requests.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new DatabaseSync(path);
db.exec('PRAGMA synchronous = NORMAL');
const timer = setInterval(() => {
  // PASSIVE never waits for readers or writers; SQLITE_BUSY (another checkpoint under way) just means next time.
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    /* retried on the next tick */
  }
}, intervalMs);
parentPort!.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
