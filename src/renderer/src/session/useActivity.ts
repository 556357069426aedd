import { useEffect } from 'react';
import { activityReporter } from './activityReporter';

/** How often, at most, the idle timer hears that someone is at the keyboard. */
export const activityThrottleMs = 10_000;

/**
 * Reports keyboard and pointer use to the idle lock (session.activity), at most once per 10 s and always
 * after the last use, so the lock comes no sooner than its timeout after the last keypress (at most 10 s
 * later).
 */
export function useActivity(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const { report, cancel } = activityReporter(activityThrottleMs, () => {
      void window.clinical.call('session.activity');
    });
    const options = { capture: true, passive: true } as const;
    document.addEventListener('keydown', report, options);
    document.addEventListener('pointerdown', report, options);
    return () => {
      cancel();
      document.removeEventListener('keydown', report, options);
      document.removeEventListener('pointerdown', report, options);
    };
  }, [enabled]);
}
