// Search as staff use it, against an oracle: on a seeded store (several conversations, junk that failed
// verification, own messages still waiting for the hub, patient tags, escalation steps), newest-first search
// returns the same hits in the same order as a plain filter over what was stored, and ranked search the same
// hits as sorting every match by its bm25 score. Reminders and resolutions are step rows of the timeline, not
// messages: search never finds their text (migration 23).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { escalationTables } from '../../../src/main/core/escalation/tables';
import {
  createMessageStore,
  type IncomingMessage,
  type MessageStore,
  type SearchHit,
} from '../../../src/main/core/messages';
import { openProfileStore, profileMigrations, type ProfileStore } from '../../../src/main/core/store';
import { tempDir } from '../store/helpers';
import { incoming, own, textPayload } from './helpers';

const ME = 'user-me';
const CONVERSATIONS = ['ward-3b', 'icu', 'pharmacy', 'oncology'];
const RARE = 'zanubrutinib';
const COMMON = 'patient';
const WORDS = ['bed', 'review', 'potassium', 'sodium', 'round', 'repeat', 'result', 'ward', 'please', 'now'];
const NAMES = ['Ann Lee', 'Ravi Patel', 'Mei Chen'];

/** What was stored, to be filtered by the oracle. */
interface Stored {
  envelopeId: string;
  conversationId: string;
  seq: number | null;
  senderUserId: string;
  at: string;
  text: string;
  urgent: boolean;
  patient: { mrn: string; name: string } | null;
  valid: boolean;
  step: boolean;
}

function openStore(file: string, key: Uint8Array): { store: ProfileStore; messages: MessageStore } {
  const store = openProfileStore({ file, key });
  return { store, messages: createMessageStore(store, { selfUserId: ME, selfDeviceId: 'device-me' }) };
}

/** A deterministic store: 2,400 messages in four conversations, 2% junk, 1% own pending, 1% steps. */
function seeded() {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const { store, messages } = openStore(file, key);
  let s = 17;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const stored: Stored[] = [];
  const nextSeq = new Map(CONVERSATIONS.map((c) => [c, 1]));
  const steps: string[] = [];
  for (let batch = 0; batch < 24; batch++) {
    const msgs: IncomingMessage[] = [];
    for (let i = 0; i < 100; i++) {
      const conversationId = pick(CONVERSATIONS);
      const words = Array.from({ length: 4 + Math.floor(rand() * 6) }, () => pick(WORDS));
      if (rand() < 0.2) words.push(COMMON);
      if (rand() < 0.01) words.push(RARE);
      const text = words.sort(() => rand() - 0.5).join(' ');
      const patient =
        rand() < 0.1 ? { mrn: `MRN-${1000 + Math.floor(rand() * 9)}`, name: pick(NAMES) } : null;
      const urgent = rand() < 0.05;
      if (rand() < 0.01) {
        const m = own(conversationId, text, { payload: textPayload(text, { urgent, patient }) });
        messages.addOwn(m);
        stored.push({
          ...m,
          seq: null,
          senderUserId: ME,
          at: m.clientTime,
          text,
          urgent,
          patient,
          valid: true,
          step: false,
        });
        continue;
      }
      const seq = nextSeq.get(conversationId)!;
      nextSeq.set(conversationId, seq + 1);
      const valid = rand() >= 0.02;
      const m = incoming(conversationId, seq, text, {
        senderUserId: pick(['user-bob', 'user-eve']),
        verdict: valid
          ? { ok: true, payload: textPayload(text, { urgent, patient }) }
          : { ok: false, reason: 'bad-signature' },
      });
      msgs.push(m);
      const step = valid && rand() < 0.01;
      if (step) steps.push(m.envelopeId);
      stored.push({
        ...m,
        at: m.serverTime!,
        text,
        urgent,
        patient,
        valid,
        step,
      });
    }
    messages.ingest(msgs);
  }
  const tables = escalationTables(store.db);
  steps.forEach((id, i) => tables.markStep(id, i % 2 === 0 ? 'reminder' : 'resolved'));
  // Newest first is the order messages were stored in (the row id).
  const idOf = new Map(
    store.db
      .prepare<[], { id: number; envelope_id: string }>('SELECT id, envelope_id FROM messages')
      .all()
      .map((r) => [r.envelope_id, r.id]),
  );
  stored.sort((a, b) => idOf.get(b.envelopeId)! - idOf.get(a.envelopeId)!);
  return { file, key, store, messages, stored, steps };
}

