import type { ConversationSummary } from '../../../src/main/core/messages';
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

interface Newest {
  pending: boolean;
  at: string;
  senderUserId: string;
  verdict: string;
  kind: string | null;
  preview: string | null;
  urgent: boolean;
  patientMrn: string | null;
}

/** What the list shows of a conversation's newest message and its last seq. */
export interface ShownNewest {
  lastSeq: number;
  newest: Newest | null;
}

type NewestRow = Omit<Newest, 'pending' | 'urgent'> & {
  lastSeq: number;
  id: number | null;
  pending: number;
  urgent: number;
};

/**
 * The newest message as the list looked it up in messages on every call before migration 21 (the oracle of the
 * maintained one): the newest pending own message, else the highest seq; never an escalation step; junk without
 * kind or text. The last seq: the highest stored seq or the sync cursor. Parameter: @id, the conversation id.
 */
const NEWEST_ON_DEMAND = `
  SELECT max(coalesce((SELECT max(seq) FROM messages WHERE conversation_id = @id), 0),
           coalesce((SELECT after_seq FROM sync_cursors WHERE conversation_id = @id), 0)) AS lastSeq,
    m.id, m.seq IS NULL AS pending, coalesce(m.server_time, m.client_time) AS at, m.sender_user_id AS senderUserId,
    CASE WHEN m.verdict = 'quarantined' AND m.reason IN ('awaiting-key', 'device-not-accepted') THEN m.reason
         ELSE m.verdict END AS verdict,
    CASE WHEN m.verdict = 'valid' THEN m.kind END AS kind,
    CASE WHEN m.verdict = 'valid' THEN substr(m.text, 1, 140) END AS preview,
    m.urgent, m.patient_mrn AS patientMrn
  FROM (SELECT 1) LEFT JOIN messages m ON m.id = coalesce(
    (SELECT id FROM messages WHERE conversation_id = @id AND seq IS NULL AND escalation_step IS NULL
      ORDER BY id DESC LIMIT 1),
    (SELECT id FROM messages WHERE conversation_id = @id AND seq IS NOT NULL AND escalation_step IS NULL
      ORDER BY seq DESC LIMIT 1))`;

export function newestOracle(store: ProfileStore, conversationId: string): ShownNewest {
  const { lastSeq, id, pending, urgent, ...rest } = store.db
    .prepare<[{ id: string }], NewestRow>(NEWEST_ON_DEMAND)
    .get({ id: conversationId })!;
  return {
    lastSeq,
    newest: id === null ? null : { ...rest, pending: pending === 1, urgent: urgent === 1 },
  };
}

/** The same fields as the list shows them. */
export function shownNewest(summary: ConversationSummary): ShownNewest {
  const m = summary.lastMessage;
  return {
    lastSeq: summary.lastSeq,
    newest:
      m === null
        ? null
        : {
            pending: m.pending,
            at: m.at,
            senderUserId: m.senderUserId,
            verdict: m.verdict,
            kind: m.kind,
            preview: m.preview,
            urgent: m.urgent,
            patientMrn: m.patient?.mrn ?? null,
          },
  };
}
