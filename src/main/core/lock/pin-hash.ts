import { sodium } from '../crypto';
import { runOnce } from '../workers/run-once';
import { workerEntry, type WorkerEntry } from '../workers/worker-entry';

/** One Argon2id job: a new PIN's hash (crypto_pwhash_str, interactive limits), or a PIN against a stored one. */
export type PinJob = { kind: 'hash'; pin: string } | { kind: 'verify'; hash: string; pin: string };
export type PinAnswer = { kind: 'hash'; hash: string } | { kind: 'verify'; valid: boolean };

export async function pinJob(job: PinJob): Promise<PinAnswer> {
  const s = await sodium();
  return job.kind === 'hash'
    ? {
        kind: 'hash',
        hash: s.crypto_pwhash_str(
          job.pin,
          s.crypto_pwhash_OPSLIMIT_INTERACTIVE,
          s.crypto_pwhash_MEMLIMIT_INTERACTIVE,
        ),
      }
    : { kind: 'verify', valid: s.crypto_pwhash_str_verify(job.hash, job.pin) };
}

/**
 * Runs the job on a worker thread of its own. Argon2id takes 64 MiB of libsodium's WebAssembly memory, which
 * never shrinks: on the main thread it would stay for as long as the app runs (a quarter of its memory at
 * idle); in the worker it goes when the worker exits. The main thread also stays free for the ~0.1 s.
 */
function runPinJob(job: PinJob, entry: WorkerEntry): Promise<PinAnswer> {
  return runOnce(entry, job, () => pinJob(job));
}

const pinWorker = (): WorkerEntry => workerEntry(import.meta.url, 'pin-worker');

/** The Argon2id string of a new PIN, computed on a worker thread. */
export async function hashPin(pin: string, entry = pinWorker()): Promise<string> {
  const answer = await runPinJob({ kind: 'hash', pin }, entry);
  if (answer.kind !== 'hash') throw new Error('the PIN worker answered another job');
  return answer.hash;
}

/** Whether `pin` matches the stored Argon2id string, checked on a worker thread. */
export async function verifyPin(hash: string, pin: string, entry = pinWorker()): Promise<boolean> {
  const answer = await runPinJob({ kind: 'verify', hash, pin }, entry);
  return answer.kind === 'verify' && answer.valid;
}
