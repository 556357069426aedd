/** Every call across the IPC boundary answers one of these; errors carry a stable code and a safe message. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface IpcError {
  code: IpcErrorCode;
  message: string;
}

export const ipcErrorCodes = [
  'unknown_call',
  'invalid_args',
  'forbidden_sender',
  'internal',
  'policy_invalid',
  'not_configured',
] as const;
export type IpcErrorCode = (typeof ipcErrorCodes)[number];

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: IpcErrorCode, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});
