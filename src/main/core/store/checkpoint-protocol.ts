/** What the checkpointer (checkpointer.ts) hands its worker (checkpoint-worker.ts) at start. */
export interface CheckpointWorkerInit {
  file: string;
  /** A copy of the profile store key; the worker wipes it once its connection is keyed. */
  key: Uint8Array;
  intervalMs: number;
  /** Int32 flag the worker sets to 1 once its connection is closed (the main thread waits on it). */
  closed: SharedArrayBuffer;
}

export type FromCheckpointWorker = { kind: 'ready' } | { kind: 'failed'; code: string };
