import type { ProfileStore } from '../store';
import { AppError } from '../errors';

/** One message or document about a patient, as the patient view lists it. */
export interface PatientItem {
  /** The local row id: the page cursor (newest first). */
  id: number;
  conversationId: string;
  seq: number | null;
  envelopeId: string;
  senderUserId: string;
  at: string;
  kind: 'text' | 'document';
  text: string;
  urgent: boolean;
  patient: { mrn: string; name: string };
  /** The document's file name, for a document. */
  fileName: string | null;
}

export interface PatientPage {
  items: PatientItem[];
  /** Pass as `beforeId` for the next (older) page; null when this was the last. */
  next: number | null;
}

export const MAX_PATIENT_PAGE = 100;

interface Row {
  id: number;
  conversation_id: string;
  seq: number | null;
  envelope_id: string;
  sender_user_id: string;
  server_time: string | null;
  client_time: string;
  kind: 'text' | 'document';
  text: string | null;
  urgent: number;
  patient_mrn: string;
  patient_name: string;
  document: string | null;
}

function fileNameOf(document: string | null): string | null {
  if (document === null) return null;
  try {
    const parsed = JSON.parse(document) as { fileName?: unknown };
    return typeof parsed.fileName === 'string' ? parsed.fileName : null;
  } catch {
    return null;
  }
}

/**
 * Every verified message and document tagged with one MRN, across conversations, newest first, a bounded
 * page at a time. Only this profile's local store is read; quarantined envelopes are never listed.
 */
export function createPatientIndex(store: Pick<ProfileStore, 'db'>) {
  // Newest first by the time shown (the hub's, else the sender's), ties by local id; the cursor is a row id,
  // whose own time and id place the next page.
  const at = 'coalesce(server_time, client_time)';
  const columns = `id, conversation_id, seq, envelope_id, sender_user_id, server_time, client_time, kind, text,
    urgent, patient_mrn, patient_name, document`;
  const first = store.db.prepare<[string, number], Row>(`
    SELECT ${columns} FROM messages WHERE patient_mrn = ? AND verdict = 'valid'
    ORDER BY ${at} DESC, id DESC LIMIT ?`);
  const after = store.db.prepare<[number, string, number], Row>(`
    WITH cursor AS (SELECT coalesce(server_time, client_time) AS at, id AS row_id FROM messages WHERE id = ?)
    SELECT ${columns} FROM messages, cursor WHERE patient_mrn = ? AND verdict = 'valid'
      AND (${at} < cursor.at OR (${at} = cursor.at AND id < cursor.row_id))
    ORDER BY ${at} DESC, id DESC LIMIT ?`);
  return {
    page(mrn: string, opts: { beforeId?: number; limit: number }): PatientPage {
      if (typeof mrn !== 'string' || !mrn.trim() || mrn.length > 64)
        throw new AppError('invalid_args', 'Enter the MRN to look for (up to 64 characters).');
      const limit = Math.min(Math.max(1, Math.floor(opts.limit)), MAX_PATIENT_PAGE);
      const rows =
        opts.beforeId === undefined
          ? first.all(mrn.trim(), limit + 1)
          : after.all(opts.beforeId, mrn.trim(), limit + 1);
      const items = rows.slice(0, limit).map((r): PatientItem => ({
        id: r.id,
        conversationId: r.conversation_id,
        seq: r.seq,
        envelopeId: r.envelope_id,
        senderUserId: r.sender_user_id,
        at: r.server_time ?? r.client_time,
        kind: r.kind,
        text: r.text ?? '',
        urgent: r.urgent === 1,
        patient: { mrn: r.patient_mrn, name: r.patient_name },
        fileName: r.kind === 'document' ? fileNameOf(r.document) : null,
      }));
      return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
    },
  };
}
export type PatientIndex = ReturnType<typeof createPatientIndex>;
