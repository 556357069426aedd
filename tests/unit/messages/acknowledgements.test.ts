// The rules every member applies to a signed acknowledgement before it counts (the engine's ingest hook), the
// refusals of acknowledging, the hub's unsigned claims, and what the views show, over a real message store.
// The hub is not reached here (the integration tests in tests/integration/messaging/acknowledgements.test.ts
// send through the real one): none of these paths calls it.
import { describe, expect, it } from 'vitest';
import type { AckPayload } from '../../../src/main/core/envelope';
import type { LoadedDevice } from '../../../src/main/core/keys';
import { createLogger } from '../../../src/main/core/log/logger';
import { createMessageStore, type IncomingMessage, type MessageStore } from '../../../src/main/core/messages';
import { AckRefused, createAcknowledgements } from '../../../src/main/core/messaging/acknowledgements';
import { tempStore } from '../store/helpers';
import { incoming, textPayload } from './helpers';

const ALICE = 'user-alice'; // this device's user, who sent the urgent message
const BOB = 'user-bob';
const CAROL = 'user-carol';

function setup(self = ALICE) {
  const { store } = tempStore();
  const messages = createMessageStore(store, { selfUserId: self, selfDeviceId: `device-${self}` });
  const changed: string[][] = [];
  const acks = createAcknowledgements({
    hub: {
      state: () => 'offline',
      call: () => Promise.reject(new Error('the hub is not reached in these tests')),
    },
    device: { userId: self, deviceId: `device-${self}` } as LoadedDevice,
    messages,
    log: createLogger({ level: 'silent' }),
    keyForSending: () => Promise.reject(new Error('not sealing here')),
    members: (conversationId) => {
      if (conversationId !== 'c1') throw new Error('not_found');
      return [ALICE, BOB, CAROL];
    },
    known: (conversationId) => conversationId === 'c1',
    refreshConversations: () => Promise.resolve(),
    ready: () => Promise.resolve(),
    changed: (ids) => changed.push(ids),
  });
  return { messages, acks, changed };
}

const urgent = (seq: number, from = ALICE, ackRequired = true): IncomingMessage =>
  incoming('c1', seq, `urgent ${seq}`, {
    senderUserId: from,
    senderDeviceId: `device-${from}`,
    verdict: { ok: true, payload: textPayload(`urgent ${seq}`, { urgent: true, ackRequired }) },
  });

function ack(
  seq: number,
  target: { seq: number; hash: string },
  from = BOB,
  over: Partial<IncomingMessage> = {},
): IncomingMessage {
  const payload: AckPayload = { v: 1, kind: 'ack', envelopeHash: target.hash, seq: target.seq };
  return incoming('c1', seq, '', {
    senderUserId: from,
    senderDeviceId: `device-${from}`,
    verdict: { ok: true, payload },
    ...over,
  });
}

const verdicts = (batch: IncomingMessage[]) => batch.map((m) => (m.verdict.ok ? 'ok' : m.verdict.reason));

function ingest(messages: MessageStore, acks: ReturnType<typeof setup>['acks'], batch: IncomingMessage[]) {
  const checked = acks.verify(batch);
  messages.ingest(checked);
  return checked;
}

describe('an incoming acknowledgement', () => {
  it('counts when it names, by seq and hash, a verified message of someone else that asks for one', () => {
    const { messages, acks } = setup();
    const m1 = urgent(1);
    ingest(messages, acks, [m1]);
    const good = ack(2, m1);
    expect(verdicts(ingest(messages, acks, [good]))).toEqual(['ok']);
    // In the same batch as its message (a first sync) too.
    const m3 = urgent(3);
    expect(verdicts(ingest(messages, acks, [m3, ack(4, m3, CAROL)]))).toEqual(['ok', 'ok']);
    expect(messages.entries('c1', 'ack').map((e) => [e.seq, e.senderUserId])).toEqual([
      [2, BOB],
      [4, CAROL],
    ]);
    // A replay of a stored entry is left to the store (a duplicate), not checked into a quarantine.
    expect(verdicts(acks.verify([good]))).toEqual(['ok']);
    expect(messages.ingest(acks.verify([good]))).toMatchObject({ inserted: 0, duplicates: 1 });
  });

  it('is quarantined with its reason, changing nothing else, when it names what it may not', () => {
    const { messages, acks } = setup();
    const m1 = urgent(1);
    const plain = urgent(2, ALICE, false);
    const bobs = urgent(3, BOB);
    const unverified = incoming('c1', 4, '', { verdict: { ok: false, reason: 'bad-signature' } });
    ingest(messages, acks, [m1, plain, bobs, unverified]);
    const bad = [
      ack(5, { seq: 99, hash: m1.hash }), // no such message
      ack(6, { seq: 1, hash: plain.hash }), // the hash of another message
      ack(7, plain), // a message that asks for no acknowledgement
      ack(8, bobs), // his own message
      ack(9, unverified), // a message that could not be verified
      ack(10, { seq: 10, hash: m1.hash }), // itself, or anything not before it
    ];
    expect(verdicts(ingest(messages, acks, bad))).toEqual([
      'ack-unknown-message',
      'ack-hash-mismatch',
      'ack-not-required',
      'ack-own-message',
      'ack-unverified-message',
      'ack-unknown-message',
    ]);
    expect(messages.entries('c1', 'ack')).toEqual([]);
    // Shown in place like any quarantined envelope, never as content.
    expect(messages.bySeq('c1', 6)).toMatchObject({ verdict: 'quarantined', reason: 'ack-hash-mismatch' });
    expect(acks.of('c1', messages.page('c1', { limit: 50 })).size).toBe(0);
    // A replay of a quarantined one stays quarantined, with the same reason, stored once.
    expect(verdicts(acks.verify([bad[1]!]))).toEqual(['ack-hash-mismatch']);
    expect(messages.ingest(acks.verify([bad[1]!]))).toMatchObject({ inserted: 0, duplicates: 1 });
  });

  it('waits for the key with the message it names, and counts once both are open', () => {
    const { messages, acks } = setup();
    const m1 = urgent(1);
    const waiting = { ...m1, verdict: { ok: false as const, reason: 'awaiting-key' } };
    const a = ack(2, m1);
    expect(verdicts(ingest(messages, acks, [waiting, a]))).toEqual(['awaiting-key', 'awaiting-key']);
    expect(messages.awaitingKey(10).map((w) => w.seq)).toEqual([1, 2]);
    // The key arrives: both are opened again, oldest first, and checked again.
    expect(messages.reopen(acks.verify([m1, a]))).toBe(2);
    expect(messages.entries('c1', 'ack').map((e) => e.seq)).toEqual([2]);
    expect(messages.awaitingKey(10)).toEqual([]);
  });
});

