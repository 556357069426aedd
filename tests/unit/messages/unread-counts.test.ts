// Issue 17: the conversation list on Dr Samuel Okafor's ward PC (WARD3B-PC01) reads unread and urgent counts
// (migration 18) and each conversation's newest message (migration 21) that the store keeps as messages arrive,
// open, are sent, are purged and are read, instead of looking through every message on each call. Junk never
// counts and shows no text, an urgent message after junk does count, an escalation step is never the preview, a
// read mark past what the PC holds is refused, and counts and previews survive a restart and the upgrade of a
// profile that had none.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AckPayload } from '../../../src/main/core/envelope';
import { AppError } from '../../../src/main/core/errors';
import { randomBytes } from '../../../src/main/core/crypto';
import { escalationTables } from '../../../src/main/core/escalation/tables';
import { createMessageStore, type MessageStore } from '../../../src/main/core/messages';
import { openProfileStore, profileMigrations, type ProfileStore } from '../../../src/main/core/store';
import { tempDir } from '../store/helpers';
import { at, incoming, own, quarantined, textPayload } from './helpers';
import { newestOracle, shownNewest, unreadOracle } from './unread-oracle';

const WARD = 'ward-3b-handover';
const ICU = 'icu-bed-7';
const SAMUEL = 'user-samuel-okafor';
const ASHA = 'user-asha-rao';

function wardPc(file = join(tempDir(), 'profile.db'), key = randomBytes(32)) {
  const store = openProfileStore({ file, key });
  const messages = createMessageStore(store, { selfUserId: SAMUEL, selfDeviceId: 'WARD3B-PC01' });
  for (const conversationId of [WARD, ICU]) {
    messages.upsertConversation({
      conversationId,
      kind: 'direct',
      members: [ASHA, SAMUEL],
      createdAt: '2026-12-01T08:00:00.000Z',
    });
  }
  return { store, messages, reopen: () => (store.close(), wardPc(file, key)) };
}

const fromAsha = (conversationId: string, seq: number, text: string, urgent = false) =>
  incoming(conversationId, seq, text, {
    senderUserId: ASHA,
    verdict: { ok: true, payload: textPayload(text, { urgent }) },
  });

/**
 * What the list shows for a conversation, checked against the on-demand count and newest-message lookup it
 * replaced.
 */
function badge(store: ProfileStore, messages: MessageStore, conversationId: string) {
  const listed = messages.listConversations().find((c) => c.conversationId === conversationId)!;
  const shown = { unread: listed.unread, urgent: listed.urgentUnread };
  expect(shown).toEqual(unreadOracle(store, conversationId));
  expect(shownNewest(listed)).toEqual(newestOracle(store, conversationId));
  expect(messages.unreadCount(conversationId)).toBe(shown.unread);
  return shown;
}

