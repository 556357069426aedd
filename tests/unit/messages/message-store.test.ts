import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMessageStore, type MessageStore } from '../../../src/main/core/messages';
import { openProfileStore, type ProfileStore } from '../../../src/main/core/store';
import { tempStore } from '../store/helpers';
import { at, chain, fakeEnvelope, incoming, own, quarantined, sha256hex, textPayload } from './helpers';

const ME = 'user-alice';

function setup(): { store: ProfileStore; messages: MessageStore; file: string; key: Uint8Array } {
  const { store, file, key } = tempStore();
  return {
    store,
    file,
    key,
    messages: createMessageStore(store, { selfUserId: ME, selfDeviceId: 'device-alice-1' }),
  };
}

/** Everything a user could see or the report could use, to prove a bad call changed nothing. */
function snapshot(store: ProfileStore) {
  return {
    messages: store.db.prepare('SELECT * FROM messages ORDER BY id').all(),
    cursors: store.db.prepare('SELECT * FROM sync_cursors ORDER BY conversation_id').all(),
    outbox: store.db.prepare('SELECT * FROM outbox ORDER BY envelope_id').all(),
    fts: store.db
      .prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'message' ORDER BY rowid")
      .all(),
  };
}

function ftsIntact(store: ProfileStore): void {
  // Throws SQLITE_CORRUPT_VTAB if the external-content index disagrees with the messages table.
  store.db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
}