describe('acknowledging', () => {
  it('refuses, with a typed error and nothing stored, what cannot be acknowledged', async () => {
    const { messages, acks } = setup(BOB);
    const plain = urgent(2, ALICE, false);
    ingest(messages, acks, [
      urgent(1),
      plain,
      urgent(3, BOB),
      incoming('c1', 4, '', { verdict: { ok: false, reason: 'bad-signature' } }),
    ]);
    const refusal = (seq: number) =>
      acks.acknowledge('c1', seq).then(
        () => null,
        (e: unknown) => (e instanceof AckRefused ? [e.code, e.reason] : e),
      );
    expect(await refusal(99)).toEqual(['not_found', 'unknown-message']);
    expect(await refusal(2)).toEqual(['invalid_args', 'not-required']);
    expect(await refusal(3)).toEqual(['invalid_args', 'own-message']);
    expect(await refusal(4)).toEqual(['invalid_args', 'not-verified']);
    await expect(acks.acknowledge('elsewhere', 1)).rejects.toThrow('not_found');
    // Offline: the hub is needed, and says so.
    await expect(acks.acknowledge('c1', 1)).rejects.toMatchObject({ code: 'hub_unreachable' });
    expect(messages.entries('c1', 'ack')).toEqual([]);
  });

  it('a message this user acknowledged (on any of her devices) is left as it is', async () => {
    const { messages, acks } = setup(BOB);
    const m1 = urgent(1);
    ingest(messages, acks, [m1, ack(2, m1, BOB)]); // from his other PC, through sync
    await expect(acks.acknowledge('c1', 1)).resolves.toBeUndefined(); // no hub call: it is offline here
    expect(messages.entries('c1', 'ack')).toHaveLength(1);
  });
});

describe('what the views show', () => {
  it('each user’s first verified acknowledgement, own marked, at its signed time', () => {
    const { messages, acks } = setup(CAROL);
    const m1 = urgent(1);
    const later = urgent(5);
    ingest(messages, acks, [
      m1,
      ack(2, m1, BOB, { clientTime: '2026-03-01T14:05:00.000Z' }),
      ack(3, m1, CAROL, { clientTime: '2026-03-01T14:07:00.000Z' }),
      ack(4, m1, BOB, { clientTime: '2026-03-01T14:09:00.000Z' }),
      later,
    ]);
    const shown = acks.of('c1', messages.page('c1', { limit: 50 }));
    expect(shown.get(1)).toEqual([
      { userId: BOB, own: false, at: '2026-03-01T14:05:00.000Z' },
      { userId: CAROL, own: true, at: '2026-03-01T14:07:00.000Z' },
    ]);
    expect(shown.has(5)).toBe(false);
  });
});

describe('the hub’s word for an acknowledgement', () => {
  const receipt = (seq: number, userId: string) => ({
    conversationId: 'c1',
    seq,
    userId,
    deviceId: `device-${userId}`,
    kind: 'acknowledged' as const,
    at: '2026-03-01T14:05:00.000Z',
  });

  it('raises an unsigned-ack alert after a sync, unless a signed entry of that user backs it', async () => {
    const { messages, acks, changed } = setup();
    const m1 = urgent(1);
    ingest(messages, acks, [m1]);
    expect(acks.claimed(receipt(1, BOB))).toBe(true); // the first claim schedules a check
    expect(acks.claimed(receipt(1, CAROL))).toBe(false); // the same check takes it
    expect(acks.claimed({ ...receipt(1, BOB), conversationId: 'elsewhere' })).toBe(false);
    expect(acks.claimed({ ...receipt(1, BOB), kind: 'read' as never })).toBe(false);
    // Bob's signed entry arrives just after his receipt: the sync brings it before anything is judged.
    await acks.checkClaims(async () => void ingest(messages, acks, [ack(2, m1, BOB)]));
    expect(messages.alerts('c1').map((a) => [a.kind, a.fromSeq, a.details])).toEqual([
      ['unsigned-ack', 1, { seq: 1, userId: CAROL }],
    ]);
    expect(changed).toEqual([['c1']]);
  });

  it('keeps the claims when the sync fails, and checks them on the next try', async () => {
    const { messages, acks } = setup();
    ingest(messages, acks, [urgent(1)]);
    acks.claimed(receipt(1, BOB));
    await expect(acks.checkClaims(() => Promise.reject(new Error('offline')))).rejects.toThrow('offline');
    expect(messages.alerts('c1')).toEqual([]);
    await acks.checkClaims(() => Promise.resolve());
    expect(messages.alerts('c1').map((a) => a.kind)).toEqual(['unsigned-ack']);
  });
});
