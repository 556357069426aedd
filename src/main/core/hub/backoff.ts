import type { IRetryPolicy, RetryContext } from '@microsoft/signalr';

export interface BackoffOptions {
  /** The ceiling of the first retry's delay. */
  initialMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
  /** [0, 1); defaults to Math.random (jitter needs no cryptographic randomness). */
  random?: () => number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 1_000, maxMs: 30_000 };

/**
 * "Full jitter" exponential backoff: a uniformly random delay in [0, min(maxMs, initialMs · 2^attempt)).
 * The randomness spreads out a ward's worth of workstations reconnecting after a hub restart.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const initial = Math.max(1, options.initialMs);
  const max = Math.max(initial, options.maxMs);
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 31);
  const ceiling = Math.min(max, initial * 2 ** exponent);
  const r = (options.random ?? Math.random)();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.min(max, Math.floor(unit * ceiling));
}

/** A SignalR retry policy that never gives up (never answers null). */
export function foreverRetryPolicy(options: BackoffOptions): IRetryPolicy {
  return {
    nextRetryDelayInMilliseconds: (context: RetryContext) =>
      backoffDelay(context.previousRetryCount, options),
  };
}