describe('ingest', () => {
  it('stores a batch in one go, advances the cursor to the highest seq, and survives a reopen', () => {
    const { store, messages, file, key } = setup();
    const batch = [...chain('c1', 1, 3), ...chain('c2', 1, 2)];
    expect(messages.ingest(batch)).toEqual({ inserted: 5, duplicates: 0, altered: 0 });
    expect(messages.cursors()).toEqual([
      { conversationId: 'c1', afterSeq: 3 },
      { conversationId: 'c2', afterSeq: 2 },
    ]);
    const first = messages.page('c1', { limit: 10 });
    expect(first.map((m) => m.seq)).toEqual([3, 2, 1]);
    expect(first[0]).toMatchObject({
      verdict: 'valid',
      envelopeId: batch[2]!.envelopeId,
      hash: batch[2]!.hash,
      prev: [batch[1]!.hash],
      payload: textPayload('message number 3'),
      own: false,
      pending: false,
    });

    store.close();
    const again = createMessageStore(openProfileStore({ file, key }), { selfUserId: ME });
    expect(again.page('c1', { limit: 10 })).toEqual(first);
    expect(again.cursors()).toHaveLength(2);
    expect(again.search('number', { limit: 50 })).toHaveLength(5);
  });

  it('a replay of the same envelopes changes nothing and counts as duplicates', () => {
    const { store, messages } = setup();
    const batch = chain('c1', 1, 4);
    messages.ingest(batch);
    const before = snapshot(store);
    expect(messages.ingest(batch)).toEqual({ inserted: 0, duplicates: 4, altered: 0 });
    expect(messages.ingest([batch[1]!, batch[1]!])).toEqual({ inserted: 0, duplicates: 2, altered: 0 });
    expect(snapshot(store)).toEqual(before);
    expect(messages.alerts()).toEqual([]);
  });

  it('a different envelope at a stored seq (history altered by the hub) is an alert; the batch goes on, the stored one is untouched', () => {
    const { store, messages } = setup();
    const original = chain('c1', 1, 3);
    messages.ingest(original);
    const storedRow = store.db.prepare('SELECT * FROM messages WHERE seq = 2').get();
    const forged = incoming('c1', 2, 'forged text ZEBRAFORGE');
    const next = chain('c1', 4, 5, original[2]!.hash);
    expect(messages.ingest([next[0]!, forged, next[1]!])).toEqual({ inserted: 2, duplicates: 0, altered: 1 });

    expect(store.db.prepare('SELECT * FROM messages WHERE seq = 2').get()).toEqual(storedRow);
    expect(messages.page('c1', { limit: 10 }).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(messages.search('ZEBRAFORGE', { limit: 50 })).toEqual([]);
    expect(messages.cursors()).toEqual([{ conversationId: 'c1', afterSeq: 5 }]);
    const [alert] = messages.alerts('c1');
    expect(alert).toMatchObject({
      kind: 'altered',
      fromSeq: 2,
      toSeq: 2,
      details: {
        storedEnvelopeId: original[1]!.envelopeId,
        storedHash: original[1]!.hash,
        otherEnvelopeId: forged.envelopeId,
        otherHash: forged.hash,
      },
    });
    expect(alert!.evidence).toEqual(forged.envelope);
  });

  it('the same envelope id with other bytes keeps the stored message and raises an altered alert', () => {
    const { store, messages } = setup();
    const [m] = chain('c1', 1, 1);
    messages.ingest([m!]);
    const before = snapshot(store);
    const swapped = fakeEnvelope();
    expect(messages.ingest([{ ...m!, envelope: swapped, hash: sha256hex(swapped) }])).toEqual({
      inserted: 0,
      duplicates: 1,
      altered: 0,
    });
    expect(snapshot(store)).toEqual(before);
    expect(messages.alerts('c1')).toEqual([
      expect.objectContaining({
        kind: 'altered',
        details: expect.objectContaining({ otherHash: sha256hex(swapped) }),
      }),
    ]);
  });

  it('a quarantined envelope is kept with its reason, shown as could-not-verify, never searchable', () => {
    const { messages } = setup();
    const q = quarantined('c1', 2, 'bad-signature');
    messages.ingest([incoming('c1', 1, 'hello'), q, incoming('c1', 3, 'after')]);
    const [third, second] = messages.page('c1', { limit: 10 });
    expect(third!.verdict).toBe('valid');
    expect(second).toMatchObject({ seq: 2, verdict: 'quarantined', reason: 'bad-signature', payload: null });
    expect(messages.bySeq('c1', 2)).toMatchObject({ verdict: 'quarantined', reason: 'bad-signature' });
    // its claimed text never reaches the index (the verdict carries none), and the hashes for `prev` skip it
    expect(messages.latestHashes('c1', 3)).not.toContain(q.hash);
    expect(messages.verificationRecords('c1')[1]).toMatchObject({
      verdict: 'quarantined',
      reason: 'bad-signature',
    });
    // it is an alert, not a message to read
    expect(messages.unreadCount('c1')).toBe(2);
    expect(messages.alerts('c1').map((a) => [a.kind, a.fromSeq, a.details.count])).toEqual([
      ['quarantined', 2, 1],
    ]);
  });

  it('refuses a batch with a malformed item before writing anything', () => {
    const { store, messages } = setup();
    messages.ingest(chain('c1', 1, 2));
    const before = snapshot(store);
    for (const broken of [
      { hash: 'not-hex' },
      { seq: 0 },
      { seq: 1.5 },
      { serverTime: 'yesterday' },
      { prev: ['abc'] },
      { envelope: 'bytes' as unknown as Uint8Array },
      { verdict: { ok: false, reason: '' } },
      { verdict: { ok: true, payload: { kind: 'text' } } },
    ] as const) {
      const batch = [incoming('c1', 3, 'fine'), incoming('c1', 4, 'bad', broken as never)];
      expect(() => messages.ingest(batch)).toThrow(expect.objectContaining({ code: 'invalid_args' }));
    }
    expect(snapshot(store)).toEqual(before);
  });
});

describe('own messages and the outbox', () => {
  it('addOwn shows the message first as pending and queues it; markSent gives it its seq and empties the queue', () => {
    const { messages } = setup();
    messages.ingest(chain('c1', 1, 2));
    const mine = own('c1', 'on my way');
    messages.addOwn(mine);
    expect(messages.outbox()).toEqual([
      { envelopeId: mine.envelopeId, conversationId: 'c1', envelope: mine.envelope, attempts: 0 },
    ]);
    const page = messages.page('c1', { limit: 10 });
    expect(page.map((m) => m.seq)).toEqual([null, 2, 1]);
    expect(page[0]).toMatchObject({ pending: true, own: true, senderUserId: ME, sendFailure: null });
    expect(messages.unreadCount('c1')).toBe(2);

    messages.recordAttempt(mine.envelopeId);
    expect(messages.outbox()[0]!.attempts).toBe(1);
    messages.markSent(mine.envelopeId, 3, at(3));
    expect(messages.outbox()).toEqual([]);
    expect(messages.page('c1', { limit: 10 }).map((m) => [m.seq, m.pending])).toEqual([
      [3, false],
      [2, false],
      [1, false],
    ]);
    // Sync later brings the same envelope: a duplicate, nothing changes
    const fromSync = incoming('c1', 3, 'on my way', {
      envelopeId: mine.envelopeId,
      envelope: mine.envelope,
      hash: mine.hash,
      senderUserId: ME,
    });
    expect(messages.ingest([fromSync])).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(messages.alerts()).toEqual([]);
  });

  it('a Sync copy of an own message whose send answer was lost fills in its seq and leaves the outbox', () => {
    const { messages } = setup();
    const mine = own('c1', 'lost answer');
    messages.addOwn(mine);
    const fromSync = incoming('c1', 1, 'lost answer', {
      envelopeId: mine.envelopeId,
      envelope: mine.envelope,
      hash: mine.hash,
      senderUserId: ME,
    });
    expect(messages.ingest([fromSync])).toEqual({ inserted: 0, duplicates: 1, altered: 0 });
    expect(messages.outbox()).toEqual([]);
    expect(messages.bySeq('c1', 1)).toMatchObject({ envelopeId: mine.envelopeId, own: true, pending: false });
    expect(messages.cursors()).toEqual([{ conversationId: 'c1', afterSeq: 1 }]);
  });

  it('markFailed takes a refused message out of the queue and shows why', () => {
    const { messages } = setup();
    const mine = own('c1', 'too big');
    messages.addOwn(mine);
    messages.markFailed(mine.envelopeId, 'too_large');
    expect(messages.outbox()).toEqual([]);
    expect(messages.page('c1', { limit: 5 })[0]).toMatchObject({ pending: true, sendFailure: 'too_large' });
  });

  it('refuses a second own message with a stored envelope id, keeping the first', () => {
    const { store, messages } = setup();
    const mine = own('c1', 'first');
    messages.addOwn(mine);
    const before = snapshot(store);
    expect(() => messages.addOwn({ ...mine, payload: textPayload('second') })).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
    expect(snapshot(store)).toEqual(before);
  });
});

describe('pages, unread counts and conversations', () => {
  it('pages newest first by seq, continuing before a seq, with pending own messages on the first page only', () => {
    const { messages } = setup();
    // delivered out of order across batches
    const all = chain('c1', 1, 120);
    messages.ingest(all.slice(60));
    messages.ingest(all.slice(0, 60));
    messages.ingest(chain('c2', 1, 10));
    messages.addOwn(own('c1', 'pending one'));
    const first = messages.page('c1', { limit: 50 });
    expect(first.map((m) => m.seq)).toEqual([null, ...Array.from({ length: 49 }, (_, i) => 120 - i)]);
    const second = messages.page('c1', { beforeSeq: 72, limit: 50 });
    expect(second.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 - i));
    expect(messages.page('c1', { beforeSeq: 3, limit: 50 }).map((m) => m.seq)).toEqual([2, 1]);
    expect(messages.page('c1', { beforeSeq: 1, limit: 50 })).toEqual([]);
    // Reading forward from a search hit: the messages just above it, newest first, never the pending one.
    const forward = messages.page('c1', { afterSeq: 40, limit: 50 });
    expect(forward.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 90 - i));
    expect(messages.page('c1', { afterSeq: 117, limit: 50 }).map((m) => m.seq)).toEqual([120, 119, 118]);
    expect(messages.page('c1', { afterSeq: 120, limit: 50 })).toEqual([]);
    expect(() => messages.page('c1', { beforeSeq: 10, afterSeq: 5, limit: 50 })).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
    expect(messages.page('nobody', { limit: 50 })).toEqual([]);
    expect(first.every((m) => m.conversationId === 'c1')).toBe(true);
  });

  it('counts unread messages from others above the last read seq; own ones never count; read never moves back', () => {
    const { messages } = setup();
    messages.ingest([
      incoming('c1', 1, 'a'),
      incoming('c1', 2, 'b', { senderUserId: ME, senderDeviceId: 'device-alice-2' }), // my other device
      incoming('c1', 3, 'c', { verdict: { ok: true, payload: textPayload('urgent!', { urgent: true }) } }),
      incoming('c1', 4, 'd'),
    ]);
    expect(messages.unreadCount('c1')).toBe(3);
    expect(messages.markRead('c1', 3)).toBe(true);
    expect(messages.unreadCount('c1')).toBe(1);
    expect(messages.markRead('c1', 1)).toBe(false);
    expect(messages.markRead('c1', 3)).toBe(false);
    expect(messages.unreadCount('c1')).toBe(1);
    expect(messages.markRead('c1', 4)).toBe(true);
    expect(messages.unreadCount('c1')).toBe(0);
    expect(messages.unreadCount('other')).toBe(0);
    expect(() => messages.markRead('c1', -1)).toThrow(expect.objectContaining({ code: 'invalid_args' }));
  });

  it('lists conversations by latest activity with preview, unread and urgent counts and last seq', () => {
    const { messages } = setup();
    messages.upsertConversation({
      conversationId: 'c1',
      kind: 'direct',
      members: ['user-bob', ME],
      createdAt: at(0),
    });
    messages.upsertConversation({
      conversationId: 'c2',
      kind: 'group',
      members: [ME, 'x', 'y'],
      createdAt: at(1),
    });
    messages.upsertConversation({ conversationId: 'c3', kind: 'group', members: [ME], createdAt: at(2) });
    messages.ingest([
      incoming('c1', 1, 'old', { serverTime: at(30) }),
      incoming('c2', 1, 'x', { serverTime: at(50) }),
      incoming('c2', 2, 'y', {
        serverTime: at(60),
        verdict: {
          ok: true,
          payload: textPayload('Patient deteriorating, please come', {
            urgent: true,
            patient: { mrn: 'MRN-1', name: 'Jane Roe' },
          }),
        },
      }),
    ]);
    const list = messages.listConversations();
    expect(list.map((c) => c.conversationId)).toEqual(['c2', 'c1', 'c3']);
    expect(list[0]).toMatchObject({
      kind: 'group',
      members: [ME, 'x', 'y'],
      unread: 2,
      urgentUnread: 1,
      lastSeq: 2,
      lastMessage: {
        preview: 'Patient deteriorating, please come',
        urgent: true,
        patient: { mrn: 'MRN-1', name: 'Jane Roe' },
        senderUserId: 'user-bob',
        verdict: 'valid',
        pending: false,
      },
    });
    expect(list[2]).toMatchObject({ lastMessage: null, unread: 0, lastSeq: 0 });
    // upsert updates members
    messages.upsertConversation({
      conversationId: 'c3',
      kind: 'group',
      members: [ME, 'z'],
      createdAt: at(2),
    });
    expect(messages.listConversations().find((c) => c.conversationId === 'c3')!.members).toEqual([ME, 'z']);
    expect(() =>
      messages.upsertConversation({
        conversationId: 'c4',
        kind: 'party' as never,
        members: [],
        createdAt: at(0),
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_args' }));
  });
});

describe('hash links', () => {
  it('latestHashes gives the newest valid hashes; byHash and bySeq find stored messages', () => {
    const { messages } = setup();
    const c = chain('c1', 1, 5);
    messages.ingest([...c, quarantined('c1', 6)]);
    expect(messages.latestHashes('c1', 3)).toEqual([c[4]!.hash, c[3]!.hash, c[2]!.hash]);
    expect(messages.latestHashes('c1', 1)).toEqual([c[4]!.hash]);
    expect(messages.latestHashes('empty', 3)).toEqual([]);
    expect(messages.byHash('c1', c[1]!.hash)).toEqual({ seq: 2, envelopeId: c[1]!.envelopeId });
    expect(messages.byHash('c2', c[1]!.hash)).toBeNull();
    expect(messages.byHash('c1', 'f'.repeat(64))).toBeNull();
    expect(messages.bySeq('c1', 4)).toMatchObject({ envelopeId: c[3]!.envelopeId });
    expect(messages.bySeq('c1', 99)).toBeNull();
  });
});

describe('search', () => {
  function seeded() {
    const s = setup();
    s.messages.ingest([
      incoming('c1', 1, 'Potassium result for bed 12 is 6.1'),
      incoming('c1', 2, 'Please repeat the potassium', {
        verdict: {
          ok: true,
          payload: textPayload('Please repeat the potassium test', {
            patient: { mrn: 'MRN-00123', name: 'José Álvarez' },
          }),
        },
      }),
      incoming('c2', 1, 'potassium potassium potassium on ward 4'),
      quarantined('c2', 2),
      incoming('c2', 3, 'Café visit at noon'),
    ]);
    return s;
  }

  it('finds newest first, or ranked by relevance, with prefix search on the last word', () => {
    const { messages } = seeded();
    const newest = messages.search('potassium', { limit: 50 });
    expect(newest.map((h) => [h.conversationId, h.seq])).toEqual([
      ['c2', 1],
      ['c1', 2],
      ['c1', 1],
    ]);
    expect(newest[0]!.score).toBeNull();
    const ranked = messages.search('potassium', { limit: 50, ranked: true });
    expect(ranked[0]).toMatchObject({ conversationId: 'c2', seq: 1 });
    expect(ranked.map((h) => h.score!)).toEqual([...ranked.map((h) => h.score!)].sort((a, b) => a - b));
    expect(messages.search('potass', { limit: 50 })).toHaveLength(3);
    expect(messages.search('potass ', { limit: 50 })).toHaveLength(0); // a finished word is not a prefix
    expect(messages.search('potassium', { limit: 2 })).toHaveLength(2);
    expect(messages.search('potassium', { limit: 50, conversationId: 'c1' }).map((h) => h.seq)).toEqual([
      2, 1,
    ]);
    expect(messages.search('potassium', { limit: 50, conversationId: 'c1', ranked: true })).toHaveLength(2);
  });

  it('finds by patient name (accents folded) and MRN, and returns the patient context', () => {
    const { messages } = seeded();
    expect(messages.search('jose alvarez', { limit: 50 })).toEqual([
      expect.objectContaining({ seq: 2, patient: { mrn: 'MRN-00123', name: 'José Álvarez' } }),
    ]);
    expect(messages.search('MRN-00123', { limit: 50 }).map((h) => h.seq)).toEqual([2]);
    expect(messages.search('00123', { limit: 50 }).map((h) => h.seq)).toEqual([2]);
    expect(messages.search('cafe', { limit: 50 }).map((h) => h.text)).toEqual(['Café visit at noon']);
  });

  it('never throws on FTS5 syntax in user input', () => {
    const { messages } = seeded();
    for (const nasty of [
      '"',
      '""',
      'NEAR(',
      'NEAR(potassium',
      'potassium"',
      '*',
      'potassium*',
      '-potassium',
      'AND',
      'OR potassium',
      'NOT',
      'text:potassium',
      '{text}: x',
      '^potassium',
      '(((',
      ')',
      "'; DROP TABLE messages; --",
      '\u0000',
      '   ',
      '',
      '😀',
      'a'.repeat(5000),
      'potassium + +',
    ]) {
      expect(() => messages.search(nasty, { limit: 50 }), nasty).not.toThrow();
      expect(() => messages.search(nasty, { limit: 50, ranked: true }), nasty).not.toThrow();
    }
    expect(messages.search('"potassium"', { limit: 50 })).toHaveLength(3);
    expect(messages.search('NEAR(potassium', { limit: 50 })).toHaveLength(0); // NEAR is just a word
    expect(messages.search('text:potassium', { limit: 50 })).toHaveLength(0); // not a column filter: a phrase
    expect(messages.page('c1', { limit: 5 })).toHaveLength(2);
  });

  it('keeps the index inside the encrypted file: an inserted word is nowhere in the file bytes', () => {
    const { store, messages, file } = setup();
    const word = 'Xylophonequartz91';
    messages.ingest([
      incoming('c1', 1, `note ${word} here`, {
        verdict: {
          ok: true,
          payload: textPayload(`note ${word} here`, { patient: { mrn: 'MRN-77Q', name: 'Quillon Marsh' } }),
        },
      }),
    ]);
    expect(messages.search(word, { limit: 5 })).toHaveLength(1);
    for (const f of [file, `${file}-wal`].filter(existsSync)) {
      const bytes = readFileSync(f);
      for (const needle of [word, word.toLowerCase(), 'quillon', 'Quillon Marsh', 'MRN-77Q']) {
        expect(bytes.includes(needle), `${needle} in ${f}`).toBe(false);
      }
    }
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const bytes = readFileSync(file);
    expect(bytes.includes(word)).toBe(false);
    expect(bytes.includes(word.toLowerCase())).toBe(false);
    expect(bytes.includes('messages_fts')).toBe(false);
  });
});

describe('receipts, alerts and verification records', () => {
  it('keeps one receipt per (user, device, kind) and lists them for a message', () => {
    const { messages } = setup();
    messages.ingest(chain('c1', 1, 2));
    const r = {
      conversationId: 'c1',
      seq: 1,
      userId: 'user-carol',
      deviceId: 'd1',
      kind: 'read' as const,
      at: at(5),
    };
    messages.addReceipt(r);
    messages.addReceipt({ ...r, at: at(9) }); // the hub's first one stands
    messages.addReceipt({ ...r, kind: 'delivered', at: at(4) });
    expect(messages.receipts('c1', 1)).toEqual([{ ...r, kind: 'delivered', at: at(4) }, r]);
    expect(messages.receipts('c1', 2)).toEqual([]);
    expect(() => messages.addReceipt({ ...r, kind: 'liked' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
  });

  it('records alerts once each, per conversation, in order', () => {
    const { messages } = setup();
    const gap = { conversationId: 'c1', kind: 'gap' as const, fromSeq: 3, toSeq: 5, details: { missing: 3 } };
    messages.addAlert(gap);
    messages.addAlert(gap);
    messages.addAlert({
      ...gap,
      conversationId: 'c2',
      kind: 'missing-predecessor',
      fromSeq: 7,
      toSeq: 7,
      details: { missingHash: 'ab' },
    });
    expect(messages.alerts('c1')).toEqual([
      expect.objectContaining({ kind: 'gap', fromSeq: 3, toSeq: 5, details: { missing: 3 }, evidence: null }),
    ]);
    expect(messages.alerts().map((a) => a.conversationId)).toEqual(['c1', 'c2']);
    expect(() => messages.addAlert({ ...gap, kind: 'bad' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
  });

  it('gives the verification report every envelope with its bytes, verdict and reason, by seq', () => {
    const { messages } = setup();
    const c = chain('c1', 1, 2);
    const q = quarantined('c1', 3, 'not-member');
    messages.ingest([q, ...c]);
    const mine = own('c1', 'pending');
    messages.addOwn(mine);
    const records = messages.verificationRecords('c1');
    expect(records.map((r) => [r.seq, r.verdict, r.reason])).toEqual([
      [1, 'valid', null],
      [2, 'valid', null],
      [3, 'quarantined', 'not-member'],
      [null, 'valid', null],
    ]);
    expect(records[2]).toMatchObject({ envelope: q.envelope, hash: q.hash, envelopeId: q.envelopeId });
    expect(records[0]!.envelope).toEqual(c[0]!.envelope);
  });
});

describe('retention purge', () => {
  it('removes old messages with their index entries and receipts; keeps conversations, cursors, alerts, outbox and the newest links', () => {
    const { store, messages } = setup();
    messages.upsertConversation({
      conversationId: 'c1',
      kind: 'direct',
      members: [ME, 'user-bob'],
      createdAt: at(0),
    });
    const c = chain('c1', 1, 30); // serverTime = at(seq)
    messages.ingest(c);
    messages.addReceipt({
      conversationId: 'c1',
      seq: 5,
      userId: 'u',
      deviceId: 'd',
      kind: 'read',
      at: at(6),
    });
    messages.addReceipt({
      conversationId: 'c1',
      seq: 25,
      userId: 'u',
      deviceId: 'd',
      kind: 'read',
      at: at(26),
    });
    messages.addAlert({ conversationId: 'c1', kind: 'gap', fromSeq: 2, toSeq: 3, details: {} });
    const mine = own('c1', 'still pending', { clientTime: at(-100) });
    messages.addOwn(mine);

    expect(messages.purgeOlderThan(new Date(at(20)))).toBe(19);
    expect(messages.page('c1', { limit: 100 }).map((m) => m.seq)).toEqual([
      null,
      ...Array.from({ length: 11 }, (_, i) => 30 - i),
    ]);
    expect(messages.search('number', { limit: 100 }).map((h) => h.seq)).toEqual(
      Array.from({ length: 11 }, (_, i) => 30 - i),
    );
    ftsIntact(store);
    expect(messages.receipts('c1', 5)).toEqual([]);
    expect(messages.receipts('c1', 25)).toHaveLength(1);
    expect(messages.listConversations()).toHaveLength(1);
    expect(messages.cursors()).toEqual([{ conversationId: 'c1', afterSeq: 30 }]);
    expect(messages.alerts('c1')).toHaveLength(1);
    expect(messages.outbox().map((o) => o.envelopeId)).toEqual([mine.envelopeId]);

    // purging everything still leaves the newest hashes for `prev` and for checking the next message's links
    expect(messages.purgeOlderThan(new Date(at(1000)))).toBe(11);
    expect(messages.latestHashes('c1', 3)).toEqual([c[29]!.hash, c[28]!.hash, c[27]!.hash]);
    expect(messages.byHash('c1', c[29]!.hash)).toEqual({ seq: 30, envelopeId: c[29]!.envelopeId });
    expect(messages.byHash('c1', c[0]!.hash)).toBeNull(); // older links are not kept
    expect(messages.search('number', { limit: 100 })).toEqual([]);
    ftsIntact(store);
    expect(messages.purgeOlderThan(new Date(at(1000)))).toBe(0);
    expect(() => messages.purgeOlderThan(new Date('nope'))).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
  });
});

it('refuses to run on a store whose schema predates the message tables', async () => {
  const { profileMigrations } = await import('../../../src/main/core/store');
  const { tempDir } = await import('../store/helpers');
  const { randomBytes } = await import('../../../src/main/core/crypto');
  const { join } = await import('node:path');
  const old = openProfileStore({
    file: join(tempDir(), 'p.db'),
    key: randomBytes(32),
    migrations: profileMigrations.slice(0, 4),
  });
  expect(() => createMessageStore(old)).toThrow(expect.objectContaining({ code: 'internal' }));
  old.close();
});