/** The unicode61 tokens of a message: its text, patient name and MRN, lower case (all ASCII here). */
const tokens = (m: Stored): string[] =>
  [m.text, m.patient?.name ?? '', m.patient?.mrn ?? '']
    .join(' ')
    .toLowerCase()
    .match(/[a-z0-9]+/g) ?? [];

/** Every query word must be a token; the last one only begins one, unless the query ends with a space. */
function matches(m: Stored, query: string): boolean {
  const words = query.trim().toLowerCase().split(/\s+/);
  const prefixLast = !/\s$/.test(query);
  const have = tokens(m);
  return words.every((w, i) =>
    prefixLast && i === words.length - 1 ? have.some((t) => t.startsWith(w)) : have.includes(w),
  );
}

const hitOf = (m: Stored): SearchHit => ({
  conversationId: m.conversationId,
  seq: m.seq,
  envelopeId: m.envelopeId,
  senderUserId: m.senderUserId,
  at: m.at,
  text: m.text,
  urgent: m.urgent,
  patient: m.patient,
  score: null,
});

function oracle(stored: Stored[], query: string, opts: { limit: number; conversationId?: string }) {
  return stored
    .filter((m) => m.valid && !m.step && matches(m, query))
    .filter((m) => opts.conversationId === undefined || m.conversationId === opts.conversationId)
    .slice(0, opts.limit)
    .map(hitOf);
}

const QUERIES = [
  RARE,
  `${RARE} `,
  COMMON,
  `${COMMON} `,
  'pat',
  'potassium bed',
  'review pot',
  'ravi',
  'lee ann ',
];

describe('search newest first', () => {
  it('returns what a plain filter over the stored messages returns, in the same order', () => {
    const { messages, stored } = seeded();
    expect(stored.filter((m) => m.valid && !m.step && matches(m, `${RARE} `)).length).toBeGreaterThan(5);
    expect(stored.filter((m) => m.valid && !m.step && matches(m, `${COMMON} `)).length).toBeGreaterThan(400);
    for (const query of QUERIES) {
      for (const limit of [1, 50, 200]) {
        expect(messages.search(query, { limit }), `${query} / ${limit}`).toEqual(
          oracle(stored, query, { limit }),
        );
        for (const conversationId of CONVERSATIONS)
          expect(messages.search(query, { limit, conversationId }), `${query} in ${conversationId}`).toEqual(
            oracle(stored, query, { limit, conversationId }),
          );
      }
    }
  });

  it('refuses a limit that is not a number with a typed error', () => {
    const { messages } = seeded();
    for (const limit of [NaN, 'fifty' as unknown as number])
      expect(() => messages.search(COMMON, { limit })).toThrow(
        expect.objectContaining({ code: 'invalid_args' }),
      );
    expect(messages.search(COMMON, { limit: 1e9 })).toHaveLength(500);
    expect(messages.search(COMMON, { limit: -3 })).toHaveLength(1);
  });

  it('never returns junk, a step, or a message of another conversation', () => {
    const { messages, stored } = seeded();
    const hidden = new Set(stored.filter((m) => !m.valid || m.step).map((m) => m.envelopeId));
    expect(hidden.size).toBeGreaterThan(40);
    for (const query of QUERIES) {
      const hits = messages.search(query, { limit: 200 });
      expect(hits.filter((h) => hidden.has(h.envelopeId))).toEqual([]);
      expect(
        messages
          .search(query, { limit: 200, conversationId: 'icu' })
          .every((h) => h.conversationId === 'icu'),
      ).toBe(true);
    }
  });
});

