import type { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger';
import { startWorker, workerEntry, type WorkerEntry } from '../workers/worker-entry';
import type { CheckpointWorkerInit, FromCheckpointWorker } from './checkpoint-protocol';
import type { Db } from './migrate';

/** SQLite's own threshold (pages), restored whenever the worker is not there to checkpoint. */
const sqliteDefaultAutocheckpoint = 1000;
/** The longest close() waits for the worker to let go of the file (a checkpoint in progress finishes first). */
const closeWaitMs = 5_000;

export interface BackgroundCheckpointOptions {
  log: Logger;
  intervalMs?: number;
  entry?: WorkerEntry;
}

export interface BackgroundCheckpoints {
  /** Stops the worker and waits until its connection is closed, so the caller's close is the last one. */
  close(): void;
}

/**
 * Checkpoints `db`'s journal on a worker thread. Until the worker has its connection, and again if it stops or
 * fails, the main connection checkpoints as SQLite does by default: a journal is never left to grow unchecked.
 */
export function startBackgroundCheckpoints(
  db: Db,
  file: string,
  key: Uint8Array,
  options: BackgroundCheckpointOptions,
): BackgroundCheckpoints {
  const closed = new SharedArrayBuffer(4);
  const init: CheckpointWorkerInit = {
    file,
    key: key.slice(),
    intervalMs: options.intervalMs ?? 1_000,
    closed,
  };
  let worker: Worker | null = startWorker(
    options.entry ?? workerEntry(import.meta.url, 'checkpoint-worker'),
    init,
  );
  let ready = false;
  worker.unref();

  function fallBack(reason: string): void {
    if (!worker) return;
    worker = null;
    if (db.open) db.pragma(`wal_autocheckpoint = ${sqliteDefaultAutocheckpoint}`);
    options.log.warn(
      { reason },
      'background checkpoints stopped; the database checkpoints on the main thread',
    );
  }

  worker.on('message', (message: FromCheckpointWorker) => {
    if (message.kind === 'ready' && db.open) {
      ready = true;
      db.pragma('wal_autocheckpoint = 0');
    } else if (message.kind === 'failed') {
      options.log.warn({ code: message.code }, 'a background checkpoint failed');
    }
  });
  worker.on('error', (err) => fallBack(`worker error: ${(err as { code?: string }).code ?? err.name}`));
  worker.on('exit', () => fallBack('worker exited'));

  return {
    close() {
      const running = worker;
      if (!running) return;
      worker = null;
      if (ready) {
        running.postMessage('close');
        Atomics.wait(new Int32Array(closed), 0, 0, closeWaitMs);
      }
      void running.terminate();
    },
  };
}
