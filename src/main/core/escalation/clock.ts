/**
 * The time escalation runs on. The app uses the system clock; tests and the Chromium walk pass a clock they
 * move themselves (CoreOptions.clock), so a 2-minute deadline passes without waiting 2 minutes.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once `ms` have passed on this clock. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    // Node timers overflow past ~24.8 days; deadlines are minutes, but a bad stored one must not fire at once.
    const handle = setTimeout(fn, Math.min(Math.max(ms, 0), 2 ** 31 - 1));
    handle.unref();
    return () => clearTimeout(handle);
  },
};
