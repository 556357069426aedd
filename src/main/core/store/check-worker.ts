/** Worker-thread entry of check-ahead.ts (never imported by anything else): one check, one answer. */
import { parentPort, workerData } from 'node:worker_threads';
import { checkAnswer } from './check';
import type { CheckWorkerInit } from './check-protocol';

parentPort!.postMessage(checkAnswer(workerData as CheckWorkerInit));
