// Junk is not unread. On Dr Samuel Okafor's ward PC, envelopes that failed verification are never counted as
// messages to read and never hide an urgent one: they become integrity alerts, one per conversation and burst.
// The waits (a key not here yet, a new workstation not accepted yet) are real messages and still count.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { createMessageStore, type MessageStore } from '../../../src/main/core/messages';
import {
  BURST_WINDOW_MS,
  foldIntoBurst,
  isVerificationFailure,
  joinsBurst,
  newBurst,
  type QuarantineBurst,
} from '../../../src/main/core/messages/quarantine-bursts';
import { openProfileStore, profileMigrations } from '../../../src/main/core/store';
import { tempDir, tempStore } from '../store/helpers';
import { incoming, quarantined, textPayload } from './helpers';

const WARD = 'ward-3b-handover';
const SAMUEL = 'user-samuel-okafor';

/** A store whose clock the test moves (this computer's clock decides bursts, never the hub's). */
function ward(): { messages: MessageStore; clock: { now: Date } } {
  const clock = { now: new Date('2026-12-03T07:00:00.000Z') };
  const { store } = tempStore();
  const messages = createMessageStore(store, { selfUserId: SAMUEL, now: () => clock.now });
  messages.upsertConversation({
    conversationId: WARD,
    kind: 'direct',
    members: ['user-asha-rao', SAMUEL],
    createdAt: '2026-12-01T08:00:00.000Z',
  });
  return { messages, clock };
}

const junk = (from: number, n: number, reason = 'malformed') =>
  Array.from({ length: n }, (_, i) => quarantined(WARD, from + i, reason));
