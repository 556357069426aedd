// Issue 17: whatever reaches Dr Samuel Okafor's ward PC (WARD3B-PC01), in whatever order (messages from Dr
// Asha Rao, urgent and long ones, junk that failed verification, envelopes waiting for their key that later
// open or turn out to be junk, his own messages from another desk, signed acknowledgements, his own sends,
// sent or still pending, messages that turn out to be escalation steps, read marks including ones past what the
// PC holds, retention purges, restarts of the app), the unread and urgent counts the store keeps (migration 18)
// always equal the count computed on demand the old way, in the list and per conversation, and what the list
// shows of each conversation's newest message and its last seq (migration 21) equals the old lookup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from '../../src/main/core/crypto';
import type { AckPayload } from '../../src/main/core/envelope';
import { AppError } from '../../src/main/core/errors';
import { escalationTables } from '../../src/main/core/escalation/tables';
import { createMessageStore, type MessageStore } from '../../src/main/core/messages';
import { openProfileStore, type ProfileStore } from '../../src/main/core/store';
import { at, incoming, own, quarantined, textPayload } from '../unit/messages/helpers';
import { newestOracle, shownNewest, unreadOracle } from '../unit/messages/unread-oracle';
import { createTally, scale } from './support/tally';

const RUNS = scale(25, 600);
const CONVERSATIONS = ['ward-3b-handover', 'icu-bed-7'];
const SAMUEL = 'user-samuel-okafor';
const ASHA = 'user-asha-rao';
const tally = createTally('unread-counts');
const dir = mkdtempSync(join(tmpdir(), 'cm-unread-fuzz-'));
afterAll(() => {
  tally.print();
  rmSync(dir, { recursive: true, force: true });
});

const conv = fc.integer({ min: 0, max: CONVERSATIONS.length - 1 }).map((i) => CONVERSATIONS[i]!);
const seq = fc.integer({ min: 1, max: 12 });
const event = fc.oneof(
  fc.record({
    t: fc.constant('arrive' as const),
    conv,
    seq,
    what: fc.constantFrom('text', 'urgent', 'long', 'junk', 'waiting', 'from-his-other-desk'),
  }),
  fc.record({ t: fc.constant('read' as const), conv, seq: fc.integer({ min: 0, max: 14 }) }),
  fc.record({ t: fc.constant('open' as const), to: fc.constantFrom('text', 'urgent', 'junk') }),
  fc.record({ t: fc.constant('ack' as const), conv, seq, of: seq }),
  fc.record({ t: fc.constant('send' as const), conv, seq, sent: fc.boolean() }),
  fc.record({ t: fc.constant('step' as const), conv, seq, step: fc.constantFrom('reminder', 'resolved') }),
  fc.record({ t: fc.constant('purge' as const), minutes: fc.integer({ min: 0, max: 13 }) }),
);
// A restart is rarer than an event: each one reopens (and decrypts) the store file.
const op = fc.oneof(
  { arbitrary: event, weight: 20 },
  { arbitrary: fc.record({ t: fc.constant('restart' as const) }), weight: 1 },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const LONG = `Handover: ${'bed 12 K+ 6.9 then 5.8, repeat at 18:00; '.repeat(6)}`;
const fromAsha = (c: string, s: number, urgent: boolean, text = `Bed ${s} review`) =>
  incoming(c, s, text, {
    senderUserId: ASHA,
    verdict: { ok: true, payload: textPayload(text, { urgent }) },
  });

function apply(store: ProfileStore, messages: MessageStore, o: Op): void {
  switch (o.t) {
    case 'arrive':
      messages.ingest([
        o.what === 'junk'
          ? quarantined(o.conv, o.seq, 'bad-signature')
          : o.what === 'waiting'
            ? quarantined(o.conv, o.seq, 'awaiting-key')
            : o.what === 'from-his-other-desk'
              ? incoming(o.conv, o.seq, 'On my way', { senderUserId: SAMUEL, senderDeviceId: 'OPD-DESK-02' })
              : fromAsha(o.conv, o.seq, o.what === 'urgent', o.what === 'long' ? LONG : undefined),
      ]);
      return;
    case 'read': {
      const before = snapshot(store, messages);
      const { newest } = messages.readBounds(o.conv);
      try {
        messages.markRead(o.conv, o.seq);
        expect(o.seq, 'a read mark past the newest seq was accepted').toBeLessThanOrEqual(newest);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'invalid_args' || o.seq <= newest) throw error;
        tally.get('read').refused++;
        if (JSON.stringify(snapshot(store, messages)) !== JSON.stringify(before))
          tally.get('read').stateChanges++;
        expect(snapshot(store, messages)).toEqual(before);
      }
      return;
    }
    case 'open': {
      const [waiting] = messages.awaitingKey(1);
      if (!waiting) return;
      const verdict =
        o.to === 'junk'
          ? ({ ok: false, reason: 'bad-signature' } as const)
          : ({ ok: true, payload: textPayload('Sats 88% on 4L', { urgent: o.to === 'urgent' }) } as const);
      messages.reopen([
        incoming(waiting.conversationId, waiting.seq, '', {
          envelopeId: waiting.envelopeId,
          senderUserId: ASHA,
          verdict,
        }),
      ]);
      return;
    }
    case 'ack': {
      const target = messages.bySeq(o.conv, o.of);
      if (!target) return;
      const payload: AckPayload = { v: 1, kind: 'ack', envelopeHash: target.hash, seq: o.of };
      messages.ingest([incoming(o.conv, o.seq, '', { senderUserId: ASHA, verdict: { ok: true, payload } })]);
      return;
    }
    case 'send': {
      const mine = own(o.conv, 'Reviewed, plan in notes');
      messages.addOwn(mine);
      if (o.sent) messages.markSent(mine.envelopeId, o.seq, at(o.seq));
      return;
    }
    case 'step': {
      // her client's reminder or resolution, honoured as a step after it was stored (engine order)
      const target = messages.bySeq(o.conv, o.seq);
      if (target) escalationTables(store.db).markStep(target.envelopeId, o.step);
      return;
    }
    case 'purge':
      messages.purgeOlderThan(new Date(at(o.minutes)));
      return;
  }
}

