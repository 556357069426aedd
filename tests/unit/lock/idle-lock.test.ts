import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdleLock, type LockReason } from '../../../src/main/core/lock';

const minute = 60_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function lockWith(timeoutMinutes: number, maxMinutes: number) {
  const locks: LockReason[] = [];
  const lock = createIdleLock({ timeoutMinutes, maxMinutes, onLock: (r) => locks.push(r) });
  return { lock, locks };
}

describe('idle lock', () => {
  it('locks after the timeout without activity', () => {
    const { lock, locks } = lockWith(5, 15);
    vi.advanceTimersByTime(5 * minute - 1000);
    expect(lock.state).toBe('unlocked');
    vi.advanceTimersByTime(1000);
    expect(lock.state).toBe('locked');
    expect(locks).toEqual(['idle']);
  });

  it('activity postpones the lock', () => {
    const { lock, locks } = lockWith(5, 15);
    vi.advanceTimersByTime(4 * minute);
    lock.activity();
    vi.advanceTimersByTime(4 * minute);
    expect(lock.state).toBe('unlocked');
    lock.activity();
    vi.advanceTimersByTime(5 * minute - 1);
    expect(lock.state).toBe('unlocked');
    vi.advanceTimersByTime(1);
    expect(lock.state).toBe('locked');
    expect(locks).toEqual(['idle']);
  });

  it('the user cannot exceed the policy maximum, only shorten it', () => {
    const { lock } = lockWith(60, 10);
    expect(lock.timeoutMinutes).toBe(10);
    expect(lock.setTimeout(30)).toBe(10);
    vi.advanceTimersByTime(10 * minute);
    expect(lock.state).toBe('locked');

    const second = lockWith(10, 10);
    expect(second.lock.setTimeout(3)).toBe(3);
    vi.advanceTimersByTime(3 * minute);
    expect(second.lock.state).toBe('locked');
  });

  it('shortening the timeout below the idle time already passed locks at once', () => {
    const { lock, locks } = lockWith(10, 10);
    vi.advanceTimersByTime(6 * minute);
    lock.setTimeout(5);
    expect(lock.state).toBe('locked');
    expect(locks).toEqual(['idle']);
  });

  it('a tighter policy re-caps the timeout', () => {
    const { lock } = lockWith(10, 15);
    expect(lock.setMaxMinutes(2)).toBe(2);
    vi.advanceTimersByTime(2 * minute);
    expect(lock.state).toBe('locked');
  });

  it('lockNow locks at once; activity while locked does nothing; unlock restarts the idle clock', () => {
    const unlocked = vi.fn();
    const locks: LockReason[] = [];
    const lock = createIdleLock({
      timeoutMinutes: 5,
      maxMinutes: 5,
      onLock: (r) => locks.push(r),
      onUnlock: unlocked,
    });
    lock.lockNow();
    expect(lock.state).toBe('locked');
    lock.activity();
    vi.advanceTimersByTime(60 * minute);
    expect(locks).toEqual(['manual']);
    lock.unlock();
    expect(unlocked).toHaveBeenCalledTimes(1);
    expect(lock.state).toBe('unlocked');
    vi.advanceTimersByTime(5 * minute);
    expect(lock.state).toBe('locked');
    expect(locks).toEqual(['manual', 'idle']);
  });

  it('can start locked and uses injected timers and clock', () => {
    let now = 0;
    const timers: Array<{ fn: () => void; at: number } | null> = [];
    const lock = createIdleLock({
      timeoutMinutes: 1,
      maxMinutes: 5,
      initialState: 'locked',
      now: () => now,
      setTimer: (fn, ms) => timers.push({ fn, at: now + ms }) - 1,
      clearTimer: (h) => {
        timers[h as number] = null;
      },
      onLock: () => {},
    });
    expect(timers).toHaveLength(0);
    lock.unlock();
    now = minute;
    for (const t of timers.splice(0)) if (t && t.at <= now) t.fn();
    expect(lock.state).toBe('locked');
  });
});
