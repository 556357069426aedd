export type LockState = 'locked' | 'unlocked';
/** Why the profile locked: the idle timer, the user, or the server withdrew this workstation's access. */
export type LockReason = 'idle' | 'manual' | 'access-withdrawn';

type TimerHandle = unknown;

export interface IdleLockOptions {
  /** The user's chosen idle time; capped at `maxMinutes`. */
  timeoutMinutes: number;
  /** The policy maximum (`idleLockMaxMinutes`): the user may only shorten the timeout. */
  maxMinutes: number;
  /** Starts locked (e.g. at launch before sign-in) or unlocked (default). */
  initialState?: LockState;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => TimerHandle;
  clearTimer?: (handle: TimerHandle) => void;
  onLock: (reason: LockReason) => void;
  onUnlock?: () => void;
}

export interface IdleLock {
  readonly state: LockState;
  /** The effective timeout in minutes (after the policy cap). */
  readonly timeoutMinutes: number;
  /** User input happened: postpones the idle lock. Cheap: it only records the time. */
  activity(): void;
  /** Locks now (the user asked, unless another reason is given). */
  lockNow(reason?: Exclude<LockReason, 'idle'>): void;
  /** Call after the PIN or a full sign-in succeeded. */
  unlock(): void;
  /** Sets the user's timeout; returns the effective value (at most the policy maximum, at least 1). */
  setTimeout(minutes: number): number;
  /** The policy changed; the timeout is re-capped. */
  setMaxMinutes(maxMinutes: number): number;
  dispose(): void;
}

const minute = 60_000;

function clampMinutes(value: number, max: number): number {
  const cap = Number.isFinite(max) && max >= 1 ? max : 1;
  if (!Number.isFinite(value)) return cap;
  return Math.min(Math.max(1, value), cap);
}

/**
 * Locks the app after `timeoutMinutes` without activity. Activity only records a timestamp; one timer runs,
 * and when it fires early (activity happened meanwhile) it re-arms for the remaining time.
 */
export function createIdleLock(options: IdleLockOptions): IdleLock {
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimer ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearTimer =
    options.clearTimer ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  let maxMinutes = options.maxMinutes;
  let userMinutes = options.timeoutMinutes;
  let timeout = clampMinutes(userMinutes, maxMinutes);
  let state: LockState = options.initialState ?? 'unlocked';
  let lastActivity = now();
  let timer: TimerHandle | null = null;
  let disposed = false;

  const disarm = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
  };
  const arm = (ms: number) => {
    disarm();
    if (disposed || state === 'locked') return;
    timer = setTimer(check, Math.max(0, ms));
  };
  const lock = (reason: LockReason) => {
    if (state === 'locked') return;
    state = 'locked';
    disarm();
    options.onLock(reason);
  };
  function check() {
    timer = null;
    if (state === 'locked' || disposed) return;
    const remaining = lastActivity + timeout * minute - now();
    if (remaining <= 0) lock('idle');
    else arm(remaining);
  }

  if (state === 'unlocked') arm(timeout * minute);

  return {
    get state() {
      return state;
    },
    get timeoutMinutes() {
      return timeout;
    },
    activity() {
      if (state === 'unlocked') lastActivity = now();
    },
    lockNow(reason = 'manual') {
      lock(reason);
    },
    unlock() {
      if (disposed) return;
      const wasLocked = state === 'locked';
      state = 'unlocked';
      lastActivity = now();
      arm(timeout * minute);
      if (wasLocked) options.onUnlock?.();
    },
    setTimeout(minutes) {
      userMinutes = minutes;
      timeout = clampMinutes(userMinutes, maxMinutes);
      if (state === 'unlocked') {
        disarm();
        check();
      }
      return timeout;
    },
    setMaxMinutes(max) {
      maxMinutes = max;
      timeout = clampMinutes(userMinutes, maxMinutes);
      if (state === 'unlocked') {
        disarm();
        check();
      }
      return timeout;
    },
    dispose() {
      disposed = true;
      disarm();
    },
  };
}
