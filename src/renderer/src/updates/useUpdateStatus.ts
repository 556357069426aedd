import { useEffect, useState } from 'react';
import type { UpdateStatusView } from '../../../shared/contract';

/** The hub's minimum version and the last update check, asked again whenever the core says they changed. */
export function useUpdateStatus(): UpdateStatusView | null {
  const [status, setStatus] = useState<UpdateStatusView | null>(null);
  const [asked, setAsked] = useState(0);
  useEffect(() => window.clinical.on('updates.changed', () => setAsked((n) => n + 1)), []);
  useEffect(() => {
    let live = true;
    void window.clinical.call('updates.status').then((result) => {
      if (live && result.ok) setStatus(result.value);
    });
    return () => {
      live = false;
    };
  }, [asked]);
  return status;
}
