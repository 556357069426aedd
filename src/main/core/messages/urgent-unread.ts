import type { ProfileStore } from '../store';

/**
 * How many urgent messages of others wait unread in all conversations: a count only, for the lock screen,
 * which shows nothing else of them (no sender, no conversation, no content). From conversation_counts, which
 * the store's triggers keep (migrations 18 and 19).
 */
export function urgentUnreadTotal(store: ProfileStore): number {
  const row = store.db.prepare('SELECT coalesce(sum(urgent), 0) AS n FROM conversation_counts').get() as {
    n: number;
  };
  return row.n;
}
