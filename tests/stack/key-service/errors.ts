// Typed errors of the key service: each carries the HTTP status and the stable code of the JSON body.
export type KeyServiceErrorCode =
  'unauthenticated' | 'mfa_required' | 'forbidden' | 'invalid' | 'not_found' | 'conflict' | 'internal';

const STATUS: Record<KeyServiceErrorCode, number> = {
  unauthenticated: 401,
  mfa_required: 403,
  forbidden: 403,
  invalid: 400,
  not_found: 404,
  conflict: 409,
  internal: 500,
};

export class KeyServiceError extends Error {
  readonly status: number;

  constructor(
    readonly code: KeyServiceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KeyServiceError';
    this.status = STATUS[code];
  }
}
