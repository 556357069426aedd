import { AppError } from '../errors';
import type {
  ChainEntry,
  ChainEntryPayload,
  IncomingMessage,
  MessagePayload,
  PatientContext,
  PendingOwnMessage,
  StoredMessage,
} from './types';

const HEX64 = /^[0-9a-f]{64}$/;

const COLUMNS =
  `id, conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time, client_time,
  hash, prev, own, verdict, reason, kind, text, urgent, ack_required, patient_mrn, patient_name, document,
  to_role, escalation_step`
    .split(',')
    .map((c) => c.trim());

/**
 * The columns a page shows, from `messages AS <alias>` (everything but the raw envelope, which stays on its
 * overflow pages), plus the outbox failure (`failure` expression, NULL when the outbox is not joined).
 */
export function messageColumns(alias: string, failure = 'NULL'): string {
  return [...COLUMNS.map((c) => `${alias}.${c}`), `${failure} AS send_failure`].join(', ');
}

export interface MessageRow {
  id: number;
  conversation_id: string;
  seq: number | null;
  envelope_id: string;
  sender_user_id: string;
  sender_device_id: string;
  server_time: string | null;
  client_time: string;
  hash: Buffer;
  prev: string;
  own: number;
  verdict: 'valid' | 'quarantined';
  reason: string | null;
  kind: 'text' | 'document' | null;
  text: string | null;
  urgent: number;
  ack_required: number;
  patient_mrn: string | null;
  patient_name: string | null;
  document: string | null;
  /** The signed payload's `toRole` as JSON (docs/roster.md), or null. */
  to_role: string | null;
  /** A `reminder` or `resolved` message the escalation service honoured (migration 20), else null. */
  escalation_step: 'reminder' | 'resolved' | null;
  send_failure: string | null;
}

/** Named parameters of the messages INSERT: the row as stored, flags as 0/1, plus the envelope bytes. */
export type MessageParams = Omit<
  MessageRow,
  'id' | 'send_failure' | 'own' | 'urgent' | 'ack_required' | 'escalation_step'
> & {
  own: 0 | 1;
  urgent: 0 | 1;
  ack_required: 0 | 1;
  envelope: Uint8Array;
};

export function patientOf(row: {
  patient_mrn: string | null;
  patient_name: string | null;
}): PatientContext | null {
  return row.patient_mrn === null ? null : { mrn: row.patient_mrn, name: row.patient_name ?? '' };
}

export function payloadOf(row: MessageRow): MessagePayload {
  const base = {
    v: 1 as const,
    text: row.text ?? '',
    urgent: row.urgent === 1,
    ackRequired: row.ack_required === 1,
    patient: patientOf(row),
    ...(row.to_role ? { toRole: JSON.parse(row.to_role) as NonNullable<MessagePayload['toRole']> } : {}),
  };
  return row.kind === 'document'
    ? { ...base, kind: 'document', document: JSON.parse(row.document ?? 'null') as never }
    : { ...base, kind: 'text' };
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  const base = {
    conversationId: row.conversation_id,
    seq: row.seq,
    envelopeId: row.envelope_id,
    senderUserId: row.sender_user_id,
    senderDeviceId: row.sender_device_id,
    serverTime: row.server_time,
    clientTime: row.client_time,
    hash: row.hash.toString('hex'),
    prev: JSON.parse(row.prev) as string[],
    own: row.own === 1,
    pending: row.seq === null,
    sendFailure: row.send_failure,
    ...(row.escalation_step ? { escalationStep: row.escalation_step } : {}),
  };
  return row.verdict === 'valid'
    ? { ...base, verdict: 'valid', payload: payloadOf(row) }
    : { ...base, verdict: 'quarantined', reason: row.reason ?? 'unknown', payload: null };
}

function payloadColumns(payload: MessagePayload | null) {
  if (payload === null) {
    return {
      kind: null,
      text: null,
      urgent: 0 as const,
      ack_required: 0 as const,
      patient_mrn: null,
      patient_name: null,
      document: null,
      to_role: null,
    };
  }
  return {
    kind: payload.kind,
    text: payload.text,
    urgent: payload.urgent ? (1 as const) : (0 as const),
    ack_required: payload.ackRequired ? (1 as const) : (0 as const),
    patient_mrn: payload.patient?.mrn ?? null,
    patient_name: payload.patient?.name ?? null,
    document: payload.kind === 'document' ? JSON.stringify(payload.document) : null,
    to_role: payload.toRole ? JSON.stringify(payload.toRole) : null,
  };
}

// ---- validation: a malformed item is a caller bug; the whole call is refused before anything is written.

function bad(what: string, index?: number): never {
  const where = index === undefined ? '' : ` (item ${index + 1} of the batch)`;
  throw new AppError('invalid_args', `Message store: ${what} is malformed${where}.`);
}

const isText = (v: unknown, max = 512): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

export function isoTime(v: unknown, what: string, index?: number): string {
  if (typeof v !== 'string' || v.length > 64) bad(what, index);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) bad(what, index);
  return new Date(ms).toISOString();
}

export function hashBlob(v: unknown, what = 'a hash', index?: number): Buffer {
  if (typeof v !== 'string' || !HEX64.test(v)) bad(what, index);
  return Buffer.from(v, 'hex');
}

function prevJson(v: unknown, index?: number): string {
  if (!Array.isArray(v) || v.length > 16 || !v.every((h) => typeof h === 'string' && HEX64.test(h))) {
    bad('prev', index);
  }
  return JSON.stringify(v);
}