describe('unread counts kept as messages arrive and are read', () => {
  it('junk is not unread; an urgent message after junk is, until Dr Okafor reads it', () => {
    const { store, messages } = wardPc();
    messages.ingest([fromAsha(WARD, 1, 'Bed 4 obs stable, FYI')]);
    messages.ingest([2, 3, 4].map((seq) => quarantined(WARD, seq, 'bad-signature')));
    expect(badge(store, messages, WARD)).toEqual({ unread: 1, urgent: 0 });
    messages.ingest([fromAsha(WARD, 5, 'Bed 12 potassium 6.9, please review now', true)]);
    expect(badge(store, messages, WARD)).toEqual({ unread: 2, urgent: 1 });
    expect(badge(store, messages, ICU)).toEqual({ unread: 0, urgent: 0 });

    expect(messages.markRead(WARD, 4)).toBe(true);
    expect(badge(store, messages, WARD)).toEqual({ unread: 1, urgent: 1 });
    expect(messages.markRead(WARD, 5)).toBe(true);
    expect(badge(store, messages, WARD)).toEqual({ unread: 0, urgent: 0 });
  });

  it('a message waiting for its key counts, and stops counting if it opens to junk', () => {
    const { store, messages } = wardPc();
    messages.ingest([quarantined(ICU, 1, 'awaiting-key'), quarantined(ICU, 2, 'awaiting-key')]);
    expect(badge(store, messages, ICU)).toEqual({ unread: 2, urgent: 0 });
    const [first, second] = messages.awaitingKey(10);
    const opened = (m: typeof first, verdict: ReturnType<typeof fromAsha>['verdict']) =>
      incoming(ICU, m!.seq, '', { envelopeId: m!.envelopeId, senderUserId: ASHA, verdict });
    expect(
      messages.reopen([
        opened(first, { ok: true, payload: textPayload('Sats 88% on 4L', { urgent: true }) }),
        opened(second, { ok: false, reason: 'bad-signature' }),
      ]),
    ).toBe(2);
    expect(badge(store, messages, ICU)).toEqual({ unread: 1, urgent: 1 });
  });

  it("Dr Okafor's own messages (from any of his devices) and acknowledgements never count", () => {
    const { store, messages } = wardPc();
    const urgent = fromAsha(WARD, 2, 'Bed 12 K+ 6.9, please review', true);
    messages.ingest([
      incoming(WARD, 1, 'On my way', { senderUserId: SAMUEL, senderDeviceId: 'OPD-DESK-02' }),
      urgent,
    ]);
    const ack: AckPayload = { v: 1, kind: 'ack', envelopeHash: urgent.hash, seq: 2 };
    messages.ingest([incoming(WARD, 3, '', { senderUserId: ASHA, verdict: { ok: true, payload: ack } })]);
    expect(badge(store, messages, WARD)).toEqual({ unread: 1, urgent: 1 });
    expect(messages.readBounds(WARD).newest).toBe(3);
  });

  it('a read mark past the newest message on this PC is refused and changes nothing', () => {
    const { store, messages } = wardPc();
    messages.ingest([fromAsha(WARD, 1, 'Bed 4 obs stable, FYI'), fromAsha(WARD, 2, 'Bed 9 fasting')]);
    const before = messages.readBounds(WARD);
    for (const seq of [3, Number.MAX_SAFE_INTEGER]) {
      expect(() => messages.markRead(WARD, seq)).toThrow(
        expect.objectContaining({ code: 'invalid_args' }) as AppError,
      );
    }
    expect(() => messages.markRead(ICU, 1)).toThrow(AppError); // nothing held there
    expect(messages.readBounds(WARD)).toEqual(before);
    expect(badge(store, messages, WARD)).toEqual({ unread: 2, urgent: 0 });
    // had the mark gone to 3, this urgent message would have been hidden
    messages.ingest([fromAsha(WARD, 3, 'Bed 12 potassium 6.9, please review now', true)]);
    expect(badge(store, messages, WARD)).toEqual({ unread: 3, urgent: 1 });
  });

  it('retention takes purged unread messages out of the count', () => {
    const { store, messages } = wardPc();
    messages.ingest([1, 2, 3].map((seq) => fromAsha(WARD, seq, `Round note ${seq}`, seq === 1)));
    expect(messages.purgeOlderThan(new Date(Date.parse(fromAsha(WARD, 3, '').serverTime!)))).toBe(2);
    expect(badge(store, messages, WARD)).toEqual({ unread: 1, urgent: 0 });
  });

  it('the counts survive a restart of the app', () => {
    const pc = wardPc();
    pc.messages.ingest([fromAsha(WARD, 1, 'Bed 4 obs'), fromAsha(WARD, 2, 'Bed 12 K+ 6.9', true)]);
    pc.messages.ingest([fromAsha(ICU, 1, 'ICU bed 7 extubated')]);
    pc.messages.markRead(ICU, 1);
    const after = pc.reopen();
    expect(badge(after.store, after.messages, WARD)).toEqual({ unread: 2, urgent: 1 });
    expect(badge(after.store, after.messages, ICU)).toEqual({ unread: 0, urgent: 0 });
    after.store.close();
  });

  it('the list shows the newest message (a pending own one first), the last seq, most recent first', () => {
    const { messages } = wardPc();
    messages.ingest([fromAsha(WARD, 1, 'Bed 4 obs stable'), fromAsha(ICU, 1, 'ICU bed 7 extubated')]);
    messages.ingest([fromAsha(WARD, 2, 'Bed 12 potassium 6.9, please review now', true)]);
    const list = messages.listConversations();
    expect(
      list.map((c) => [c.conversationId, c.lastSeq, c.lastMessage?.preview, c.lastMessage?.urgent]),
    ).toEqual([
      [WARD, 2, 'Bed 12 potassium 6.9, please review now', true],
      [ICU, 1, 'ICU bed 7 extubated', false],
    ]);
  });
});

/** What the list shows of a conversation's newest message, once checked against the lookup it replaced. */
function line(store: ProfileStore, messages: MessageStore, conversationId: string) {
  badge(store, messages, conversationId);
  const c = messages.listConversations().find((l) => l.conversationId === conversationId)!;
  const last = c.lastMessage;
  return {
    preview: last?.preview ?? null,
    verdict: last?.verdict ?? null,
    pending: last?.pending ?? null,
    lastSeq: c.lastSeq,
  };
}

const REMINDER = 'Reminder: this urgent message is waiting for your acknowledgement.';

