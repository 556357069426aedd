/**
 * Worker-thread entry of check-ahead.ts (never imported by anything else): checks one profile database
 * (check.ts) and answers once, with the typed error's code, message and damage when it fails.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors';
import { checkStoreFile, ProfileDamagedError } from './check';
import type { CheckWorkerInit, FromCheckWorker } from './check-protocol';

const { file, key, latest } = workerData as CheckWorkerInit;
let answer: FromCheckWorker;
try {
  checkStoreFile(file, key, latest);
  answer = { ok: true };
} catch (err) {
  answer =
    err instanceof ProfileDamagedError
      ? { ok: false, code: err.code, message: err.message, damage: err.damage }
      : err instanceof AppError
        ? { ok: false, code: err.code, message: err.message }
        : { ok: false, code: 'internal', message: 'The local database could not be checked.' };
} finally {
  key.fill(0);
}
parentPort!.postMessage(answer);
