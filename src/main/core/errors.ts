import type { IpcErrorCode } from '../../shared/contract';

/** An error a user may meet: a stable code and a message safe to show (no PHI, no secrets). */
export class AppError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}
