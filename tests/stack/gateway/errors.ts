// Typed errors of the gateway: each carries the HTTP status and a stable code for the JSON body.
export type GatewayErrorCode =
  | 'unauthorized'
  | 'invalid-cid'
  | 'not-found'
  | 'bad-request'
  | 'not-acceptable'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'upload-failed'
  | 'internal';

const STATUS: Record<GatewayErrorCode, number> = {
  unauthorized: 401,
  'invalid-cid': 400,
  'not-found': 404,
  'bad-request': 400,
  'not-acceptable': 406,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'upload-failed': 500,
  internal: 500,
};

export class GatewayError extends Error {
  readonly status: number;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayError';
    this.status = STATUS[code];
  }
}

/** Raised by startGateway for options it cannot run with. */
export class GatewayConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayConfigError';
  }
}
