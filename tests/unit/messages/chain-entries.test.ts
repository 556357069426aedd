// State entries (control entries, signed acknowledgements) are kept apart from the messages, in the same seq
// and hash chain: ingest routes each verified envelope to its table, a seq held in one table is never taken in
// the other, and the chain's lookups (byHash, hashAtSeq, latestHashes, the verification records) see both.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AckPayload } from '../../../src/main/core/envelope';
import { createMessageStore, type IncomingMessage, type MessageStore } from '../../../src/main/core/messages';
import type { ProfileStore } from '../../../src/main/core/store';
import { tempStore } from '../store/helpers';
import { at, chain, fakeEnvelope, incoming, sha256hex, textPayload } from './helpers';

const ME = 'user-alice';

function setup(): { store: ProfileStore; messages: MessageStore } {
  const { store } = tempStore();
  return { store, messages: createMessageStore(store, { selfUserId: ME, selfDeviceId: 'device-alice-1' }) };
}

/** A verified acknowledgement entry at `seq`, naming the message `target`. */
function ackOf(target: IncomingMessage, seq: number, over: Partial<IncomingMessage> = {}): IncomingMessage {
  const payload: AckPayload = { v: 1, kind: 'ack', envelopeHash: target.hash, seq: target.seq };
  return incoming(target.conversationId, seq, '', {
    senderUserId: 'user-carol',
    senderDeviceId: 'device-carol-1',
    prev: [target.hash],
    verdict: { ok: true, payload },
    ...over,
  });
}