const later = (clock: { now: Date }, ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
const summary = (messages: MessageStore) =>
  messages.listConversations().find((c) => c.conversationId === WARD)!;
const bursts = (messages: MessageStore) =>
  messages
    .alerts(WARD)
    .filter((a) => a.kind === 'quarantined')
    .map((a) => ({ fromSeq: a.fromSeq, toSeq: a.toSeq, count: a.details.count }));

describe('the unread rule: only what a user can read', () => {
  it('500 junk envelopes around one real message: the badge says 1, not 501', () => {
    const { messages } = ward();
    messages.ingest([incoming(WARD, 1, 'Bed 12 potassium 6.1, please review')]);
    messages.ingest(junk(2, 500));
    expect(messages.unreadCount(WARD)).toBe(1);
    expect(summary(messages)).toMatchObject({ unread: 1, urgentUnread: 0, lastSeq: 501 });
  });

  it('an urgent message after the junk is unread and urgent; reading it clears both', () => {
    const { messages } = ward();
    messages.ingest([incoming(WARD, 1, 'Morning all')]);
    messages.markRead(WARD, 1);
    messages.ingest(junk(2, 300));
    expect(messages.unreadCount(WARD)).toBe(0);
    const urgent = incoming(WARD, 302, 'Bed 4 crashing, come now', {
      verdict: { ok: true, payload: textPayload('Bed 4 crashing, come now', { urgent: true }) },
    });
    messages.ingest([urgent]);
    expect(summary(messages)).toMatchObject({ unread: 1, urgentUnread: 1 });
    messages.markRead(WARD, 302);
    expect(summary(messages)).toMatchObject({ unread: 0, urgentUnread: 0 });
  });

  it('every verdict that is not a wait counts 0; a message waiting for its key or for an accepted workstation counts', () => {
    const { messages } = ward();
    const failures = [
      'malformed',
      'unknown-sender-device',
      'bad-signature',
      'device-revoked',
      'not-member',
      'header-mismatch',
      'not-sealed-to-me',
      'decrypt-failed',
      'payload-invalid',
      'control-not-allowed',
    ];
    messages.ingest(failures.map((reason, i) => quarantined(WARD, i + 1, reason)));
    expect(messages.unreadCount(WARD)).toBe(0);
    messages.ingest([quarantined(WARD, 20, 'awaiting-key'), quarantined(WARD, 21, 'device-not-accepted')]);
    // Both will open (the key arrives; someone accepts the workstation): they are messages, so they count.
    expect(messages.unreadCount(WARD)).toBe(2);
    expect(failures.every(isVerificationFailure)).toBe(true);
    expect(isVerificationFailure('awaiting-key') || isVerificationFailure('device-not-accepted')).toBe(false);
  });

  it('a message waiting for its key that then fails to open leaves the count and becomes an alert', () => {
    const { messages } = ward();
    const waiting = quarantined(WARD, 1, 'awaiting-key');
    messages.ingest([waiting]);
    expect(messages.unreadCount(WARD)).toBe(1);
    expect(bursts(messages)).toEqual([]);
    expect(messages.reopen([{ ...waiting, verdict: { ok: false, reason: 'decrypt-failed' } }])).toBe(1);
    expect(messages.unreadCount(WARD)).toBe(0);
    expect(bursts(messages)).toEqual([{ fromSeq: 1, toSeq: 1, count: 1 }]);
  });
});

describe('the grouping rule: one alert per conversation and burst', () => {
  it('a flood of consecutive junk, in many sync pages, is one alert with its count and seq range', () => {
    const { messages, clock } = ward();
    messages.ingest([incoming(WARD, 1, 'Handover at 8')]);
    for (let page = 0; page < 4; page++) {
      messages.ingest(junk(2 + page * 250, 250));
      later(clock, BURST_WINDOW_MS); // slower than the window: consecutive seqs still fold
    }
    expect(bursts(messages)).toEqual([{ fromSeq: 2, toSeq: 1001, count: 1000 }]);
    expect(messages.alerts(WARD)).toHaveLength(1);
  });

  it('junk interleaved with real messages, arriving together, is still one alert', () => {
    const { messages } = ward();
    const batch = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? quarantined(WARD, i + 1) : incoming(WARD, i + 1, `obs round ${i}`),
    );
    messages.ingest(batch);
    expect(bursts(messages)).toEqual([{ fromSeq: 1, toSeq: 199, count: 100 }]);
    expect(messages.unreadCount(WARD)).toBe(100);
  });

  it('a second burst, later and apart in seq, is a second alert; each conversation has its own', () => {
    const { messages, clock } = ward();
    messages.ingest(junk(1, 5));
    messages.ingest([incoming(WARD, 6, 'All quiet')]);
    later(clock, BURST_WINDOW_MS + 1);
    messages.ingest(junk(7, 3));
    messages.ingest([quarantined('icu-consults', 1), quarantined('icu-consults', 2)]);
    expect(bursts(messages)).toEqual([
      { fromSeq: 1, toSeq: 5, count: 5 },
      { fromSeq: 7, toSeq: 9, count: 3 },
    ]);
    expect(messages.alerts('icu-consults').map((a) => [a.kind, a.details.count])).toEqual([
      ['quarantined', 2],
    ]);
  });

  it('a duplicate of a stored junk envelope adds nothing; the evidence stays in the verification records', () => {
    const { messages } = ward();
    const items = junk(1, 3);
    messages.ingest(items);
    messages.ingest(items);
    expect(bursts(messages)).toEqual([{ fromSeq: 1, toSeq: 3, count: 3 }]);
    expect(messages.verificationRecords(WARD).map((r) => [r.seq, r.verdict, r.reason])).toEqual([
      [1, 'quarantined', 'malformed'],
      [2, 'quarantined', 'malformed'],
      [3, 'quarantined', 'malformed'],
    ]);
  });

  it('a caller cannot raise or forge a burst alert through addAlert', () => {
    const { messages } = ward();
    expect(() =>
      messages.addAlert({ conversationId: WARD, kind: 'quarantined', fromSeq: 1, toSeq: 1, details: {} }),
    ).toThrow(expect.objectContaining({ code: 'invalid_args' }));
  });
});

