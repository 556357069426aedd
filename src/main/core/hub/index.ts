export {
  createHubClient,
  type HubClient,
  type HubClientOptions,
  type HubClientState,
  type ConnectedInfo,
  type BindFailure,
  type BindOptions,
} from './hub-client';
export { HubCallError, classifyInvokeFailure, hubProtocolError } from './errors';
export { backoffDelay, foreverRetryPolicy, defaultBackoff, type BackoffOptions } from './backoff';
export {
  checkHubResult,
  guardEventHandler,
  identifiersOf,
  type ProtocolViolation,
  type OnProtocolViolation,
  type ValidationSink,
} from './validate';
