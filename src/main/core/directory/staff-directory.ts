import { z } from 'zod';
import type { User } from '../../../shared/hub-protocol';
import type { ProfileStore } from '../store';

/**
 * The staff directory entries this profile has met, kept in its store (migration 25): names for the
 * conversation list, notifications and role holders right after a restart, before the hub answers, and while
 * it cannot be reached. Every entry comes from the hub, so each is checked on its own before it is kept; one
 * that is not plausible is left out, never the answer around it.
 */
export interface StaffDirectory {
  /** Keeps (or replaces) these entries; returns how many were refused. */
  remember(users: readonly User[]): number;
  get(userId: string): User | null;
  /** The kept entries whose name, username or department contains `query` (all of them for ''), by name. */
  search(query: string, limit: number): User[];
}

/** What a kept entry may be: the hub's fields, with bounds a real directory never comes near. */
const Kept = z.object({
  id: z.string().min(1).max(128),
  username: z.string().min(1).max(256),
  displayName: z.string().trim().min(1).max(200),
  roles: z.array(z.string().max(100)).max(32),
  department: z.string().max(200),
});

interface Row {
  id: string;
  username: string;
  display_name: string;
  roles: string;
  department: string;
}

function fromRow(row: Row): User | null {
  let roles: unknown;
  try {
    roles = JSON.parse(row.roles);
  } catch {
    return null;
  }
  const user = Kept.safeParse({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles,
    department: row.department,
  });
  return user.success ? user.data : null;
}

export function createStaffDirectory(store: ProfileStore): StaffDirectory {
  const upsert = store.db.prepare(`
    INSERT INTO directory_users (id, username, display_name, roles, department, updated_at)
    VALUES (@id, @username, @displayName, @roles, @department, @updatedAt)
    ON CONFLICT (id) DO UPDATE SET username = excluded.username, display_name = excluded.display_name,
      roles = excluded.roles, department = excluded.department, updated_at = excluded.updated_at`);
  const byId = store.db.prepare('SELECT * FROM directory_users WHERE id = ?');
  const matching = store.db.prepare(`
    SELECT * FROM directory_users
    WHERE instr(lower(display_name), @q) > 0 OR instr(lower(username), @q) > 0 OR instr(lower(department), @q) > 0
    ORDER BY display_name COLLATE NOCASE, id LIMIT @limit`);

  return {
    remember(users) {
      const updatedAt = new Date().toISOString();
      const kept = users.flatMap((user) => {
        const valid = Kept.safeParse(user);
        return valid.success ? [valid.data] : [];
      });
      store.transaction(() => {
        for (const user of kept) upsert.run({ ...user, roles: JSON.stringify(user.roles), updatedAt });
      });
      return users.length - kept.length;
    },
    get(userId) {
      const row = byId.get(userId) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    search(query, limit) {
      const rows = matching.all({ q: query.trim().toLowerCase(), limit }) as Row[];
      return rows.flatMap((row) => fromRow(row) ?? []);
    },
  };
}
