import type { ProfileStore } from '../../../src/main/core/store';

/**
 * The unread count as the conversation list computed it on demand before migration 18 (kept here as the
 * oracle of the maintained counts, and the benchmark's "before" figure; never in the product path): messages
 * from others that a user can read (not escalation steps, migration 20), above the read mark. Parameters: the
 * conversation id, twice.
 */
export const UNREAD_ON_DEMAND = `
  SELECT count(*) AS unread, sum(urgent) AS urgent FROM messages
  WHERE conversation_id = ? AND own = 0 AND escalation_step IS NULL
    AND (verdict = 'valid' OR reason IN ('awaiting-key', 'device-not-accepted'))
    AND seq > coalesce((SELECT last_read_seq FROM read_state WHERE conversation_id = ?), 0)`;

export function unreadOracle(
  store: ProfileStore,
  conversationId: string,
): { unread: number; urgent: number } {
  const r = store.db
    .prepare<[string, string], { unread: number; urgent: number | null }>(UNREAD_ON_DEMAND)
    .get(conversationId, conversationId)!;
  return { unread: r.unread, urgent: r.urgent ?? 0 };
}