describe('the grouping rule, for any arrival order', () => {
  const arrival = fc.record({
    seq: fc.integer({ min: 1, max: 100_000 }),
    afterMs: fc.integer({ min: 0, max: 3 * BURST_WINDOW_MS }),
  });

  it('a burst always covers every item folded into it, and counts each once', () => {
    fc.assert(
      fc.property(fc.array(arrival, { minLength: 1, maxLength: 200 }), (items) => {
        let t = Date.parse('2026-12-03T07:00:00.000Z');
        const out: { burst: QuarantineBurst; seqs: number[] }[] = [];
        for (const { seq, afterMs } of items) {
          t += afterMs;
          const at = new Date(t);
          const last = out.at(-1);
          if (last && joinsBurst(last.burst, seq, at)) {
            last.burst = foldIntoBurst(last.burst, seq, at);
            last.seqs.push(seq);
          } else out.push({ burst: newBurst(seq, at), seqs: [seq] });
        }
        for (const { burst, seqs } of out) {
          expect(burst.count).toBe(seqs.length);
          expect(burst.fromSeq).toBe(Math.min(...seqs));
          expect(burst.toSeq).toBe(Math.max(...seqs));
        }
        expect(out.reduce((n, b) => n + b.burst.count, 0)).toBe(items.length);
      }),
    );
  });

  it('items arriving within the window, in any seq order, are one burst', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 300 }),
        (seqs) => {
          const at = new Date('2026-12-03T07:00:00.000Z');
          let burst = newBurst(seqs[0]!, at);
          for (const seq of seqs.slice(1)) {
            expect(joinsBurst(burst, seq, at)).toBe(true);
            burst = foldIntoBurst(burst, seq, at);
          }
          expect(burst.count).toBe(seqs.length);
        },
      ),
    );
  });

  it('the store agrees with the rule: any mix of junk and real messages in one sync is one alert, and unread counts only the real ones', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 120 }), (isJunk) => {
        const { messages } = ward();
        messages.ingest(
          isJunk.map((j, i) => (j ? quarantined(WARD, i + 1) : incoming(WARD, i + 1, `note ${i}`))),
        );
        const junkCount = isJunk.filter(Boolean).length;
        expect(messages.unreadCount(WARD)).toBe(isJunk.length - junkCount);
        expect(bursts(messages).map((b) => b.count)).toEqual(junkCount === 0 ? [] : [junkCount]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('migration 14: junk already stored becomes one alert per conversation', () => {
  it('backfills the alerts, stops counting the junk, and keeps every row and older alert', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const old = openProfileStore({ file, key, migrations: profileMigrations.slice(0, 13) });
    const insert = old.db.prepare(`
      INSERT INTO messages (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time,
        client_time, hash, prev, own, verdict, reason, kind, text, envelope)
      VALUES (?, ?, ?, 'user-asha-rao', 'device-1', '2026-12-02T10:00:00.000Z', '2026-12-02T10:00:00.000Z',
        randomblob(32), '[]', 0, ?, ?, ?, ?, x'00')`);
    insert.run(WARD, 1, 'e1', 'valid', null, 'text', 'Real message');
    for (let seq = 2; seq <= 41; seq++)
      insert.run(WARD, seq, `e${seq}`, 'quarantined', 'malformed', null, null);
    insert.run(WARD, 42, 'e42', 'quarantined', 'awaiting-key', null, null);
    old.db
      .prepare(
        "INSERT INTO integrity_alerts (conversation_id, kind, from_seq, to_seq, details, raised_at) VALUES (?, 'gap', 50, 50, '{}', 't')",
      )
      .run(WARD);
    old.close();

    const store = openProfileStore({ file, key });
    const messages = createMessageStore(store, { selfUserId: SAMUEL });
    expect(messages.alerts(WARD).map((a) => [a.kind, a.fromSeq, a.toSeq, a.details.count])).toEqual([
      ['gap', 50, 50, undefined],
      ['quarantined', 2, 41, 40],
    ]);
    expect(messages.unreadCount(WARD)).toBe(2); // the real message and the one waiting for its key
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(42);
    // the count reads the covering index, not the rows
    const plan = store.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT count(*), sum(urgent) FROM messages WHERE conversation_id = ? AND own = 0
         AND (verdict = 'valid' OR reason IN ('awaiting-key', 'device-not-accepted')) AND seq > 0`,
      )
      .all(WARD) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/COVERING INDEX messages_unread/);
    // new junk joins the backfilled burst (next seq)
    messages.ingest([quarantined(WARD, 43)]);
    expect(bursts(messages)).toEqual([{ fromSeq: 2, toSeq: 43, count: 41 }]);
    store.close();
  });
});
