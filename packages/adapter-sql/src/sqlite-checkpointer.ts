/**
 * WAL checkpoints of the store's own SQLite file on a worker thread, off the event loop.
 *
 * In WAL mode SQLite appends every commit to the `-wal` file and, once that holds
 * `wal_autocheckpoint` pages (1,000 by default), the connection that commits next copies them
 * back into the database file and fsyncs it, inside that commit. On the event loop that is a
 * stall of several milliseconds every few dozen messages (a message writes about a dozen pages),
 * the largest share of a SQLite host's p99 latency in `pnpm bench`; a larger threshold only makes
 * the stalls rarer and longer. Here a worker thread with its own connection runs
 * `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`: it never waits for or blocks a writer, and
 * its copying and fsync happen on its own thread. Passive checkpoints alone never let the log
 * start over under steady writes, so past {@link RESTART_PAGES} the worker runs a RESTART
 * checkpoint (a short hold of the writer lock). The store's connection keeps an automatic
 * checkpoint at a high threshold as a safety net (reached only if the worker falls behind), and
 * goes back to SQLite's default should the worker fail.
 *
 * Durability does not change: a commit is durable (to `synchronous`'s standard) once it is in the
 * WAL, whoever checkpoints it later.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What the store's connection is set to while the worker checkpoints: a safety net only. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;
/** SQLite's own default, restored when the worker fails. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/**
 * WAL size (pages) past which the worker restarts the log (see the worker): large enough that
 * the short writer-lock wait it costs comes about once a second at 2,000 messages a second.
 */
export const RESTART_PAGES = 8000;

// Plain CommonJS run with `eval`: no file of its own to resolve from source or from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.filename, { fileMustExist: true });
// PASSIVE never waits on a lock; the timeout only covers opening against a busy file.
db.pragma('busy_timeout = 1000');
let timer = null;
const tick = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    // Under steady writes a passive checkpoint never finds the log idle, so the log is never
    // started over and would grow without end. Past restartPages, RESTART takes the writer lock
    // for the few frames written since and the fsync, and the next commit starts the log anew.
    if (result && result.log >= workerData.restartPages) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    // SQLITE_BUSY while another connection checkpoints or recovers: try again next time.
    if (!error || error.code !== 'SQLITE_BUSY') throw error;
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
`;

/** A running checkpointer. */
export interface SqliteCheckpointer {
  /** Stops the worker (after the checkpoint under way) and closes its connection. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `filename` every `intervalMs` on a worker thread. `onFailure` is called
 * once if the worker fails (it cannot open the file, a checkpoint throws, it exits on its own), so
 * the store can put checkpoints back on its own connection. The worker never keeps the process
 * alive.
 */
export function startSqliteCheckpointer(
  filename: string,
  onFailure: (error: unknown) => void,
  intervalMs = 100,
): SqliteCheckpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module, filename, intervalMs, restartPages: RESTART_PAGES },
  });
  worker.unref();
  let stopping = false;
  let failed = false;
  const fail = (error: unknown) => {
    if (stopping || failed) return;
    failed = true;
    onFailure(error);
  };
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      fail(new Error(`the SQLite checkpoint worker exited (code ${code})`));
      resolve();
    });
  });
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Held while it stops: an unref'd worker alone would let the process exit under an awaiting close().
      worker.ref();
      worker.postMessage('stop');
      // A worker stuck in a checkpoint is not waited for longer than this.
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      timeout.unref();
      await exited;
      clearTimeout(timeout);
    },
  };
}
