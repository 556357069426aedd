import { AppError } from '../errors';
import { runOnce } from '../workers/run-once';
import { workerEntry, type WorkerEntry } from '../workers/worker-entry';
import { checkAnswer, ProfileDamagedError } from './check';
import type { CheckWorkerInit } from './check-protocol';

/**
 * Checks an existing profile database (check.ts: journal, key, schema version, quick_check of every page) on
 * a worker thread, so the sign-in's other work (the keychain, the sign-in service) goes on meanwhile and the
 * main thread stays free; at a million messages the check reads 650 MB. Resolves when the file is sound, or
 * rejects with the same typed error as the check on the main thread (where it runs if the worker cannot).
 */
export async function checkStoreAhead(
  file: string,
  key: Uint8Array,
  latest: number,
  entry: WorkerEntry = workerEntry(import.meta.url, 'check-worker'),
): Promise<void> {
  const init: CheckWorkerInit = { file, key: key.slice(), latest };
  const answer = await runOnce(entry, init, () => checkAnswer(init));
  if (answer.ok) return;
  if (answer.damage) throw new ProfileDamagedError(answer.damage);
  throw new AppError(answer.code, answer.message);
}
