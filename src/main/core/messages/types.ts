import type { ChainEntryPayload, EntryPayload, MessagePayload } from '../envelope';

export type { ChainEntryPayload, EntryPayload, MessagePayload };

/** A verified envelope holds a message or a state entry (control, acknowledgement: kept apart, see ChainEntry). */
export type Verdict = { ok: true; payload: EntryPayload } | { ok: false; reason: string };

/** One envelope from the hub (Sync or a live event) after `openEnvelope`: its verdict and the raw wire bytes. */
export interface IncomingMessage {
  conversationId: string;
  seq: number;
  envelopeId: string;
  senderUserId: string;
  senderDeviceId: string;
  /** ISO 8601 (the hub's). */
  serverTime: string;
  /** ISO 8601 from the (signed) header; for quarantined envelopes whatever could be read, else serverTime. */
  clientTime: string;
  /** Hex SHA-256 of the wire bytes (the link hash). */
  hash: string;
  prev: string[];
  envelope: Uint8Array;
  verdict: Verdict;
}

/** An own message just sealed, before the hub has accepted it. */
export interface PendingOwnMessage {
  conversationId: string;
  envelopeId: string;
  clientTime: string;
  hash: string;
  prev: string[];
  envelope: Uint8Array;
  payload: MessagePayload;
  /** Defaults to the store's selfUserId / selfDeviceId, else to the sender named in the envelope's header. */
  senderUserId?: string;
  senderDeviceId?: string;
}

export interface Conversation {
  conversationId: string;
  kind: 'direct' | 'group';
  members: string[];
  createdAt: string;
}

export interface PatientContext {
  mrn: string;
  name: string;
}

export interface LastMessage {
  kind: 'text' | 'document' | null;
  /** First 140 characters of the text; null for a message that could not be verified. */
  preview: string | null;
  /**
   * 'awaiting-key': this device lacks the key yet (docs/key-design.md); 'device-not-accepted': sent from a new
   * workstation this PC holds until it is accepted. Neither is an integrity failure.
   */
  verdict: 'valid' | 'quarantined' | 'awaiting-key' | 'device-not-accepted';
  senderUserId: string;
  /** serverTime, or clientTime while pending. */
  at: string;
  urgent: boolean;
  patient: PatientContext | null;
  pending: boolean;
}

export interface ConversationSummary {
  conversationId: string;
  kind: 'direct' | 'group';
  members: string[];
  createdAt: string;
  lastMessage: LastMessage | null;
  unread: number;
  urgentUnread: number;
  /** Highest hub seq known for the conversation (stored messages or the sync cursor), 0 if none. */
  lastSeq: number;
}

interface StoredMessageBase {
  conversationId: string;
  /** null while an own message waits in the outbox. */
  seq: number | null;
  envelopeId: string;
  senderUserId: string;
  senderDeviceId: string;
  serverTime: string | null;
  clientTime: string;
  hash: string;
  prev: string[];
  /** Sent by this user (this device through addOwn, or another of the user's devices). */
  own: boolean;
  /** Own message the hub has not accepted yet. */
  pending: boolean;
  /** Why the hub refused this pending own message for good (no more retries); null otherwise. */
  sendFailure: string | null;
  /** An escalation step message (docs/escalation.md): shown as its step row, not as a message. */
  escalationStep?: 'reminder' | 'resolved';
}

/** A page row. A quarantined message is shown as "could not verify" with its reason, never with content. */
export type StoredMessage =
  | (StoredMessageBase & { verdict: 'valid'; payload: MessagePayload })
  | (StoredMessageBase & { verdict: 'quarantined'; reason: string; payload: null });

export interface SearchHit {
  conversationId: string;
  seq: number | null;
  envelopeId: string;
  senderUserId: string;
  at: string;
  text: string;
  urgent: boolean;
  patient: PatientContext | null;
  /** bm25 score (lower is better) for ranked searches; null for newest-first. */
  score: number | null;
}

export type ReceiptKind = 'delivered' | 'read' | 'acknowledged';

export interface Receipt {
  conversationId: string;
  seq: number;
  userId: string;
  deviceId: string;
  kind: ReceiptKind;
  at: string;
}

/**
 * The hub's copy contradicts the chain: seqs or links ('gap', 'missing-predecessor', 'altered', 'reordered'), an
 * acknowledgement the hub asserts with no signed entry behind it ('unsigned-ack': details userId, seq), or a
 * member the hub lists whom no verified control entry added ('unconfirmed-member': details userId).
 * 'quarantined': envelopes that failed verification, one alert per conversation and burst (details count:
 * how many; lastAt: when the last one was folded in), raised by the store itself, never unread messages.
 */
export type IntegrityAlertKind =
  | 'gap'
  | 'missing-predecessor'
  | 'altered'
  | 'reordered'
  | 'unsigned-ack'
  | 'unconfirmed-member'
  | 'quarantined';

/** What checkHashLinks finds (no PHI: seqs, envelope ids and hashes only). */
export interface IntegrityAlert {
  kind: IntegrityAlertKind;
  fromSeq: number;
  toSeq: number;
  details: Record<string, string | number | null>;
}

export interface StoredAlert extends IntegrityAlert {
  id: number;
  conversationId: string;
  raisedAt: string;
  /** Wire bytes the hub sent that contradict what is stored (altered), for the verification report. */
  evidence: Uint8Array | null;
}

export interface OutboxEntry {
  envelopeId: string;
  conversationId: string;
  envelope: Uint8Array;
  attempts: number;
}

export interface VerificationRecord {
  seq: number | null;
  envelopeId: string;
  senderUserId: string;
  senderDeviceId: string;
  serverTime: string | null;
  hash: string;
  envelope: Uint8Array;
  verdict: 'valid' | 'quarantined';
  reason: string | null;
}

export interface IngestResult {
  inserted: number;
  duplicates: number;
  /** Envelopes refused because their seq already holds another envelope (recorded as 'altered' alerts). */
  altered: number;
}

/**
 * A verified envelope that is state, not a message: a control entry (membership, name, retention) or a signed
 * acknowledgement. Kept beside the messages, in the same seq and hash chain, never shown as a message.
 */
export type ChainEntry<P extends ChainEntryPayload = ChainEntryPayload> = Omit<
  IncomingMessage,
  'envelope' | 'verdict'
> & { payload: P };