describe('the newest message kept for the list', () => {
  it('an escalation step is never the preview; junk shows no text and is not unread', () => {
    const { store, messages } = wardPc();
    messages.ingest([fromAsha(WARD, 1, 'Bed 12 potassium 6.9, please review now', true)]);
    const reminder = fromAsha(WARD, 2, REMINDER, true);
    messages.ingest([reminder]);
    expect(line(store, messages, WARD).preview).toBe(REMINDER); // not a step until her client's step is honoured
    escalationTables(store.db).markStep(reminder.envelopeId, 'reminder');
    expect(line(store, messages, WARD)).toEqual({
      preview: 'Bed 12 potassium 6.9, please review now',
      verdict: 'valid',
      pending: false,
      lastSeq: 2,
    });
    messages.ingest([quarantined(WARD, 3, 'bad-signature')]);
    expect(line(store, messages, WARD)).toEqual({
      preview: null,
      verdict: 'quarantined',
      pending: false,
      lastSeq: 3,
    });
    expect(badge(store, messages, WARD)).toEqual({ unread: 1, urgent: 1 });
  });

  it('his pending message leads until the hub gives it a seq; then the newest seq does', () => {
    const { store, messages } = wardPc();
    messages.ingest([fromAsha(WARD, 1, 'Bed 4 obs stable')]);
    const mine = own(WARD, 'On my way to bed 4');
    messages.addOwn(mine);
    messages.ingest([fromAsha(WARD, 3, 'Bed 9 fasting from midnight')]);
    expect(line(store, messages, WARD)).toEqual({
      preview: 'On my way to bed 4',
      verdict: 'valid',
      pending: true,
      lastSeq: 3,
    });
    messages.markSent(mine.envelopeId, 2, at(2));
    expect(line(store, messages, WARD)).toEqual({
      preview: 'Bed 9 fasting from midnight',
      verdict: 'valid',
      pending: false,
      lastSeq: 3,
    });
  });

  it('reopening moves the preview to the opened text, and retention takes purged text out of the list', () => {
    const { store, messages } = wardPc();
    messages.ingest([fromAsha(ICU, 1, 'ICU bed 7 extubated'), quarantined(ICU, 2, 'awaiting-key')]);
    expect(line(store, messages, ICU)).toEqual({
      preview: null,
      verdict: 'awaiting-key',
      pending: false,
      lastSeq: 2,
    });
    const [waiting] = messages.awaitingKey(10);
    messages.reopen([
      incoming(ICU, waiting!.seq, '', {
        envelopeId: waiting!.envelopeId,
        senderUserId: ASHA,
        verdict: { ok: true, payload: textPayload('Sats 88% on 4L') },
      }),
    ]);
    expect(line(store, messages, ICU).preview).toBe('Sats 88% on 4L');
    expect(messages.purgeOlderThan(new Date(at(2)))).toBe(1);
    expect(line(store, messages, ICU).preview).toBe('Sats 88% on 4L');
    expect(messages.purgeOlderThan(new Date(at(3)))).toBe(1);
    expect(line(store, messages, ICU)).toEqual({ preview: null, verdict: null, pending: null, lastSeq: 2 });
    const kept = store.db.prepare('SELECT count(*) FROM conversation_newest WHERE preview IS NOT NULL');
    expect(kept.pluck().get()).toBe(0); // no text of a purged message is left behind
  });

  it('the previews survive a restart of the app', () => {
    const pc = wardPc();
    pc.messages.ingest([fromAsha(WARD, 1, 'Bed 4 obs'), fromAsha(WARD, 2, 'Bed 12 K+ 6.9', true)]);
    pc.messages.addOwn(own(ICU, 'Extubation plan in notes'));
    const after = pc.reopen();
    expect(line(after.store, after.messages, WARD).preview).toBe('Bed 12 K+ 6.9');
    expect(line(after.store, after.messages, ICU)).toMatchObject({
      preview: 'Extubation plan in notes',
      pending: true,
    });
    after.store.close();
  });
});

