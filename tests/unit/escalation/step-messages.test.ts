// Dr Asha Rao's urgent message to Dr Samuel Okafor on WARD3B-PC01 went unacknowledged: her client sent the signed
// reminder, and later the resolution. Once his client honours them as escalation steps (migration 20), they are
// the step rows of his timeline, not messages: his unread count and urgent count hold her message once, and the
// conversation list's preview stays her message. The step messages stay in the store, in the hash chain.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { escalationTables } from '../../../src/main/core/escalation/tables';
import { createMessageStore } from '../../../src/main/core/messages';
import { openProfileStore, profileMigrations } from '../../../src/main/core/store';
import { tempDir } from '../store/helpers';
import { incoming, textPayload } from '../messages/helpers';

const WARD = 'ward-3b-rao-okafor';
const ASHA = 'user-asha-rao';
const SAMUEL = 'user-samuel-okafor';
const K = 'Bed 12: K+ 6.9 with peaked T waves, please review now';
const REMINDER = 'Reminder: this urgent message is waiting for your acknowledgement.';
const RESOLVED = 'Acknowledged: this message no longer awaits your acknowledgement.';

function samuelsPc() {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const store = openProfileStore({ file, key });
  const messages = createMessageStore(store, { selfUserId: SAMUEL, selfDeviceId: 'WARD3B-PC01' });
  messages.upsertConversation({
    conversationId: WARD,
    kind: 'direct',
    members: [ASHA, SAMUEL],
    createdAt: '2026-12-03T13:00:00.000Z',
  });
  const fromAsha = (seq: number, text: string, urgent: boolean, prev: string[]) =>
    incoming(WARD, seq, text, {
      senderUserId: ASHA,
      senderDeviceId: 'WARD3B-PC07',
      prev,
      verdict: { ok: true, payload: textPayload(text, { urgent, ackRequired: seq === 1 }) },
    });
  return { store, messages, tables: escalationTables(store.db), fromAsha };
}

const summary = (messages: ReturnType<typeof samuelsPc>['messages']) => {
  const c = messages.listConversations().find((s) => s.conversationId === WARD)!;
  return { unread: c.unread, urgentUnread: c.urgentUnread, preview: c.lastMessage?.preview };
};

it('an honoured reminder and resolution count as no unread message and are not the preview', () => {
  const { store, messages, tables, fromAsha } = samuelsPc();
  const original = fromAsha(1, K, true, []);
  const reminder = fromAsha(2, REMINDER, true, [original.hash]);
  messages.ingest([original, reminder]);
  // Stored as a message until the escalation service has checked what it names.
  expect(summary(messages)).toEqual({ unread: 2, urgentUnread: 2, preview: REMINDER });

  tables.markStep(reminder.envelopeId, 'reminder');
  expect(summary(messages)).toEqual({ unread: 1, urgentUnread: 1, preview: K });
  expect(messages.unreadCount(WARD)).toBe(1);

  const resolved = fromAsha(3, RESOLVED, false, [reminder.hash]);
  messages.ingest([resolved]);
  tables.markStep(resolved.envelopeId, 'resolved');
  expect(summary(messages)).toEqual({ unread: 1, urgentUnread: 1, preview: K });

  // Still in the store and the chain, marked as the steps they are.
  const page = messages.page(WARD, { limit: 10 });
  expect(page.map((m) => [m.seq, m.escalationStep ?? null]).sort()).toEqual([
    [1, null],
    [2, 'reminder'],
    [3, 'resolved'],
  ]);
  expect(messages.latestHashes(WARD, 3)).toContain(resolved.hash);

  // Reading up to the resolution clears the one unread message; moving the mark back brings back only it.
  messages.markRead(WARD, 3);
  expect(summary(messages)).toEqual({ unread: 0, urgentUnread: 0, preview: K });
  store.db.prepare('UPDATE read_state SET last_read_seq = 0 WHERE conversation_id = ?').run(WARD);
  expect(summary(messages)).toEqual({ unread: 1, urgentUnread: 1, preview: K });
  store.close();
});

it('a message is marked as a step at most once, and only as reminder or resolved', () => {
  const { store, messages, tables, fromAsha } = samuelsPc();
  const reminder = fromAsha(1, REMINDER, true, []);
  messages.ingest([reminder]);
  tables.markStep(reminder.envelopeId, 'reminder');
  tables.markStep(reminder.envelopeId, 'resolved');
  expect(messages.page(WARD, { limit: 10 })[0]!.escalationStep).toBe('reminder');
  expect(() =>
    store.db.prepare("UPDATE messages SET escalation_step = 'deadline' WHERE seq = 1").run(),
  ).toThrow(/CHECK/);
  store.close();
});

it('upgrading a profile keeps its unread counts: messages stored before are no steps', () => {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const version = profileMigrations.findIndex((m) => m.name.startsWith('escalation step messages')) + 1;
  const before = openProfileStore({ file, key, migrations: profileMigrations.slice(0, version - 1) });
  const insert = before.db.prepare(`INSERT INTO messages (conversation_id, seq, envelope_id, sender_user_id,
    sender_device_id, client_time, hash, prev, own, verdict, kind, text, urgent, envelope)
    VALUES (?, ?, ?, ?, 'WARD3B-PC07', '2026-12-03T14:05:00.000Z', ?, '[]', 0, 'valid', 'text', ?, ?, x'00')`);
  insert.run(WARD, 1, 'e1', ASHA, Buffer.alloc(32, 1), K, 1);
  insert.run(WARD, 2, 'e2', ASHA, Buffer.alloc(32, 2), REMINDER, 1);
  before.close();

  const after = openProfileStore({ file, key });
  const counts = () => after.db.prepare('SELECT unread, urgent FROM conversation_counts').all();
  expect(counts()).toEqual([{ unread: 2, urgent: 2 }]);
  escalationTables(after.db).markStep('e2', 'reminder');
  expect(counts()).toEqual([{ unread: 1, urgent: 1 }]);
  after.close();
});
