import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, MessagePayload, PendingOwnMessage } from '../../../src/main/core/messages';

export const sha256hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Stand-in wire bytes (random, so each envelope has its own hash); the store keeps them opaque. */
export function fakeEnvelope(size = 120): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

export function textPayload(text: string, extra: Partial<MessagePayload> = {}): MessagePayload {
  return {
    v: 1,
    kind: 'text',
    text,
    urgent: false,
    ackRequired: false,
    patient: null,
    ...extra,
  } as MessagePayload;
}

const t0 = Date.parse('2025-03-01T08:00:00.000Z');
export const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

/** A valid incoming message; `prev` defaults to none. */
export function incoming(
  conversationId: string,
  seq: number,
  text: string,
  over: Partial<IncomingMessage> = {},
): IncomingMessage {
  const envelope = over.envelope ?? fakeEnvelope();
  return {
    conversationId,
    seq,
    envelopeId: randomUUID(),
    senderUserId: 'user-bob',
    senderDeviceId: 'device-bob-1',
    serverTime: at(seq),
    clientTime: at(seq),
    hash: sha256hex(envelope),
    prev: [],
    envelope,
    verdict: { ok: true, payload: textPayload(text) },
    ...over,
  };
}

/** A chain of messages seq from..to, each naming the previous one's hash. */
export function chain(
  conversationId: string,
  from: number,
  to: number,
  prevHash?: string,
): IncomingMessage[] {
  const out: IncomingMessage[] = [];
  let prev = prevHash;
  for (let seq = from; seq <= to; seq++) {
    const m = incoming(conversationId, seq, `message number ${seq}`, { prev: prev ? [prev] : [] });
    out.push(m);
    prev = m.hash;
  }
  return out;
}

export function quarantined(conversationId: string, seq: number, reason = 'bad-signature'): IncomingMessage {
  return incoming(conversationId, seq, '', { verdict: { ok: false, reason } });
}

export function own(
  conversationId: string,
  text: string,
  over: Partial<PendingOwnMessage> = {},
): PendingOwnMessage {
  const envelope = over.envelope ?? fakeEnvelope();
  return {
    conversationId,
    envelopeId: randomUUID(),
    clientTime: at(0),
    hash: sha256hex(envelope),
    prev: [],
    envelope,
    payload: textPayload(text),
    ...over,
  };
}