const rowsIn = (store: ProfileStore, table: 'messages' | 'chain_entries'): number =>
  store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('chain entries in the message store', () => {
  it('routes a mixed batch: messages to the timeline, verified entries apart, one cursor for both', () => {
    const { store, messages } = setup();
    const [m1, m2] = chain('c1', 1, 2);
    const ack = ackOf(m1!, 3);
    const m4 = incoming('c1', 4, 'after the acknowledgement', { prev: [ack.hash] });
    expect(messages.ingest([m1!, m2!, ack, m4])).toEqual({ inserted: 4, duplicates: 0, altered: 0 });
    expect([rowsIn(store, 'messages'), rowsIn(store, 'chain_entries')]).toEqual([3, 1]);

    expect(messages.page('c1', { limit: 10 }).map((m) => m.seq)).toEqual([4, 2, 1]);
    expect(messages.entries('c1', 'ack')).toEqual([
      expect.objectContaining({
        seq: 3,
        envelopeId: ack.envelopeId,
        senderUserId: 'user-carol',
        hash: ack.hash,
        prev: [m1!.hash],
        payload: { v: 1, kind: 'ack', envelopeHash: m1!.hash, seq: 1 },
      }),
    ]);
    expect(messages.entries('c1', 'control')).toEqual([]);
    expect(messages.cursors()).toEqual([{ conversationId: 'c1', afterSeq: 4 }]);
    // An entry is not a message: it is neither unread nor in the list's preview.
    expect(messages.unreadCount('c1')).toBe(3);
  });

  it('a replayed batch changes nothing: entries and messages count as duplicates', () => {
    const { store, messages } = setup();
    const [m1] = chain('c1', 1, 1);
    const ack = ackOf(m1!, 2);
    messages.ingest([m1!, ack]);
    expect(messages.ingest([m1!, ack])).toEqual({ inserted: 0, duplicates: 2, altered: 0 });
    expect(rowsIn(store, 'messages')).toBe(1);
    expect(rowsIn(store, 'chain_entries')).toBe(1);
    expect(messages.alerts()).toEqual([]);
  });

  it('a message and an entry at the same seq: the first one stays, the other is an altered alert with its bytes', () => {
    const { store, messages } = setup();
    const [m1, m2] = chain('c1', 1, 2);
    const ackAt2 = ackOf(m1!, 2); // the hub claims seq 2 holds an acknowledgement, after delivering a message there
    messages.ingest([m1!, m2!]);
    expect(messages.ingest([ackAt2])).toEqual({ inserted: 0, duplicates: 0, altered: 1 });
    expect(messages.entries('c1', 'ack')).toEqual([]);

    const ack3 = ackOf(m1!, 3);
    messages.ingest([ack3]);
    const messageAt3 = incoming('c1', 3, 'a message where the acknowledgement is');
    expect(messages.ingest([messageAt3])).toEqual({ inserted: 0, duplicates: 0, altered: 1 });
    expect(messages.bySeq('c1', 3)).toBeNull();
    expect(messages.entries('c1', 'ack').map((e) => e.envelopeId)).toEqual([ack3.envelopeId]);

    const alerts = messages.alerts('c1');
    expect(
      alerts.map((a) => [a.kind, a.fromSeq, a.details.storedEnvelopeId, a.details.otherEnvelopeId]),
    ).toEqual([
      ['altered', 2, m2!.envelopeId, ackAt2.envelopeId],
      ['altered', 3, ack3.envelopeId, messageAt3.envelopeId],
    ]);
    expect(alerts[1]!.evidence).toEqual(messageAt3.envelope);
    expect(rowsIn(store, 'messages')).toBe(2);
  });

  it('another entry under a stored entry’s seq, or its id with other bytes, is an altered alert', () => {
    const { messages } = setup();
    const [m1] = chain('c1', 1, 1);
    const ack = ackOf(m1!, 2);
    messages.ingest([m1!, ack]);
    const other = ackOf(m1!, 2);
    const sameIdOtherBytes = ackOf(m1!, 2, { envelopeId: ack.envelopeId });
    expect(messages.ingest([other])).toMatchObject({ inserted: 0, altered: 1 });
    expect(messages.ingest([sameIdOtherBytes])).toMatchObject({ inserted: 0, altered: 1 });
    expect(messages.entries('c1', 'ack').map((e) => e.hash)).toEqual([ack.hash]);
    expect(messages.alerts('c1').map((a) => a.kind)).toEqual(['altered', 'altered']);
  });

  it('byHash, hashAtSeq and latestHashes see both tables; the links go on through an entry', () => {
    const { messages } = setup();
    const [m1, m2] = chain('c1', 1, 2);
    const ack = ackOf(m1!, 3);
    messages.ingest([m1!, m2!, ack]);
    expect(messages.byHash('c1', ack.hash)).toEqual({ seq: 3, envelopeId: ack.envelopeId });
    expect(messages.byHash('c1', m2!.hash)).toEqual({ seq: 2, envelopeId: m2!.envelopeId });
    expect(messages.byHash('c2', ack.hash)).toBeNull();
    expect(messages.hashAtSeq('c1', 3)).toBe(ack.hash);
    expect(messages.hashAtSeq('c1', 2)).toBe(m2!.hash);
    expect(messages.hashAtSeq('c1', 4)).toBeNull();
    // What is written next names the entry too.
    expect(messages.latestHashes('c1', 2)).toEqual([ack.hash, m2!.hash]);
    // The verification report holds every envelope of the chain, in seq order.
    expect(messages.verificationRecords('c1').map((r) => [r.seq, r.envelopeId, r.verdict])).toEqual([
      [1, m1!.envelopeId, 'valid'],
      [2, m2!.envelopeId, 'valid'],
      [3, ack.envelopeId, 'valid'],
    ]);
  });

  it('an unverified envelope is never an entry: it stays in the timeline, quarantined', () => {
    const { messages } = setup();
    const [m1] = chain('c1', 1, 1);
    const bad = ackOf(m1!, 2, { verdict: { ok: false, reason: 'ack-not-required' } });
    messages.ingest([m1!, bad]);
    expect(messages.entries('c1', 'ack')).toEqual([]);
    expect(messages.bySeq('c1', 2)).toMatchObject({ verdict: 'quarantined', reason: 'ack-not-required' });
  });

  it('addSentEntry stores an own entry once; the sync copy is a duplicate; ackEntriesFor finds it by the seq it names', () => {
    const { messages } = setup();
    const [m1, m2] = chain('c1', 1, 2);
    messages.ingest([m1!, m2!]);
    const envelope = fakeEnvelope();
    const payload: AckPayload = { v: 1, kind: 'ack', envelopeHash: m2!.hash, seq: 2 };
    const entry = {
      conversationId: 'c1',
      seq: 3,
      envelopeId: randomUUID(),
      senderUserId: ME,
      senderDeviceId: 'device-alice-1',
      serverTime: at(3),
      clientTime: at(3),
      hash: sha256hex(envelope),
      prev: [m2!.hash],
      payload,
    };
    messages.addSentEntry(entry, envelope);
    messages.addSentEntry(entry, envelope);
    expect(messages.cursors()).toEqual([{ conversationId: 'c1', afterSeq: 2 }]);
    const copy = incoming('c1', 3, '', { ...entry, envelope, verdict: { ok: true, payload } });
    expect(messages.ingest([copy])).toEqual({ inserted: 0, duplicates: 1, altered: 0 });

    expect(messages.ackEntriesFor('c1', 2, 2).map((e) => e.envelopeId)).toEqual([entry.envelopeId]);
    expect(messages.ackEntriesFor('c1', 1, 1)).toEqual([]);
    expect(messages.ackEntriesFor('c1', 1, 5)).toHaveLength(1);
    expect(() => messages.addSentEntry({ ...entry, payload: textPayload('x') as never }, envelope)).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
  });
});
