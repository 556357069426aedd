import {
  parseHubError,
  type HubErrorBody,
  type HubErrorCode,
  type HubMethodName,
} from '../../../shared/hub-protocol';
import { AppError } from '../errors';

/** Plain sentences per hub code, safe to show; the hub's own text is kept apart in `hubMessage`. */
const userMessages: Record<HubErrorCode, string> = {
  unauthenticated: 'The hub did not accept the sign-in; sign in again.',
  invalid: 'The hub rejected a malformed request.',
  too_large: 'This is too large for the hub to accept.',
  rate_limited: 'Too many requests to the hub; the request can be retried shortly.',
  device_required: 'This workstation is not registered with the hub yet.',
  device_revoked: 'This device has been revoked and can no longer use the hub.',
  forbidden: 'The hub does not allow this for your account.',
  not_found: 'The hub does not know what was asked for.',
  conflict: 'The hub already has something different under that identifier.',
  internal: 'The hub had a problem; the request can be retried.',
  stale_recipients: 'The members of the conversation or their keys changed; the message is sealed again.',
  invalid_proof:
    'The hub did not accept this workstation’s registration: it did not prove that it holds its own key.',
};

/** A call the hub refused with a typed error (a HubException carrying `{ code, message }`). */
export class HubCallError extends AppError {
  readonly hubCode: HubErrorCode;
  /** For `rate_limited`: when one more call is allowed. */
  readonly retryAfterMs: number | undefined;
  /** The hub's own text (identifiers and reasons, never message contents: the hub sees none). */
  readonly hubMessage: string;
  readonly method: HubMethodName;

  constructor(method: HubMethodName, body: HubErrorBody, options?: { cause?: unknown }) {
    super('hub_refused', userMessages[body.code], options);
    this.name = 'HubCallError';
    this.hubCode = body.code;
    this.retryAfterMs = body.retryAfterMs;
    this.hubMessage = body.message;
    this.method = method;
  }
}

export function hubUnreachable(cause?: unknown): AppError {
  return new AppError(
    'hub_unreachable',
    'The hub cannot be reached right now; the app keeps reconnecting.',
    cause === undefined ? undefined : { cause },
  );
}

export function hubProtocolError(what: string, cause?: unknown): AppError {
  return new AppError(
    'hub_protocol_error',
    `The hub answered something that does not follow the protocol (${what}); it was not used.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Classifies a failed `invoke`: a typed hub error becomes `HubCallError`; SignalR's own invocation error for a
 * server failure without a typed body is a protocol error; anything else (the connection went away, was not
 * connected, a transport fault) is `hub_unreachable`.
 */
export function classifyInvokeFailure(method: HubMethodName, err: unknown): AppError {
  if (err instanceof AppError) return err;
  const body = parseHubError(err);
  if (body) return new HubCallError(method, body, { cause: err });
  const text = err instanceof Error ? err.message : String(err);
  if (/HubException|An unexpected error occurred invoking|Failed to invoke/i.test(text)) {
    return hubProtocolError(`an untyped refusal of ${method}`, err);
  }
  return hubUnreachable(err);
}
