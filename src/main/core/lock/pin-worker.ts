/** Worker-thread entry of pin-hash.ts (never imported by anything else): one Argon2id job, one answer. */
import { parentPort, workerData } from 'node:worker_threads';
import { pinJob, type PinJob } from './pin-hash';

parentPort!.postMessage(await pinJob(workerData as PinJob));
