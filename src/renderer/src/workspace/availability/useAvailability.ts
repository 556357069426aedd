import { useEffect, useState } from 'react';
import type { AvailabilityView } from '../../../../shared/contract';

/** Colleagues' statuses: asked once, then kept up to date by the hub's pushes. */
export function useAvailability(userIds: string[]): Map<string, AvailabilityView | null> {
  const [seen, setSeen] = useState<Map<string, AvailabilityView | null>>(new Map());
  const key = userIds.join(',');
  useEffect(() => {
    const ids = key ? key.split(',') : [];
    if (ids.length === 0) return;
    let live = true;
    const ask = async (): Promise<void> => {
      const result = await window.clinical.call('directory.presence', { userIds: ids.slice(0, 200) });
      if (live && result.ok) setSeen(new Map(result.value.map((p) => [p.userId, p.availability ?? null])));
    };
    void ask();
    const stops = [
      window.clinical.on('directory.availability', (e) => {
        if (ids.includes(e.userId)) setSeen((old) => new Map(old).set(e.userId, e.availability));
      }),
      window.clinical.on('connection.state', (c) => c.state === 'connected' && void ask()),
    ];
    return () => {
      live = false;
      for (const stop of stops) stop();
    };
  }, [key]);
  return seen;
}
