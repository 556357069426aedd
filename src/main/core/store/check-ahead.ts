import { AppError } from '../errors';
import { startWorker, workerEntry, type WorkerEntry } from '../workers/worker-entry';
import { checkStoreFile, ProfileDamagedError } from './check';
import type { CheckWorkerInit, FromCheckWorker } from './check-protocol';

/**
 * Checks an existing profile database (check.ts: journal, key, schema version, quick_check of every page) on
 * a worker thread, so the sign-in's other work (the keychain, the sign-in service) goes on meanwhile and the
 * main thread stays free; at a million messages the check reads 650 MB. Resolves when the file is sound, or
 * rejects with the same typed error as the check on the main thread. A worker that cannot start or dies
 * without answering is not a verdict: the check then runs here.
 */
export function checkStoreAhead(
  file: string,
  key: Uint8Array,
  latest: number,
  entry: WorkerEntry = workerEntry(import.meta.url, 'check-worker'),
): Promise<void> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const onMainThread = () => {
      if (answered) return;
      answered = true;
      try {
        checkStoreFile(file, key, latest);
        resolve();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    const init: CheckWorkerInit = { file, key: key.slice(), latest };
    let worker;
    try {
      worker = startWorker(entry, init);
    } catch {
      onMainThread();
      return;
    }
    worker.once('message', (answer: FromCheckWorker) => {
      if (answered) return;
      answered = true;
      if (answer.ok) resolve();
      else if (answer.damage) reject(new ProfileDamagedError(answer.damage));
      else reject(new AppError(answer.code, answer.message));
    });
    worker.once('error', onMainThread);
    worker.once('exit', onMainThread);
  });
}
