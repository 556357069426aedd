/**
 * Worker-thread entry of the checkpointer (started by checkpointer.ts; never imported by anything else): its
 * own connection to the profile database copies committed journal pages into the file every `intervalMs`,
 * without blocking the main connection's readers or writer (a PASSIVE checkpoint).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3-multiple-ciphers';
import { keyed } from './cipher';
import type { CheckpointWorkerInit, FromCheckpointWorker } from './checkpoint-protocol';

const { file, key, intervalMs, closed } = workerData as CheckpointWorkerInit;
const port = parentPort!;
const send = (message: FromCheckpointWorker) => port.postMessage(message);
const codeOf = (err: unknown) => String((err as { code?: unknown }).code ?? 'unknown');

const db = new Database(file, { fileMustExist: true });
try {
  keyed(db, key);
  db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
} finally {
  key.fill(0);
}
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    send({ kind: 'failed', code: codeOf(err) });
  }
}, intervalMs);
port.on('message', (message: unknown) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  const flag = new Int32Array(closed);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  port.close();
});
send({ kind: 'ready' });
