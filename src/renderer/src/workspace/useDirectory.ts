import { useEffect, useState } from 'react';
import type { DirectoryUser } from '../../../shared/contract';

export interface Directory {
  /** Staff for ids (the hub's directory, or the profile's kept copy while the hub is away). */
  user: (userId: string) => DirectoryUser | null;
  /** The core has answered once: a name missing now is unknown, not on its way. */
  loaded: boolean;
}

/** Staff names for ids, loaded once per workspace and again after a reconnect. */
export function useDirectory(): Directory {
  const [users, setUsers] = useState<Map<string, DirectoryUser>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(
    () => window.clinical.on('connection.state', (s) => s.state === 'connected' && setAttempt((n) => n + 1)),
    [],
  );
  useEffect(() => {
    let live = true;
    void window.clinical.call('directory.search', { query: '' }).then((result) => {
      if (!live) return;
      if (result.ok) setUsers(new Map(result.value.map((u) => [u.id, u])));
      setLoaded(true);
    });
    return () => {
      live = false;
    };
  }, [attempt]);
  return { user: (userId) => users.get(userId) ?? null, loaded };
}
