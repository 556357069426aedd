import { useEffect, useState } from 'react';
import type { DirectoryUser } from '../../../shared/contract';

/** Staff names for ids (the hub's directory), loaded once per workspace and again after a reconnect. */
export function useDirectory(): (userId: string) => DirectoryUser | null {
  const [users, setUsers] = useState<Map<string, DirectoryUser>>(new Map());
  const [attempt, setAttempt] = useState(0);
  useEffect(
    () => window.clinical.on('connection.state', (s) => s.state === 'connected' && setAttempt((n) => n + 1)),
    [],
  );
  useEffect(() => {
    let live = true;
    void window.clinical.call('directory.search', { query: '' }).then((result) => {
      if (live && result.ok) setUsers(new Map(result.value.map((u) => [u.id, u])));
    });
    return () => {
      live = false;
    };
  }, [attempt]);
  return (userId) => users.get(userId) ?? null;
}
