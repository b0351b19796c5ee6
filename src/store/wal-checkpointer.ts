// Runs in a worker thread beside each SQLite file database (see sqlite.ts): it copies the write-ahead log back into
// the database file and starts the log over, so that the fsyncs both need happen on this thread instead of the one
// answering requests.
//
// Why a PASSIVE checkpoint alone is not enough (measured, issue 25): the log starts over only when a writer begins
// while every frame of it is already in the database file, and a PASSIVE checkpoint copies only the frames written
// before it began. Under steady writes (a batch every few ms) some always land during its fsyncs, so it never
// catches up; the log grew to the writer's 10,000-page backstop, and that writer, the request thread, then did the
// whole checkpoint and the restart itself (3 fsyncs, 12-30 ms, every few seconds at ~120 sign-ins/s). And even where
// this thread did catch up, the next request's write started the log over, fsyncing its header on that thread.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointRound {
  /** Frames in the log and copied into the database file before any restart; -1 when a checkpoint was under way. */
  log: number;
  checkpointed: number;
  /** This thread held writers off to copy the last frames (the log had reached `catchUpPages`). */
  caughtUp: boolean;
  /** This thread started the log over (and paid its fsync). */
  restarted: boolean;
}

const { path, intervalMs, catchUpPages, sizeLimitBytes, report } = workerData as {
  path: string;
  intervalMs: number;
  catchUpPages: number;
  sizeLimitBytes: number;
  report: boolean;
};

function connect(busyTimeoutMs: number): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(
    `PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${busyTimeoutMs}; PRAGMA journal_size_limit = ${sizeLimitBytes}`,
  );
  return db;
}
// Copies pages. Never waits: SQLITE_BUSY (a checkpoint already under way) just means next round.
const copier = connect(0);
// Takes the write lock: to hold writers off for the last frames, and to be the first writer once the log is copied.
// It waits a little for the request thread's write batch to end (this thread has nothing else to do).
const writer = connect(50);
const checkpoint = copier.prepare('PRAGMA wal_checkpoint(PASSIVE)');
// Copies nothing and takes no lock: the log's length and how much of it is copied (SQLite 3.51 and later).
const walStatus = copier.prepare('PRAGMA wal_checkpoint(NOOP)');
const dataVersion = writer.prepare('PRAGMA data_version');
const userVersion = writer.prepare('PRAGMA user_version');

function passive(): { log: number; checkpointed: number } {
  try {
    const { busy, log, checkpointed } = checkpoint.get() as { busy: number; log: number; checkpointed: number };
    return busy ? { log: -1, checkpointed: -1 } : { log, checkpointed };
  } catch {
    return { log: -1, checkpointed: -1 };
  }
}

function begin(): boolean {
  try {
    writer.exec('BEGIN IMMEDIATE');
    return true;
  } catch {
    return false;
  }
}

/** `data_version` as the writer connection last saw it: it moves only when another connection commits. */
let seenVersion = -1;
/** The last round left the log started over (or empty): no work until another connection writes. */
let settled = false;

function round(): CheckpointRound | undefined {
  const version = (dataVersion.get() as { data_version: number }).data_version;
  if (settled && version === seenVersion) return undefined;
  seenVersion = version;
  settled = false;
  let { log, checkpointed } = passive();
  if (log === 0) settled = true;
  if (log <= 0) return { log, checkpointed, caughtUp: false, restarted: false };
  // One page, copied: what another connection's restart leaves (its write of page 1), e.g. a CLI command's
  // checkpointer beside the server's. Restarting after it would make that one restart in turn, each waking the
  // other for as long as both were open: 8 restarts a second each, whose locks kept 12 commands run at once beside a
  // server waiting, some 10 s and some until SQLite gave up ("locking protocol"); none since. A real write moves on.
  if (checkpointed === log && log === 1) {
    settled = true;
    return { log, checkpointed, caughtUp: false, restarted: false };
  }
  if (checkpointed === log && restart()) return { log, checkpointed, caughtUp: false, restarted: true };
  if (log < catchUpPages) return { log, checkpointed, caughtUp: false, restarted: false };
  // Once more without the lock: it copies what came during the first copy's fsyncs, a much shorter time, so that
  // what is left for the writers to wait for is shorter still.
  passive();
  if (!begin()) return { log, checkpointed, caughtUp: false, restarted: false };
  // Writers wait for the frames written since the copy above: a few ms of copying and fsyncs, not the whole log.
  try {
    ({ log, checkpointed } = passive());
  } finally {
    writer.exec('ROLLBACK');
  }
  // Writers waiting on the lock sleep in SQLite's busy handler (1 ms at least): this thread takes it again first.
  return { log, checkpointed, caughtUp: true, restarted: checkpointed === log && restart() };
}

/**
 * Every frame is in the database file: the next writer starts the log over and fsyncs its new header. Be that
 * writer, with a write that changes nothing (page 1's user_version, unused by Tessera); not when another writer
 * came first, which added frames (this would only add one more). The log's frames and how many are copied are
 * asked of SQLite (a NOOP checkpoint reads them from the shared index, while this thread holds the write lock and
 * neither can move but by it), never read from the -shm file: closing any descriptor of a file drops every POSIX
 * lock this process holds on it, SQLite's included, and the next process to open the database took itself for the
 * only one and rebuilt the shared index under this one, which died of SIGBUS or got "locking protocol".
 */
function restart(): boolean {
  if (!begin()) return false;
  try {
    const { log, checkpointed } = walStatus.get() as { log: number; checkpointed: number };
    if (log <= 0 || log !== checkpointed) {
      writer.exec('ROLLBACK');
      return false;
    }
    seenVersion = (dataVersion.get() as { data_version: number }).data_version;
    const { user_version } = userVersion.get() as { user_version: number };
    writer.exec(`PRAGMA user_version = ${user_version}`);
    writer.exec('COMMIT');
    settled = true;
    return true;
  } catch {
    if (writer.isTransaction) writer.exec('ROLLBACK');
    return false;
  }
}

const timer = setInterval(() => {
  try {
    const outcome = round();
    if (report && outcome) parentPort!.postMessage(outcome);
  } catch {
    /* retried on the next tick */
  }
}, intervalMs);
parentPort!.once('message', () => {
  clearInterval(timer);
  copier.close();
  writer.close();
  parentPort!.close();
});
