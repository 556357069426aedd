import { useEffect } from 'react';

/** How often, at most, the idle timer hears that someone is at the keyboard. */
export const activityThrottleMs = 30_000;

/** Reports keyboard and pointer use to the idle lock (session.activity), at most once per 30 s. */
export function useActivity(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    let last = 0;
    const report = (): void => {
      const now = Date.now();
      if (now - last < activityThrottleMs) return;
      last = now;
      void window.clinical.call('session.activity');
    };
    const options = { capture: true, passive: true } as const;
    document.addEventListener('keydown', report, options);
    document.addEventListener('pointerdown', report, options);
    return () => {
      document.removeEventListener('keydown', report, options);
      document.removeEventListener('pointerdown', report, options);
    };
  }, [enabled]);
}
