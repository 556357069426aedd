import type { IpcErrorCode } from '../../../shared/contract';
import type { StoreDamage } from './check';

/** What check-ahead.ts hands its worker (check-worker.ts), and the one answer it gets back. */
export interface CheckWorkerInit {
  file: string;
  /** A copy of the profile store key; the worker wipes it when the check is done. */
  key: Uint8Array;
  /** The newest schema version this app knows. */
  latest: number;
}

export type FromCheckWorker =
  { ok: true } | { ok: false; code: IpcErrorCode; message: string; damage?: StoreDamage };
