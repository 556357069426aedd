import type { Clock } from '../../src/main/core/escalation';
import type { SessionTimers } from '../../src/main/core/session';

/**
 * A clock the test moves by hand (CoreOptions.clock): deadlines pass when the story says so, never after real
 * minutes. Starts at the real time so that the times shown ("Acknowledge by 14:07") look like a ward's.
 */
export interface ControlledClock extends Clock {
  /** Moves time forward and fires every timer that falls due, in order. */
  advance(ms: number): void;
}

export function controlledClock(start = Date.now()): ControlledClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return () => void timers.delete(id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = until;
    },
  };
}

/** The clock as the idle lock's and the urgent re-notification's timers (CoreOptions.timers). */
export function timersOf(clock: Clock): SessionTimers {
  return {
    now: () => clock.now(),
    setTimer: (fn, ms) => clock.setTimer(fn, ms),
    clearTimer: (cancel) => (cancel as () => void)(),
  };
}