describe('search ranked', () => {
  it('returns the best-scored hits: every match scored and sorted, ties newest first', () => {
    const { store, messages, stored } = seeded();
    const byEnvelope = new Map(stored.map((m) => [m.envelopeId, m]));
    const scored = store.db.prepare<[string], { envelope_id: string; score: number }>(
      `SELECT m.envelope_id, bm25(messages_fts, 1.0, 2.0, 4.0) AS score
       FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?`,
    );
    const order = new Map(stored.map((m, i) => [m.envelopeId, i]));
    for (const [query, match] of [
      [RARE, `"${RARE}"*`],
      [COMMON, `"${COMMON}"*`],
      ['potassium bed', '"potassium" "bed"*'],
    ] as const) {
      const all = scored
        .all(match)
        .filter((r) => byEnvelope.get(r.envelope_id)!.valid && !byEnvelope.get(r.envelope_id)!.step)
        .sort((a, b) => a.score - b.score || order.get(a.envelope_id)! - order.get(b.envelope_id)!);
      const hits = messages.search(query, { limit: 50, ranked: true });
      expect(
        hits.map((h) => h.envelopeId),
        query,
      ).toEqual(all.slice(0, 50).map((r) => r.envelope_id));
      expect(
        hits.map((h) => ({ ...h, score: null })),
        query,
      ).toEqual(hits.map((h) => hitOf(byEnvelope.get(h.envelopeId)!)));
      // The same messages as newest first when there are no more than a page of them.
      if (all.length <= 50)
        expect(new Set(hits.map((h) => h.envelopeId))).toEqual(
          new Set(oracle(stored, query, { limit: 50 }).map((h) => h.envelopeId)),
        );
    }
  });
});

describe('escalation steps are not searched', () => {
  const REMINDER = 'Reminder: this urgent message is waiting for your acknowledgement.';
  const RESOLVED = 'Acknowledged: this message no longer awaits your acknowledgement.';

  it('finds the urgent message, never the reminder or resolution standing for its steps, also after a reopen', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const { store, messages } = openStore(file, key);
    const original = incoming('ward-3b', 1, 'Bed 12 potassium 6.9, please acknowledge', {
      verdict: {
        ok: true,
        payload: textPayload('Bed 12 potassium 6.9, please acknowledge', { urgent: true }),
      },
    });
    const reminder = incoming('ward-3b', 2, REMINDER, { prev: [original.hash] });
    const resolved = incoming('ward-3b', 3, RESOLVED, { prev: [reminder.hash] });
    messages.ingest([original, reminder, resolved]);
    // Stored as messages until the escalation service has checked what they name.
    expect(messages.search('acknowledgement', { limit: 50 }).map((h) => h.seq)).toEqual([3, 2]);
    const tables = escalationTables(store.db);
    tables.markStep(reminder.envelopeId, 'reminder');
    tables.markStep(resolved.envelopeId, 'resolved');
    const check = (m: MessageStore) => {
      for (const opts of [{}, { ranked: true }, { conversationId: 'ward-3b' }]) {
        expect(m.search('acknowledgement', { limit: 50, ...opts })).toEqual([]);
        expect(m.search('waiting', { limit: 50, ...opts })).toEqual([]);
        expect(m.search('acknowledge', { limit: 50, ...opts }).map((h) => h.seq)).toEqual([1]);
      }
    };
    check(messages);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    store.close();
    const again = openStore(file, key); // the open-time check passes with steps left out of the index
    check(again.messages);
    again.store.close();
  });

  it('migration 23 takes steps indexed before it out of the index, and keeps every message', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const before = openProfileStore({ file, key, migrations: profileMigrations.slice(0, 22) });
    const old = createMessageStore(before, { selfUserId: ME });
    const original = incoming('ward-3b', 1, 'Bed 12 potassium 6.9, please acknowledge');
    const reminder = incoming('ward-3b', 2, REMINDER);
    old.ingest([original, reminder]);
    escalationTables(before.db).markStep(reminder.envelopeId, 'reminder');
    expect(old.search('waiting', { limit: 50 }).map((h) => h.seq)).toEqual([2]); // the bug
    before.close();

    const { store, messages } = openStore(file, key);
    expect(messages.search('waiting', { limit: 50 })).toEqual([]);
    expect(messages.search('potassium', { limit: 50 }).map((h) => h.seq)).toEqual([1]);
    expect(messages.page('ward-3b', { limit: 10 }).map((m) => m.seq)).toEqual([2, 1]);
    store.close();
  });
});