function checkPayload(p: unknown, index?: number): MessagePayload {
  const o = p as Partial<MessagePayload> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    (o.kind !== 'text' && o.kind !== 'document') ||
    typeof o.text !== 'string' ||
    typeof o.urgent !== 'boolean' ||
    typeof o.ackRequired !== 'boolean' ||
    (o.patient !== null && (typeof o.patient?.mrn !== 'string' || typeof o.patient.name !== 'string')) ||
    (o.kind === 'document' && (typeof o.document !== 'object' || o.document === null))
  ) {
    bad('payload', index);
  }
  return o as MessagePayload;
}

/** The checked columns every envelope received from the hub has, message or state entry. */
function receivedColumns(m: Omit<IncomingMessage, 'envelope' | 'verdict'>, index?: number) {
  if (!isText(m.conversationId)) bad('conversationId', index);
  if (!Number.isSafeInteger(m.seq) || m.seq < 1) bad('seq', index);
  if (!isText(m.envelopeId, 128)) bad('envelopeId', index);
  if (!isText(m.senderUserId)) bad('senderUserId', index);
  if (!isText(m.senderDeviceId)) bad('senderDeviceId', index);
  return {
    conversation_id: m.conversationId,
    seq: m.seq,
    envelope_id: m.envelopeId,
    sender_user_id: m.senderUserId,
    sender_device_id: m.senderDeviceId,
    server_time: isoTime(m.serverTime, 'serverTime', index),
    client_time: isoTime(m.clientTime, 'clientTime', index),
    hash: hashBlob(m.hash, 'hash', index),
    prev: prevJson(m.prev, index),
  };
}

export function incomingParams(m: IncomingMessage, index: number, selfUserId: string | null): MessageParams {
  if (typeof m !== 'object' || m === null) bad('message', index);
  if (!(m.envelope instanceof Uint8Array)) bad('envelope', index);
  const verdict = m.verdict as IncomingMessage['verdict'] | undefined;
  if (typeof verdict !== 'object' || verdict === null) bad('verdict', index);
  if (!verdict.ok && !isText(verdict.reason, 200)) bad('verdict reason', index);
  const payload = verdict.ok ? checkPayload(verdict.payload, index) : null;
  return {
    ...receivedColumns(m, index),
    own: selfUserId !== null && m.senderUserId === selfUserId ? 1 : 0,
    verdict: verdict.ok ? 'valid' : 'quarantined',
    reason: verdict.ok ? null : verdict.reason,
    ...payloadColumns(payload),
    envelope: m.envelope,
  };
}

export function ownParams(
  m: PendingOwnMessage,
  self: { userId: string | null; deviceId: string | null },
): MessageParams {
  if (typeof m !== 'object' || m === null) bad('message');
  if (!isText(m.conversationId)) bad('conversationId');
  if (!isText(m.envelopeId, 128)) bad('envelopeId');
  if (!(m.envelope instanceof Uint8Array)) bad('envelope');
  const userId = m.senderUserId ?? self.userId;
  const deviceId = m.senderDeviceId ?? self.deviceId;
  if (!isText(userId)) bad('senderUserId (no selfUserId configured)');
  if (!isText(deviceId)) bad('senderDeviceId (no selfDeviceId configured)');
  return {
    conversation_id: m.conversationId,
    seq: null,
    envelope_id: m.envelopeId,
    sender_user_id: userId,
    sender_device_id: deviceId,
    server_time: null,
    client_time: isoTime(m.clientTime, 'clientTime'),
    hash: hashBlob(m.hash),
    prev: prevJson(m.prev),
    own: 1,
    verdict: 'valid',
    reason: null,
    ...payloadColumns(checkPayload(m.payload)),
    envelope: m.envelope,
  };
}

export const isConversationId = (v: unknown): v is string => isText(v);

// ---- state entries (chain_entries): control entries and signed acknowledgements

export interface EntryRow {
  conversation_id: string;
  seq: number;
  envelope_id: string;
  sender_user_id: string;
  sender_device_id: string;
  server_time: string;
  client_time: string;
  hash: Buffer;
  prev: string;
  kind: ChainEntryPayload['kind'];
  body: string;
}

export type EntryParams = EntryRow & { envelope: Uint8Array };

/** The row of a verified state entry (its payload already schema-checked by openEnvelope). */
export function entryParams(m: ChainEntry, envelope: Uint8Array, index?: number): EntryParams {
  if (typeof m !== 'object' || m === null) bad('entry', index);
  if (!(envelope instanceof Uint8Array)) bad('envelope', index);
  if (m.payload?.kind !== 'control' && m.payload?.kind !== 'ack') bad('entry payload', index);
  return {
    ...receivedColumns(m, index),
    kind: m.payload.kind,
    body: JSON.stringify(m.payload),
    envelope,
  };
}

export function toChainEntry(row: EntryRow): ChainEntry {
  return {
    conversationId: row.conversation_id,
    seq: row.seq,
    envelopeId: row.envelope_id,
    senderUserId: row.sender_user_id,
    senderDeviceId: row.sender_device_id,
    serverTime: row.server_time,
    clientTime: row.client_time,
    hash: row.hash.toString('hex'),
    prev: JSON.parse(row.prev) as string[],
    payload: JSON.parse(row.body) as ChainEntryPayload,
  };
}
