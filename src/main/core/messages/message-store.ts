import { timingSafeEqual } from 'node:crypto';
import { isChainEntry, parseEnvelope } from '../envelope';
import { AppError } from '../errors';
import type { ProfileStore } from '../store';
import {
  entryParams,
  hashBlob,
  incomingParams,
  toChainEntry,
  type EntryParams,
  type EntryRow,
  isConversationId,
  isoTime,
  messageColumns,
  ownParams,
  patientOf,
  toStoredMessage,
  type MessageParams,
  type MessageRow,
} from './rows';
import { toFtsQuery } from './search-query';
import { createPatientIndex, type PatientIndex, type PatientPage } from '../patient/by-patient';
import {
  burstOf,
  foldIntoBurst,
  isVerificationFailure,
  joinsBurst,
  newBurst,
  type QuarantineBurst,
} from './quarantine-bursts';
import type {
  ChainEntry,
  ChainEntryPayload,
  Conversation,
  ConversationSummary,
  IncomingMessage,
  IngestResult,
  IntegrityAlert,
  IntegrityAlertKind,
  LastMessage,
  OutboxEntry,
  PendingOwnMessage,
  Receipt,
  ReceiptKind,
  SearchHit,
  StoredAlert,
  StoredMessage,
  VerificationRecord,
} from './types';

/** The first profile-store schema version that holds every table of this module (21: kept newest messages). */
export const MESSAGES_SCHEMA_VERSION = 21;

/** How many of a conversation's newest hashes survive a retention purge (the longest `prev` list). */
const KEPT_LINKS = 16;
const MAX_PAGE = 500;
const PREVIEW_CHARS = 140;

export interface MessageStoreOptions {
  /** This user: messages sent by them (from any of their devices) are "own" and never unread. */
  selfUserId?: string;
  /** This device: the sender device of own messages added with addOwn. */
  selfDeviceId?: string;
  /** Clock for queued_at / raised_at (tests). */
  now?: () => Date;
}

export interface MessageStore {
  upsertConversation(c: Conversation): void;
  listConversations(): ConversationSummary[];
  /** ONE transaction: idempotent on envelopeId, altered history recorded as alerts, cursors advanced. */
  ingest(batch: readonly IncomingMessage[]): IngestResult;
  addOwn(pending: PendingOwnMessage): void;
  outbox(): OutboxEntry[];
  /** How many own messages wait for the hub (failed ones not counted); cheap, for the connection banner. */
  outboxSize(): number;
  /** Counts one more send attempt of an outbox entry. */
  recordAttempt(envelopeId: string): void;
  /** The hub refused this own message for good: it leaves the send queue and shows as not sent (reason). */
  markFailed(envelopeId: string, reason: string): void;
  markSent(envelopeId: string, seq: number, serverTime: string): void;
  cursors(): { conversationId: string; afterSeq: number }[];
  /**
   * Newest first: the newest page (pending own messages first), or the page just before `beforeSeq`, or the
   * page just after `afterSeq` (the oldest `limit` messages above it, to read forward from a search hit).
   */
  page(
    conversationId: string,
    opts: { beforeSeq?: number; afterSeq?: number; limit: number },
  ): StoredMessage[];
  latestHashes(conversationId: string, n: number): string[];
  byHash(conversationId: string, hash: string): { seq: number | null; envelopeId: string } | null;
  bySeq(conversationId: string, seq: number): StoredMessage | null;
  search(query: string, opts: { limit: number; ranked?: boolean; conversationId?: string }): SearchHit[];
  /** Every verified message and document tagged with this MRN, across conversations, newest first (paged). */
  byPatient(mrn: string, opts: { beforeId?: number; limit: number }): PatientPage;
  /** Moves the read mark forward to `uptoSeq`; false (and nothing written) when it is already there. */
  markRead(conversationId: string, uptoSeq: number): boolean;
  /** Where the read mark stands (0 if never read) and the newest seq this profile holds (0 for none or an unknown conversation). */
  readBounds(conversationId: string): { lastRead: number; newest: number };
  unreadCount(conversationId: string): number;
  /**
   * Stores a receipt the hub reported; false (nothing written) for a conversation this profile does not have
   * (no conversation row and no sync cursor): the hub cannot fill the store with receipts for strangers.
   */
  addReceipt(r: Receipt): boolean;
  receipts(conversationId: string, seq: number): Receipt[];
  /**
   * Receipts are cumulative (one at seq n covers everything up to n): each user and kind the hub reported at
   * or after `fromSeq`, once, with its earliest time (broadcast counts).
   */
  receiptsFrom(conversationId: string, fromSeq: number): { userId: string; kind: ReceiptKind; at: string }[];
  addAlert(a: IntegrityAlert & { conversationId: string; evidence?: Uint8Array | null }): void;
  alerts(conversationId?: string): StoredAlert[];
  purgeOlderThan(cutoff: Date): number;
  verificationRecords(conversationId: string): VerificationRecord[];
  /**
   * Envelopes stored as `awaiting-key` (this device lacked the key), oldest first, to open again; with
   * `device-not-accepted`, those held back from a new device until it was accepted.
   */
  awaitingKey(limit: number, reason?: ReopenableReason): AwaitingEnvelope[];
  /**
   * ONE transaction: replaces `awaiting-key` (or `reason`) rows by the same envelopes opened again (rows whose
   * verdict is still that reason are left as they are). Returns how many were replaced.
   */
  reopen(batch: readonly IncomingMessage[], reason?: ReopenableReason): number;
  /** An own message still waiting for the hub (to seal it again under a new conversation key). */
  pendingOwn(envelopeId: string): StoredMessage | null;
  /** Replaces the sealed bytes of an own message the hub has not accepted yet. */
  replacePendingEnvelope(envelopeId: string, envelope: Uint8Array, hash: string): void;
  /** The hash stored at a seq, message or state entry (null if none). */
  hashAtSeq(conversationId: string, seq: number): string | null;
  /** The verified state entries of a conversation of one kind, oldest first. */
  entries<K extends ChainEntryPayload['kind']>(
    conversationId: string,
    kind: K,
  ): ChainEntry<Extract<ChainEntryPayload, { kind: K }>>[];
  /** Stores an own state entry the hub has accepted (sent directly, not through the outbox). */
  addSentEntry(entry: ChainEntry, envelope: Uint8Array): void;
  /** The stored acknowledgement entries naming a message seq in fromSeq..toSeq, oldest first. */
  ackEntriesFor(
    conversationId: string,
    fromSeq: number,
    toSeq: number,
  ): ChainEntry<Extract<ChainEntryPayload, { kind: 'ack' }>>[];
}