/** What the list shows and what is stored of the read marks. */
function snapshot(store: ProfileStore, messages: MessageStore) {
  return {
    list: messages.listConversations().map((c) => [c.conversationId, c.unread, c.urgentUnread, c.lastSeq]),
    marks: store.db.prepare('SELECT * FROM read_state ORDER BY conversation_id').all(),
  };
}

function checkList(store: ProfileStore, messages: MessageStore): void {
  const listed = new Map(messages.listConversations().map((c) => [c.conversationId, c]));
  for (const c of CONVERSATIONS) {
    const expected = unreadOracle(store, c);
    expect({ unread: listed.get(c)!.unread, urgent: listed.get(c)!.urgentUnread }).toEqual(expected);
    expect(messages.unreadCount(c)).toBe(expected.unread);
    expect(shownNewest(listed.get(c)!)).toEqual(newestOracle(store, c));
  }
}

describe('kept unread counts and newest messages equal the on-demand lookups after any sequence of events', () => {
  it(`holds over ${RUNS} random histories`, () => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60, size: 'max' }), (ops) => {
        const file = join(dir, `profile-${run++}.db`);
        const key = randomBytes(32);
        const open = () => {
          const s = openProfileStore({ file, key });
          return { s, m: createMessageStore(s, { selfUserId: SAMUEL, selfDeviceId: 'WARD3B-PC01' }) };
        };
        let { s: store, m: messages } = open();
        try {
          for (const c of CONVERSATIONS)
            messages.upsertConversation({
              conversationId: c,
              kind: 'direct',
              members: [ASHA, SAMUEL],
              createdAt: '2026-12-01T08:00:00.000Z',
            });
          for (const o of ops) {
            tally.get(o.t).inputs++;
            try {
              if (o.t === 'restart') {
                store.close();
                ({ s: store, m: messages } = open());
              } else apply(store, messages, o);
            } catch (error) {
              // only markRead may refuse (asserted in apply); any other error is a crash
              tally.get(o.t).crashes++;
              throw error;
            }
            checkList(store, messages);
          }
        } finally {
          store.close();
          for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