describe('migration 18: unread counts of a profile from before', () => {
  it('computes each conversation’s counts once, from unread, urgent, read, junk, waiting and own rows', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const old = openProfileStore({ file, key, migrations: profileMigrations.slice(0, 17) });
    expect(old.schemaVersion).toBe(17);
    const insert = old.db.prepare(`
      INSERT INTO messages (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time,
        client_time, hash, prev, own, verdict, reason, kind, text, urgent, envelope)
      VALUES (?, ?, ?, ?, 'device-1', '2026-12-02T10:00:00.000Z', '2026-12-02T10:00:00.000Z', randomblob(32), '[]',
        ?, ?, ?, ?, ?, ?, x'00')`);
    const row = (
      conv: string,
      seq: number,
      what: 'read' | 'unread' | 'urgent' | 'junk' | 'waiting' | 'own',
    ) => {
      const failed = what === 'junk' || what === 'waiting';
      insert.run(
        conv,
        seq,
        `${conv}-${seq}`,
        what === 'own' ? SAMUEL : ASHA,
        what === 'own' ? 1 : 0,
        failed ? 'quarantined' : 'valid',
        what === 'junk' ? 'bad-signature' : what === 'waiting' ? 'awaiting-key' : null,
        failed ? null : 'text',
        failed ? null : `note ${seq}`,
        what === 'urgent' ? 1 : 0,
      );
    };
    row(WARD, 1, 'read');
    row(WARD, 2, 'urgent'); // read: below the mark
    row(WARD, 3, 'unread');
    row(WARD, 4, 'junk');
    row(WARD, 5, 'urgent');
    row(WARD, 6, 'waiting');
    row(WARD, 7, 'own');
    row(ICU, 1, 'junk');
    row(ICU, 2, 'urgent');
    old.db.prepare('INSERT INTO read_state (conversation_id, last_read_seq) VALUES (?, 2)').run(WARD);
    old.close();

    const { store, messages } = wardPc(file, key);
    expect(store.schemaVersion).toBeGreaterThanOrEqual(18);
    expect(badge(store, messages, WARD)).toEqual({ unread: 3, urgent: 1 });
    expect(badge(store, messages, ICU)).toEqual({ unread: 1, urgent: 1 });
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(9); // nothing lost
    // from here on the triggers keep them
    messages.ingest([fromAsha(WARD, 8, 'Bed 12 repeat K+ 5.1')]);
    messages.markRead(ICU, 2);
    expect(badge(store, messages, WARD)).toEqual({ unread: 4, urgent: 1 });
    expect(badge(store, messages, ICU)).toEqual({ unread: 0, urgent: 0 });
    store.close();
  });
});

describe('migration 21: the newest messages of a profile from before', () => {
  it('finds each conversation’s newest message once: pending first, no steps, junk without text', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const version = profileMigrations.findIndex((m) => m.name.startsWith('newest message of each')) + 1;
    const old = openProfileStore({ file, key, migrations: profileMigrations.slice(0, version - 1) });
    const insert = old.db.prepare(`
      INSERT INTO messages (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time,
        client_time, hash, prev, own, verdict, reason, kind, text, urgent, escalation_step, envelope)
      VALUES (?, ?, ?, ?, 'WARD3B-PC07', ?, '2026-12-02T10:00:00.000Z', randomblob(32), '[]', ?, ?, ?, ?, ?, ?, ?, x'00')`);
    const row = (
      conv: string,
      seq: number | null,
      what: 'text' | 'urgent' | 'step' | 'junk' | 'own',
      text = `note ${seq}`,
    ) => {
      const junk = what === 'junk';
      insert.run(
        conv,
        seq,
        `${conv}-${seq ?? 'pending'}`,
        what === 'own' ? SAMUEL : ASHA,
        seq === null ? null : '2026-12-02T10:00:00.000Z',
        what === 'own' ? 1 : 0,
        junk ? 'quarantined' : 'valid',
        junk ? 'bad-signature' : null,
        junk ? null : 'text',
        junk ? null : text,
        what === 'urgent' ? 1 : 0,
        what === 'step' ? 'reminder' : null,
      );
    };
    const long = `Bed 12 handover: ${'K+ trend 6.9, 6.4, 5.8; '.repeat(10)}`;
    row(WARD, 1, 'urgent', long);
    row(WARD, 2, 'step', REMINDER);
    row(ICU, 1, 'text');
    row(ICU, 2, 'junk');
    row(ICU, null, 'own', 'Extubation plan in notes');
    row('opd-clinic-2', 1, 'step', REMINDER);
    old.close();

    const { store, messages } = wardPc(file, key);
    expect(line(store, messages, WARD)).toEqual({
      preview: long.slice(0, 140),
      verdict: 'valid',
      pending: false,
      lastSeq: 2,
    });
    expect(line(store, messages, ICU)).toEqual({
      preview: 'Extubation plan in notes',
      verdict: 'valid',
      pending: true,
      lastSeq: 2,
    });
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(6); // nothing lost
    // a conversation holding only a step: no message to show, its seq still known
    expect(
      store.db
        .prepare("SELECT max_seq, message_id FROM conversation_newest WHERE conversation_id = 'opd-clinic-2'")
        .get(),
    ).toEqual({ max_seq: 1, message_id: null });
    // from here on the triggers keep them
    messages.ingest([fromAsha(WARD, 3, 'Bed 12 repeat K+ 5.1')]);
    expect(line(store, messages, WARD).preview).toBe('Bed 12 repeat K+ 5.1');
    store.close();
  });
});
