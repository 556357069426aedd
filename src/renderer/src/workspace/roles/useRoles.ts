import { useEffect, useState } from 'react';
import type { RoleView } from '../../../../shared/contract';

/** The roster's roles matching `query` (all for ''), kept current through `roles.changed`. */
export function useRoles(query = ''): { roles: RoleView[]; error: string | null } {
  const [roles, setRoles] = useState<RoleView[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = async () => {
      const result = await window.clinical.call('directory.roles', { query });
      if (!live) return;
      if (result.ok) setRoles(result.value);
      else setError(result.error.message);
    };
    void load();
    const off = window.clinical.on('roles.changed', () => void load());
    return () => {
      live = false;
      off();
    };
  }, [query]);
  return { roles, error };
}