/** Quarantine reasons that are a wait, not a verdict: the envelope is opened again when the wait ends. */
export type ReopenableReason = 'awaiting-key' | 'device-not-accepted';

/** A stored envelope this device could not open for lack of a key. */
export interface AwaitingEnvelope {
  conversationId: string;
  seq: number;
  envelopeId: string;
  senderUserId: string;
  senderDeviceId: string;
  serverTime: string;
  envelope: Uint8Array;
}

const ALERT_KINDS: readonly IntegrityAlertKind[] = [
  'gap',
  'missing-predecessor',
  'altered',
  'reordered',
  'unsigned-ack',
  'unconfirmed-member',
];
const RECEIPT_KINDS: readonly ReceiptKind[] = ['delivered', 'read', 'acknowledged'];

function invalid(message: string): never {
  throw new AppError('invalid_args', `Message store: ${message}.`);
}

function checkSeq(seq: unknown, what = 'seq'): number {
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) invalid(`${what} must be a non-negative integer`);
  return seq as number;
}

function checkConversation(id: unknown): string {
  if (!isConversationId(id)) invalid('conversationId is malformed');
  return id;
}

/** JSON with sorted keys, so the same alert raised twice is stored once. */
function canonicalJson(details: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** An object of statement factories, each called once, on first use. */
function lazy<T extends Record<string, () => unknown>>(defs: T): { [K in keyof T]: ReturnType<T[K]> } {
  const out = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const [name, make] of Object.entries(defs)) {
    let value: unknown;
    Object.defineProperty(out, name, { get: () => (value ??= make()), enumerable: true });
  }
  return out;
}

/**
 * One statement per limit, the limit written into the SQL: SQLite reads the value of a bound `LIMIT ?` while
 * planning, and so prepares the statement again every time the limit is bound, that is on every call (for a
 * search, more than the FTS5 lookup itself). `limit` must be a checked integer.
 */
function perLimit<S>(make: (limit: number) => S): (limit: number) => S {
  const made = new Map<number, S>();
  return (limit) => {
    let statement = made.get(limit);
    if (statement === undefined) made.set(limit, (statement = make(limit)));
    return statement;
  };
}

function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The local message store of one profile, over the profile store's encrypted connection. Every write that
 * must be all-or-nothing runs in one transaction; bad input is refused with `invalid_args` before anything is
 * written. Returns plain data; never logs message content.
 */
export function createMessageStore(store: ProfileStore, options: MessageStoreOptions = {}): MessageStore {
  if (store.schemaVersion < MESSAGES_SCHEMA_VERSION) {
    throw new AppError('internal', 'The local database has no message tables (schema too old).');
  }
  const db = store.db;
  let patients: PatientIndex | null = null;
  const self = { userId: options.selfUserId ?? null, deviceId: options.selfDeviceId ?? null };
  const now = () => (options.now ?? (() => new Date()))().toISOString();

  // Prepared on first use: opening the app and showing one page prepares only what that needs.
  const q = lazy({
    // Through messages_awaiting (migration 24): its WHERE must keep implying that index's.
    awaiting: () =>
      db.prepare<
        [string, number],
        {
          conversation_id: string;
          seq: number;
          envelope_id: string;
          sender_user_id: string;
          sender_device_id: string;
          server_time: string;
          envelope: Buffer;
        }
      >(`
      SELECT conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time, envelope
      FROM messages WHERE verdict = 'quarantined' AND reason = ? AND seq IS NOT NULL
      ORDER BY id LIMIT ?`),
    dropAwaiting: () =>
      db.prepare<[string, string]>(
        "DELETE FROM messages WHERE envelope_id = ? AND verdict = 'quarantined' AND reason = ?",
      ),
    pendingOwn: () =>
      db.prepare<[string], MessageRow>(
        `SELECT ${messageColumns('m')} FROM messages m WHERE envelope_id = ? AND seq IS NULL AND own = 1`,
      ),
    replacePending: () =>
      db.prepare<[Uint8Array, Buffer, string]>(
        'UPDATE messages SET envelope = ?, hash = ? WHERE envelope_id = ? AND seq IS NULL AND own = 1',
      ),
    insertMessage: () =>
      db.prepare<[MessageParams]>(`
      INSERT INTO messages (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time,
        client_time, hash, prev, own, verdict, reason, kind, text, urgent, ack_required, patient_mrn,
        patient_name, document, to_role, envelope)
      VALUES (@conversation_id, @seq, @envelope_id, @sender_user_id, @sender_device_id, @server_time,
        @client_time, @hash, @prev, @own, @verdict, @reason, @kind, @text, @urgent, @ack_required, @patient_mrn,
        @patient_name, @document, @to_role, @envelope)
      ON CONFLICT DO NOTHING`),
    byEnvelope: () =>
      db.prepare<[string], { id: number; conversation_id: string; seq: number | null; hash: Buffer }>(
        'SELECT id, conversation_id, seq, hash FROM messages WHERE envelope_id = ?',
      ),
    atSeq: () =>
      db.prepare<[string, number], { envelope_id: string; hash: Buffer }>(
        'SELECT envelope_id, hash FROM messages WHERE conversation_id = ? AND seq = ?',
      ),
    fillSeq: () =>
      db.prepare<[number, string, number]>(
        'UPDATE messages SET seq = ?, server_time = ? WHERE id = ? AND seq IS NULL',
      ),
    advanceCursor: () =>
      db.prepare<[string, number]>(`
      INSERT INTO sync_cursors (conversation_id, after_seq) VALUES (?, ?)
      ON CONFLICT (conversation_id) DO UPDATE SET after_seq = max(after_seq, excluded.after_seq)`),
    cursor: () =>
      db.prepare<[string], number>('SELECT after_seq FROM sync_cursors WHERE conversation_id = ?').pluck(),
    cursors: () =>
      db.prepare<[], { conversation_id: string; after_seq: number }>(
        'SELECT conversation_id, after_seq FROM sync_cursors ORDER BY conversation_id',
      ),
    insertAlert: () =>
      db.prepare<[string, string, number, number, string, Uint8Array | null, string]>(`
      INSERT INTO integrity_alerts (conversation_id, kind, from_seq, to_seq, details, evidence, raised_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    alertsAll: () => db.prepare<[], AlertRow>('SELECT * FROM integrity_alerts ORDER BY id'),
    alertsOf: () =>
      db.prepare<[string], AlertRow>('SELECT * FROM integrity_alerts WHERE conversation_id = ? ORDER BY id'),
    insertOutbox: () =>
      db.prepare<[string, string, string]>(
        'INSERT INTO outbox (envelope_id, conversation_id, attempts, queued_at) VALUES (?, ?, 0, ?)',
      ),
    deleteOutbox: () => db.prepare<[string]>('DELETE FROM outbox WHERE envelope_id = ?'),
    outboxSize: () => db.prepare<[], number>('SELECT count(*) FROM outbox WHERE failure IS NULL').pluck(),
    outbox: () =>
      db.prepare<[], { envelope_id: string; conversation_id: string; envelope: Buffer; attempts: number }>(`
      SELECT o.envelope_id, o.conversation_id, m.envelope, o.attempts
      FROM outbox o JOIN messages m ON m.envelope_id = o.envelope_id WHERE o.failure IS NULL ORDER BY m.id`),
    attempt: () => db.prepare<[string]>('UPDATE outbox SET attempts = attempts + 1 WHERE envelope_id = ?'),
    fail: () => db.prepare<[string, string]>('UPDATE outbox SET failure = ? WHERE envelope_id = ?'),
    upsertConversation: () =>
      db.prepare<[string, string, string, string]>(`
      INSERT INTO conversations (conversation_id, kind, members, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (conversation_id) DO UPDATE SET kind = excluded.kind, members = excluded.members,
        created_at = excluded.created_at`),
    conversations: () =>
      // One statement for the whole list, never reading messages: counts from conversation_counts (kept by
      // triggers, migrations 18 and 20), the newest message and the highest seq from conversation_newest (kept by
      // triggers, migration 21), the sync cursor. Sorted in JS: an SQL sort would carry every column of every row
      // through its sorter.
      db
        .prepare<[], ListRow>(
          `
      SELECT c.conversation_id, c.kind, c.members, c.created_at,
        coalesce(n.unread, 0) AS unread, coalesce(n.urgent, 0) AS urgent,
        max(coalesce(l.max_seq, 0), coalesce(s.after_seq, 0)) AS last_seq,
        l.message_id, l.seq, l.verdict, l.reason, l.kind, l.preview, l.sender_user_id,
        l.server_time, l.client_time, l.urgent, l.patient_mrn, l.patient_name
      FROM conversations c
      LEFT JOIN conversation_counts n ON n.conversation_id = c.conversation_id
      LEFT JOIN sync_cursors s ON s.conversation_id = c.conversation_id
      LEFT JOIN conversation_newest l ON l.conversation_id = c.conversation_id`,
        )
        .raw(),
    pendingNewest: () =>
      db.prepare<[string, number], MessageRow>(
        `SELECT ${messageColumns('m', 'o.failure')} FROM messages m LEFT JOIN outbox o ON o.envelope_id = m.envelope_id
       WHERE m.conversation_id = ? AND m.seq IS NULL ORDER BY m.id DESC LIMIT ?`,
      ),
    newest: () =>
      db.prepare<[string, number], MessageRow>(
        `SELECT ${messageColumns('m')} FROM messages m WHERE conversation_id = ? AND seq IS NOT NULL ORDER BY seq DESC LIMIT ?`,
      ),
    before: () =>
      db.prepare<[string, number, number], MessageRow>(
        `SELECT ${messageColumns('m')} FROM messages m WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      ),
    after: () =>
      db.prepare<[string, number, number], MessageRow>(
        `SELECT ${messageColumns('m')} FROM messages m WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
      ),
    bySeq: () =>
      db.prepare<[string, number], MessageRow>(
        `SELECT ${messageColumns('m')} FROM messages m WHERE conversation_id = ? AND seq = ?`,
      ),
    byHash: () =>
      db.prepare<[Buffer, string], { seq: number | null; envelope_id: string }>(
        'SELECT seq, envelope_id FROM messages WHERE hash = ? AND conversation_id = ?',
      ),
    insertEntry: () =>
      db.prepare<[EntryParams]>(`
      INSERT INTO chain_entries (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time,
        client_time, hash, prev, kind, body, envelope)
      VALUES (@conversation_id, @seq, @envelope_id, @sender_user_id, @sender_device_id, @server_time,
        @client_time, @hash, @prev, @kind, @body, @envelope)
      ON CONFLICT DO NOTHING`),
    entryByEnvelope: () =>
      db.prepare<[string], { conversation_id: string; seq: number; hash: Buffer }>(
        'SELECT conversation_id, seq, hash FROM chain_entries WHERE envelope_id = ?',
      ),
    entryAtSeq: () =>
      db.prepare<[string, number], { envelope_id: string; hash: Buffer }>(
        'SELECT envelope_id, hash FROM chain_entries WHERE conversation_id = ? AND seq = ?',
      ),
    entryByHash: () =>
      db.prepare<[Buffer, string], { seq: number; envelope_id: string }>(
        'SELECT seq, envelope_id FROM chain_entries WHERE hash = ? AND conversation_id = ?',
      ),
    entriesOf: () =>
      db.prepare<[string, string], EntryRow>(
        'SELECT * FROM chain_entries WHERE conversation_id = ? AND kind = ? ORDER BY seq',
      ),
    purgedByHash: () =>
      db.prepare<[string, Buffer], { seq: number; envelope_id: string }>(
        'SELECT seq, envelope_id FROM purged_links WHERE conversation_id = ? AND hash = ?',
      ),
    latestValid: () =>
      db.prepare<[string, number], { seq: number; hash: Buffer }>(`
      SELECT seq, hash FROM messages WHERE conversation_id = ? AND seq IS NOT NULL AND verdict = 'valid'
      ORDER BY seq DESC LIMIT ?`),
    latestPurged: () =>
      db.prepare<[string, number], { seq: number; hash: Buffer }>(
        'SELECT seq, hash FROM purged_links WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?',
      ),
    latestEntries: () =>
      db.prepare<[string, number], { seq: number; hash: Buffer }>(
        'SELECT seq, hash FROM chain_entries WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?',
      ),
    acksNaming: () =>
      db.prepare<[string, number, number, number], EntryRow>(`
      SELECT * FROM chain_entries WHERE conversation_id = ? AND kind = 'ack' AND seq > ?
        AND json_extract(body, '$.seq') BETWEEN ? AND ? ORDER BY seq`),
    maxSeq: () =>
      db.prepare<[string], number | null>('SELECT max(seq) FROM messages WHERE conversation_id = ?').pluck(),
    // Newest first straight down the FTS5 index (rowid order, consumed by FTS5), each hit's row looked up as it
    // comes: the scan stops at the limit, nothing is sorted or materialised. Rows are read as arrays (.raw()).
    // Each search statement is made per limit, the limit written into the SQL (see perLimit).
    searchNewest: () =>
      perLimit((limit) =>
        db
          .prepare<[string], SearchRow>(
            `SELECT ${HIT_COLUMNS}, NULL FROM messages_fts f CROSS JOIN messages m ON m.id = f.rowid
             WHERE messages_fts MATCH ? ORDER BY f.rowid DESC LIMIT ${limit}`,
          )
          .raw(),
      ),
    searchNewestIn: () =>
      perLimit((limit) =>
        db
          .prepare<[string, string], SearchRow>(
            `SELECT ${HIT_COLUMNS}, NULL FROM messages_fts f CROSS JOIN messages m ON m.id = f.rowid
             WHERE messages_fts MATCH ? AND m.conversation_id = ? ORDER BY f.rowid DESC LIMIT ${limit}`,
          )
          .raw(),
      ),
    // Ranking scores every match; equal scores newest first, also where the page ends.
    searchRanked: () =>
      perLimit((limit) =>
        db
          .prepare<[string], SearchRow>(
            `SELECT ${HIT_COLUMNS}, f.score
             FROM (SELECT rowid AS id, bm25(messages_fts, 1.0, 2.0, 4.0) AS score FROM messages_fts
                   WHERE messages_fts MATCH ? ORDER BY score, rowid DESC LIMIT ${limit}) f
             JOIN messages m ON m.id = f.id ORDER BY f.score, m.id DESC`,
          )
          .raw(),
      ),
    searchRankedIn: () =>
      perLimit((limit) =>
        db
          .prepare<[string, string], SearchRow>(
            `SELECT ${HIT_COLUMNS}, bm25(messages_fts, 1.0, 2.0, 4.0) AS score
             FROM messages_fts f JOIN messages m ON m.id = f.rowid
             WHERE messages_fts MATCH ? AND m.conversation_id = ? ORDER BY score, m.id DESC LIMIT ${limit}`,
          )
          .raw(),
      ),
    lastRead: () =>
      db.prepare<[string], number>('SELECT last_read_seq FROM read_state WHERE conversation_id = ?').pluck(),
    markRead: () =>
      db.prepare<[string, number]>(`
      INSERT INTO read_state (conversation_id, last_read_seq) VALUES (?, ?)
      ON CONFLICT (conversation_id) DO UPDATE SET last_read_seq = excluded.last_read_seq
      WHERE excluded.last_read_seq > last_read_seq`),
    unread: () =>
      db
        .prepare<[string], number>('SELECT unread FROM conversation_counts WHERE conversation_id = ?')
        .pluck(),
    latestBurst: () =>
      db.prepare<[string], { id: number; from_seq: number; to_seq: number; details: string }>(`
      SELECT id, from_seq, to_seq, details FROM integrity_alerts
      WHERE conversation_id = ? AND kind = 'quarantined' ORDER BY id DESC LIMIT 1`),
    updateBurst: () =>
      db.prepare<[number, number, string, number]>(
        'UPDATE OR IGNORE integrity_alerts SET from_seq = ?, to_seq = ?, details = ? WHERE id = ?',
      ),
    knownConversation: () =>
      db
        .prepare<[string, string], number>(
          `SELECT EXISTS (SELECT 1 FROM conversations WHERE conversation_id = ?)
             OR EXISTS (SELECT 1 FROM sync_cursors WHERE conversation_id = ?)`,
        )
        .pluck(),
    insertReceipt: () =>
      db.prepare<[string, number, string, string, string, string]>(`
      INSERT INTO receipts (conversation_id, seq, user_id, device_id, kind, at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING`),
    receipts: () =>
      db.prepare<[string, number], { user_id: string; device_id: string; kind: ReceiptKind; at: string }>(
        'SELECT user_id, device_id, kind, at FROM receipts WHERE conversation_id = ? AND seq = ? ORDER BY at, user_id, device_id, kind',
      ),
    receiptsFrom: () =>
      db.prepare<[string, number], { user_id: string; kind: ReceiptKind; at: string }>(
        'SELECT user_id, kind, MIN(at) AS at FROM receipts WHERE conversation_id = ? AND seq >= ? GROUP BY user_id, kind',
      ),
    // keepLinks and purge find old rows through messages_by_time (migration 24): its expression and its
    // `seq IS NOT NULL` must stay as written here, or each reads the whole table again.
    keepLinks: () =>
      db.prepare<[string, number]>(`
      INSERT OR IGNORE INTO purged_links (conversation_id, seq, envelope_id, hash)
      SELECT m.conversation_id, m.seq, m.envelope_id, m.hash FROM messages m
      WHERE m.seq IS NOT NULL AND coalesce(m.server_time, m.client_time) < ?
        AND m.seq > (SELECT max(seq) FROM messages x WHERE x.conversation_id = m.conversation_id) - ?`),
    trimLinks: () =>
      db.prepare<[number]>(`
      DELETE FROM purged_links WHERE seq <= (SELECT max(seq) FROM purged_links p
        WHERE p.conversation_id = purged_links.conversation_id) - ?`),
    purge: () =>
      db.prepare<[string]>(
        'DELETE FROM messages WHERE seq IS NOT NULL AND coalesce(server_time, client_time) < ?',
      ),
    records: () =>
      // State entries are envelopes of the chain too: a report without them would show their seqs as gaps.
      db.prepare<[string, string], RecordRow>(`
      SELECT seq, envelope_id, sender_user_id, sender_device_id, server_time, hash, envelope, verdict, reason,
        seq IS NULL AS pending, 0 AS entry, id AS ord
      FROM messages WHERE conversation_id = ?
      UNION ALL
      SELECT seq, envelope_id, sender_user_id, sender_device_id, server_time, hash, envelope, 'valid', NULL,
        0, 1, rowid
      FROM chain_entries WHERE conversation_id = ?
      ORDER BY pending, seq, entry, ord`),
  });

  function raise(
    conversationId: string,
    kind: IntegrityAlertKind,
    fromSeq: number,
    toSeq: number,
    details: Record<string, unknown>,
    evidence: Uint8Array | null,
  ): void {
    q.insertAlert.run(
      conversationId,
      kind,
      Math.min(fromSeq, toSeq),
      Math.max(fromSeq, toSeq),
      canonicalJson(details),
      evidence,
      now(),
    );
  }

  /** A stored envelope that failed verification joins its conversation's latest burst alert, or starts one. */
  function foldQuarantined(conversationId: string, seq: number): void {
    const at = new Date(now());
    const latest = q.latestBurst.get(conversationId);
    const burst: QuarantineBurst | null = latest
      ? burstOf({ fromSeq: latest.from_seq, toSeq: latest.to_seq, details: JSON.parse(latest.details) })
      : null;
    if (latest && burst && joinsBurst(burst, seq, at)) {
      const next = foldIntoBurst(burst, seq, at);
      q.updateBurst.run(
        next.fromSeq,
        next.toSeq,
        canonicalJson({ count: next.count, lastAt: next.lastAt }),
        latest.id,
      );
      return;
    }
    const first = newBurst(seq, at);
    raise(conversationId, 'quarantined', seq, seq, { count: first.count, lastAt: first.lastAt }, null);
  }

  /** An envelope id we already hold arrives again: a replay, or the hub's copy of our own sent message. */
  function onKnownEnvelope(
    p: MessageParams,
    stored: { id: number; conversation_id: string; seq: number | null; hash: Buffer },
  ): void {
    const seq = p.seq!;
    const details = {
      envelopeId: p.envelope_id,
      storedHash: stored.hash.toString('hex'),
      otherHash: p.hash.toString('hex'),
      storedSeq: stored.seq,
      deliveredSeq: seq,
    };
    if (stored.conversation_id !== p.conversation_id || !sameHash(stored.hash, p.hash)) {
      // Same id, other bytes (or another conversation): the hub altered it. Keep ours, record theirs.
      raise(p.conversation_id, 'altered', seq, seq, details, p.envelope);
      return;
    }
    if (stored.seq === null) {
      const holder = q.atSeq.get(p.conversation_id, seq);
      if (holder) {
        raise(
          p.conversation_id,
          'altered',
          seq,
          seq,
          {
            ...details,
            storedEnvelopeId: holder.envelope_id,
            storedHash: holder.hash.toString('hex'),
          },
          p.envelope,
        );
        return;
      }
      q.fillSeq.run(seq, p.server_time!, stored.id);
      q.deleteOutbox.run(p.envelope_id); // the hub has it: the send succeeded even if its answer was lost
    } else if (stored.seq !== seq) {
      raise(p.conversation_id, 'reordered', stored.seq, seq, details, p.envelope);
    }
  }

  /** A seq held by the other table (a message where a state entry is, or the reverse): history was altered. */
  function heldElsewhere(
    p: { conversation_id: string; envelope_id: string; hash: Buffer; envelope: Uint8Array },
    seq: number,
    holder: { envelope_id: string; hash: Buffer } | undefined,
  ): boolean {
    if (!holder || holder.envelope_id === p.envelope_id) return false;
    raise(
      p.conversation_id,
      'altered',
      seq,
      seq,
      {
        storedEnvelopeId: holder.envelope_id,
        storedHash: holder.hash.toString('hex'),
        otherEnvelopeId: p.envelope_id,
        otherHash: p.hash.toString('hex'),
      },
      p.envelope,
    );
    return true;
  }

  function ingestEntry(p: EntryParams): 'inserted' | 'duplicate' | 'altered' {
    if (heldElsewhere(p, p.seq, q.atSeq.get(p.conversation_id, p.seq))) return 'altered';
    if (q.insertEntry.run(p).changes === 1) return 'inserted';
    const stored = q.entryByEnvelope.get(p.envelope_id);
    if (
      stored &&
      stored.conversation_id === p.conversation_id &&
      stored.seq === p.seq &&
      sameHash(stored.hash, p.hash)
    )
      return 'duplicate';
    const holder = q.entryAtSeq.get(p.conversation_id, p.seq);
    raise(
      p.conversation_id,
      'altered',
      p.seq,
      p.seq,
      {
        storedEnvelopeId: holder?.envelope_id ?? null,
        storedHash: holder?.hash.toString('hex') ?? stored?.hash.toString('hex') ?? null,
        otherEnvelopeId: p.envelope_id,
        otherHash: p.hash.toString('hex'),
      },
      p.envelope,
    );
    return 'altered';
  }

  const ingestTx = db.transaction((rows: MessageParams[], entries: EntryParams[] = []): IngestResult => {
    let inserted = 0;
    let duplicates = 0;
    let altered = 0;
    const maxSeq = new Map<string, number>();
    for (const p of entries) {
      if ((maxSeq.get(p.conversation_id) ?? 0) < p.seq) maxSeq.set(p.conversation_id, p.seq);
      const outcome = ingestEntry(p);
      if (outcome === 'inserted') inserted++;
      else if (outcome === 'duplicate') duplicates++;
      else altered++;
    }
    for (const p of rows) {
      const seq = p.seq!;
      if ((maxSeq.get(p.conversation_id) ?? 0) < seq) maxSeq.set(p.conversation_id, seq);
      if (heldElsewhere(p, seq, q.entryAtSeq.get(p.conversation_id, seq))) {
        altered++;
        continue;
      }
      if (q.insertMessage.run(p).changes === 1) {
        inserted++;
        if (p.verdict === 'quarantined' && isVerificationFailure(p.reason ?? '')) {
          foldQuarantined(p.conversation_id, seq);
        }
        continue;
      }
      const stored = q.byEnvelope.get(p.envelope_id);
      if (stored) {
        duplicates++;
        onKnownEnvelope(p, stored);
        continue;
      }
      // Not our envelope id, so its (conversation, seq) is taken by another envelope: history was altered.
      const holder = q.atSeq.get(p.conversation_id, seq);
      altered++;
      raise(
        p.conversation_id,
        'altered',
        seq,
        seq,
        {
          storedEnvelopeId: holder?.envelope_id ?? null,
          storedHash: holder?.hash.toString('hex') ?? null,
          otherEnvelopeId: p.envelope_id,
          otherHash: p.hash.toString('hex'),
        },
        p.envelope,
      );
    }
    for (const [conversationId, seq] of maxSeq) q.advanceCursor.run(conversationId, seq);
    return { inserted, duplicates, altered };
  });

  /** Messages (verified or not) to the messages table, verified state entries to chain_entries. */
  function split(batch: readonly IncomingMessage[]): { rows: MessageParams[]; entries: EntryParams[] } {
    const rows: MessageParams[] = [];
    const entries: EntryParams[] = [];
    batch.forEach((m, i) => {
      if (m?.verdict?.ok && isChainEntry(m.verdict.payload)) {
        entries.push(entryParams({ ...m, payload: m.verdict.payload }, m.envelope, i));
      } else rows.push(incomingParams(m, i, self.userId));
    });
    return { rows, entries };
  }

  function toHit([
    conversationId,
    seq,
    envelopeId,
    senderUserId,
    at,
    text,
    urgent,
    mrn,
    name,
    score,
  ]: SearchRow): SearchHit {
    return {
      conversationId,
      seq,
      envelopeId,
      senderUserId,
      at,
      text,
      urgent: urgent === 1,
      patient: patientOf({ patient_mrn: mrn, patient_name: name }),
      score,
    };
  }

  function newestSeq(conversationId: string): number {
    return Math.max(q.maxSeq.get(conversationId) ?? 0, q.cursor.get(conversationId) ?? 0);
  }

  function unreadOf(conversationId: string): number {
    return q.unread.get(conversationId) ?? 0;
  }

  return {
    upsertConversation(c) {
      checkConversation(c?.conversationId);
      if (c.kind !== 'direct' && c.kind !== 'group') invalid('conversation kind must be direct or group');
      if (!Array.isArray(c.members) || !c.members.every((m) => isConversationId(m))) invalid('members');
      q.upsertConversation.run(
        c.conversationId,
        c.kind,
        JSON.stringify([...c.members].sort()),
        isoTime(c.createdAt, 'createdAt'),
      );
    },

    listConversations() {
      const summaries = q.conversations
        .all()
        .map(
          ([
            conversationId,
            kind,
            members,
            createdAt,
            unread,
            urgentUnread,
            lastSeq,
            ...last
          ]): ConversationSummary => ({
            conversationId,
            kind,
            members: JSON.parse(members) as string[],
            createdAt,
            lastMessage: lastMessageOf(last),
            unread,
            urgentUnread,
            lastSeq,
          }),
        );
      // most recent activity first; the sort is stable, so equals keep the conversations' id order
      const activity = (s: ConversationSummary) => s.lastMessage?.at ?? s.createdAt;
      return summaries.sort((a, b) => (activity(a) < activity(b) ? 1 : activity(a) > activity(b) ? -1 : 0));
    },

    awaitingKey(limit, reason = 'awaiting-key') {
      return q.awaiting.all(reason, Math.min(Math.max(1, limit), MAX_PAGE)).map((r) => ({
        conversationId: r.conversation_id,
        seq: r.seq,
        envelopeId: r.envelope_id,
        senderUserId: r.sender_user_id,
        senderDeviceId: r.sender_device_id,
        serverTime: r.server_time,
        envelope: new Uint8Array(r.envelope),
      }));
    },

    reopen(batch, reason = 'awaiting-key') {
      const opened = batch.filter((m) => m.verdict.ok || m.verdict.reason !== reason);
      const { rows, entries } = split(opened);
      if (rows.length + entries.length === 0) return 0;
      return store.transaction(() => {
        let replaced = 0;
        for (const row of [...rows, ...entries])
          replaced += q.dropAwaiting.run(row.envelope_id, reason).changes;
        ingestTx(rows, entries);
        return replaced;
      });
    },

    pendingOwn(envelopeId) {
      const row = q.pendingOwn.get(envelopeId);
      return row ? toStoredMessage(row) : null;
    },

    replacePendingEnvelope(envelopeId, envelope, hash) {
      if (!/^[0-9a-f]{64}$/.test(hash)) invalid('hash');
      if (q.replacePending.run(envelope, Buffer.from(hash, 'hex'), envelopeId).changes !== 1) {
        invalid('no pending own message has this envelope id');
      }
    },

    ingest(batch) {
      if (!Array.isArray(batch)) invalid('a batch is an array');
      const { rows, entries } = split(batch);
      if (rows.length + entries.length === 0) return { inserted: 0, duplicates: 0, altered: 0 };
      return ingestTx.immediate(rows, entries);
    },

    addOwn(pending) {
      const header = self.userId && self.deviceId ? null : parseEnvelope(pending.envelope)?.header;
      const p = ownParams(pending, {
        userId: self.userId ?? header?.senderUserId ?? null,
        deviceId: self.deviceId ?? header?.senderDeviceId ?? null,
      });
      store.transaction(() => {
        if (q.insertMessage.run(p).changes !== 1) invalid('an envelope with this id is already stored');
        q.insertOutbox.run(p.envelope_id, p.conversation_id, now());
      });
    },

    outbox() {
      return q.outbox.all().map((r) => ({
        envelopeId: r.envelope_id,
        conversationId: r.conversation_id,
        envelope: new Uint8Array(r.envelope),
        attempts: r.attempts,
      }));
    },

    outboxSize() {
      return q.outboxSize.get() ?? 0;
    },

    recordAttempt(envelopeId) {
      q.attempt.run(envelopeId);
    },

    markFailed(envelopeId, reason) {
      if (typeof reason !== 'string' || reason.length === 0 || reason.length > 200) invalid('failure reason');
      if (q.fail.run(reason, envelopeId).changes !== 1) invalid('no outbox entry has this envelope id');
    },

    markSent(envelopeId, seq, serverTime) {
      if (!Number.isSafeInteger(seq) || seq < 1) invalid('seq must be a positive integer');
      const time = isoTime(serverTime, 'serverTime');
      store.transaction(() => {
        const stored = q.byEnvelope.get(envelopeId);
        if (!stored) invalid('no stored message has this envelope id');
        if (stored.seq === null) {
          const holder = q.atSeq.get(stored.conversation_id, seq);
          if (holder) {
            // The hub claims our message took a seq that already holds another envelope.
            raise(
              stored.conversation_id,
              'altered',
              seq,
              seq,
              {
                envelopeId,
                storedEnvelopeId: holder.envelope_id,
                storedHash: holder.hash.toString('hex'),
                otherHash: stored.hash.toString('hex'),
              },
              null,
            );
          } else {
            q.fillSeq.run(seq, time, stored.id);
          }
        } else if (stored.seq !== seq) {
          raise(
            stored.conversation_id,
            'reordered',
            stored.seq,
            seq,
            {
              envelopeId,
              storedSeq: stored.seq,
              deliveredSeq: seq,
            },
            null,
          );
        }
        q.deleteOutbox.run(envelopeId);
      });
    },

    cursors() {
      return q.cursors.all().map((r) => ({ conversationId: r.conversation_id, afterSeq: r.after_seq }));
    },

    page(conversationId, opts) {
      checkConversation(conversationId);
      const limit = Math.min(Math.max(Math.trunc(opts?.limit ?? 50), 1), MAX_PAGE);
      if (opts.beforeSeq !== undefined && opts.afterSeq !== undefined) {
        invalid('a page is either before or after a seq, not both');
      }
      if (opts.afterSeq !== undefined) {
        return q.after
          .all(conversationId, checkSeq(opts.afterSeq, 'afterSeq'), limit)
          .reverse()
          .map(toStoredMessage);
      }
      if (opts.beforeSeq !== undefined) {
        return q.before
          .all(conversationId, checkSeq(opts.beforeSeq, 'beforeSeq'), limit)
          .map(toStoredMessage);
      }
      const pending = q.pendingNewest.all(conversationId, limit);
      const rest = pending.length < limit ? q.newest.all(conversationId, limit - pending.length) : [];
      return [...pending, ...rest].map(toStoredMessage);
    },

    latestHashes(conversationId, n) {
      const count = Math.min(Math.max(Math.trunc(n), 0), KEPT_LINKS);
      if (count === 0) return [];
      const rows = q.latestValid.all(conversationId, count);
      if (rows.length < count) rows.push(...q.latestPurged.all(conversationId, count));
      // State entries are links of the same chain: what comes after them names them too.
      rows.push(...q.latestEntries.all(conversationId, count));
      return rows
        .sort((a, b) => b.seq - a.seq)
        .slice(0, count)
        .map((r) => r.hash.toString('hex'));
    },

    byHash(conversationId, hash) {
      const blob = hashBlob(hash);
      const r =
        q.byHash.get(blob, conversationId) ??
        q.entryByHash.get(blob, conversationId) ??
        q.purgedByHash.get(conversationId, blob);
      return r ? { seq: r.seq, envelopeId: r.envelope_id } : null;
    },

    hashAtSeq(conversationId, seq) {
      const r = q.atSeq.get(conversationId, checkSeq(seq)) ?? q.entryAtSeq.get(conversationId, seq);
      return r ? r.hash.toString('hex') : null;
    },

    entries(conversationId, kind) {
      return q.entriesOf.all(checkConversation(conversationId), kind).map(toChainEntry) as never;
    },

    ackEntriesFor(conversationId, fromSeq, toSeq) {
      checkConversation(conversationId);
      const from = checkSeq(fromSeq, 'fromSeq');
      return q.acksNaming
        .all(conversationId, from, from, checkSeq(toSeq, 'toSeq'))
        .map(toChainEntry) as never;
    },

    addSentEntry(entry, envelope) {
      // Like markSent, the cursor does not move: the next sync brings the entry back as a duplicate.
      const p = entryParams(entry, envelope);
      store.transaction(() => ingestEntry(p));
    },

    bySeq(conversationId, seq) {
      const r = q.bySeq.get(conversationId, checkSeq(seq));
      return r ? toStoredMessage(r) : null;
    },

    byPatient: (mrn, opts) => (patients ??= createPatientIndex(store)).page(mrn, opts),

    search(query, opts) {
      if (typeof query !== 'string') invalid('a search query is text');
      const match = toFtsQuery(query);
      if (match === null) return [];
      const limit = Math.min(Math.max(Math.trunc(opts?.limit ?? 50), 1), MAX_PAGE);
      if (!Number.isSafeInteger(limit)) invalid('a search limit is a whole number');
      const rows =
        opts.conversationId !== undefined
          ? (opts.ranked ? q.searchRankedIn : q.searchNewestIn)(limit).all(
              match,
              checkConversation(opts.conversationId),
            )
          : (opts.ranked ? q.searchRanked : q.searchNewest)(limit).all(match);
      return rows.map(toHit);
    },

    markRead(conversationId, uptoSeq) {
      const id = checkConversation(conversationId);
      const seq = checkSeq(uptoSeq, 'uptoSeq');
      return store.transaction(() => {
        // A mark past what is held would hide (and never count) the urgent messages that arrive below it.
        if (seq > newestSeq(id)) invalid('a read mark cannot pass the newest message on this computer');
        return q.markRead.run(id, seq).changes > 0;
      });
    },

    readBounds(conversationId) {
      const id = checkConversation(conversationId);
      return { lastRead: q.lastRead.get(id) ?? 0, newest: newestSeq(id) };
    },

    unreadCount(conversationId) {
      return unreadOf(checkConversation(conversationId));
    },

    addReceipt(r) {
      checkConversation(r?.conversationId);
      if (!RECEIPT_KINDS.includes(r.kind)) invalid('receipt kind');
      if (!isConversationId(r.userId) || !isConversationId(r.deviceId)) invalid('receipt user or device');
      if (q.knownConversation.get(r.conversationId, r.conversationId) !== 1) return false;
      return (
        q.insertReceipt.run(
          r.conversationId,
          checkSeq(r.seq),
          r.userId,
          r.deviceId,
          r.kind,
          isoTime(r.at, 'receipt time'),
        ).changes === 1
      );
    },

    receipts(conversationId, seq) {
      return q.receipts.all(conversationId, seq).map((r) => ({
        conversationId,
        seq,
        userId: r.user_id,
        deviceId: r.device_id,
        kind: r.kind,
        at: r.at,
      }));
    },

    receiptsFrom(conversationId, fromSeq) {
      return q.receiptsFrom
        .all(checkConversation(conversationId), checkSeq(fromSeq, 'fromSeq'))
        .map((r) => ({ userId: r.user_id, kind: r.kind, at: r.at }));
    },

    addAlert(a) {
      checkConversation(a?.conversationId);
      if (!ALERT_KINDS.includes(a.kind)) invalid('alert kind');
      raise(
        a.conversationId,
        a.kind,
        checkSeq(a.fromSeq, 'fromSeq'),
        checkSeq(a.toSeq, 'toSeq'),
        a.details ?? {},
        a.evidence ?? null,
      );
    },

    alerts(conversationId) {
      const rows = conversationId === undefined ? q.alertsAll.all() : q.alertsOf.all(conversationId);
      return rows.map((r) => ({
        id: r.id,
        conversationId: r.conversation_id,
        kind: r.kind,
        fromSeq: r.from_seq,
        toSeq: r.to_seq,
        details: JSON.parse(r.details) as IntegrityAlert['details'],
        raisedAt: r.raised_at,
        evidence: r.evidence === null ? null : new Uint8Array(r.evidence),
      }));
    },

    purgeOlderThan(cutoff) {
      if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) invalid('cutoff must be a date');
      const iso = cutoff.toISOString();
      return store.transaction(() => {
        q.keepLinks.run(iso, KEPT_LINKS);
        q.trimLinks.run(KEPT_LINKS);
        return q.purge.run(iso).changes;
      });
    },

    verificationRecords(conversationId) {
      return q.records.all(checkConversation(conversationId), conversationId).map((r) => ({
        seq: r.seq,
        envelopeId: r.envelope_id,
        senderUserId: r.sender_user_id,
        senderDeviceId: r.sender_device_id,
        serverTime: r.server_time,
        hash: r.hash.toString('hex'),
        envelope: new Uint8Array(r.envelope),
        verdict: r.verdict,
        reason: r.reason,
      }));
    },
  };
}

interface AlertRow {
  id: number;
  conversation_id: string;
  kind: IntegrityAlertKind;
  from_seq: number;
  to_seq: number;
  details: string;
  evidence: Buffer | null;
  raised_at: string;
}

const HIT_COLUMNS =
  'm.conversation_id, m.seq, m.envelope_id, m.sender_user_id, coalesce(m.server_time, m.client_time), m.text, m.urgent, m.patient_mrn, m.patient_name';

/** A search hit as read (HIT_COLUMNS, then the bm25 score or NULL). */
type SearchRow = [
  conversationId: string,
  seq: number | null,
  envelopeId: string,
  senderUserId: string,
  at: string,
  text: string,
  urgent: number,
  patientMrn: string | null,
  patientName: string | null,
  score: number | null,
];

/** One conversation of the list as read (.raw()): its counts and last seq, then its newest message. */
type ListRow = [
  conversationId: string,
  kind: 'direct' | 'group',
  members: string,
  createdAt: string,
  unread: number,
  urgent: number,
  lastSeq: number,
  ...last: LastRow,
];

/** The newest message's columns, all null when the conversation has none. */
type LastRow = [
  id: number | null,
  seq: number | null,
  verdict: 'valid' | 'quarantined',
  reason: string | null,
  kind: 'text' | 'document' | null,
  preview: string | null,
  senderUserId: string,
  serverTime: string | null,
  clientTime: string,
  urgent: number,
  patientMrn: string | null,
  patientName: string | null,
];

function lastMessageOf([
  id,
  seq,
  verdict,
  reason,
  kind,
  preview,
  senderUserId,
  serverTime,
  clientTime,
  urgent,
  mrn,
  name,
]: LastRow): LastMessage | null {
  if (id === null) return null;
  return {
    kind: verdict === 'valid' ? kind : null,
    preview: verdict === 'valid' ? (preview ?? '').slice(0, PREVIEW_CHARS) : null,
    verdict:
      verdict === 'quarantined' && (reason === 'awaiting-key' || reason === 'device-not-accepted')
        ? reason
        : verdict,
    senderUserId,
    at: serverTime ?? clientTime,
    urgent: urgent === 1,
    patient: patientOf({ patient_mrn: mrn, patient_name: name }),
    pending: seq === null,
  };
}

interface RecordRow {
  seq: number | null;
  envelope_id: string;
  sender_user_id: string;
  sender_device_id: string;
  server_time: string | null;
  hash: Buffer;
  envelope: Buffer;
  verdict: 'valid' | 'quarantined';
  reason: string | null;
}
