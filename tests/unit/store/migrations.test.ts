import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { openProfileStore, profileMigrations, type ProfileStore } from '../../../src/main/core/store';
import { tempDir } from './helpers';

/** A store migrated up to `version` only, then the rest applied by reopening with the full list. */
function storeAt(version: number): { store: ProfileStore; upgrade: () => ProfileStore } {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const store = openProfileStore({ file, key, migrations: profileMigrations.slice(0, version) });
  return {
    store,
    upgrade: () => {
      store.close();
      return openProfileStore({ file, key });
    },
  };
}

const tables = (s: ProfileStore) =>
  s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];

describe('migration 1: settings', () => {
  it('creates a key/value table with unique keys and JSON text values', () => {
    const { store } = storeAt(1);
    expect(tables(store)).toEqual(['settings']);
    store.db.prepare('INSERT INTO settings VALUES (?, ?)').run('idle', '5');
    expect(() => store.db.prepare('INSERT INTO settings VALUES (?, ?)').run('idle', '6')).toThrow(/UNIQUE/);
    expect(() => store.db.prepare('INSERT INTO settings VALUES (?, ?)').run('x', null)).toThrow(/NOT NULL/);
    expect(() => store.db.prepare('INSERT INTO settings VALUES (?, ?)').run('y', Buffer.from('b'))).toThrow(); // STRICT
    store.close();
  });
});

describe('migration 2: contact device pins', () => {
  it('adds pins keyed by (user, device), keeping existing settings', () => {
    const { store, upgrade } = storeAt(1);
    store.db.prepare('INSERT INTO settings VALUES (?, ?)').run('kept', '"yes"');
    const up = upgrade();
    expect(tables(up)).toContain('contact_device_pins');
    expect(up.db.prepare("SELECT value FROM settings WHERE key='kept'").pluck().get()).toBe('"yes"');
    const insert = up.db.prepare(
      'INSERT INTO contact_device_pins (user_id, device_id, signing_public_key, encryption_public_key, first_seen_at, pinned_at, pending_signing_public_key) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('u', 'd', 'sk', 'ek', 't', 't', null);
    expect(() => insert.run('u', 'd', 'sk2', 'ek2', 't', 't', null)).toThrow(/UNIQUE|PRIMARY/);
    // a pending change always names both keys
    expect(() => insert.run('u', 'd2', 'sk', 'ek', 't', 't', 'only-one')).toThrow(/CHECK/);
    up.close();
  });
});

describe('migration 3: audit events', () => {
  it('adds the audit table and its chain head (a single row)', () => {
    const { store, upgrade } = storeAt(2);
    expect(tables(store)).not.toContain('audit_events');
    const up = upgrade();
    expect(tables(up)).toEqual(expect.arrayContaining(['audit_events', 'audit_chain_head']));
    up.db.prepare("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, x'00')").run();
    expect(() =>
      up.db.prepare("INSERT INTO audit_chain_head (id, seq, hash) VALUES (2, 0, x'00')").run(),
    ).toThrow(/CHECK/);
    expect(() =>
      up.db
        .prepare(
          "INSERT INTO audit_events (seq, kind, at, details, prev_hash, hash) VALUES (0, 'k', 't', '{}', x'00', x'00')",
        )
        .run(),
    ).toThrow(/CHECK/);
    up.close();
  });
});

describe('migration 4: lock state', () => {
  it('adds one lock-state row with no PIN and no failed attempts', () => {
    const { store, upgrade } = storeAt(3);
    expect(tables(store)).not.toContain('lock_state');
    const up = upgrade();
    expect(up.db.prepare('SELECT pin_hash, failed_attempts, locked_out_at FROM lock_state').all()).toEqual([
      { pin_hash: null, failed_attempts: 0, locked_out_at: null },
    ]);
    expect(() => up.db.prepare('INSERT INTO lock_state (id) VALUES (2)').run()).toThrow(/CHECK/);
    expect(() => up.db.prepare('UPDATE lock_state SET failed_attempts = -1').run()).toThrow(/CHECK/);
    up.close();
  });
});

const hash = (n: number) => Buffer.alloc(32, n);
const insertMessage = (s: ProfileStore, id: number, seq: number | null, over: Record<string, unknown> = {}) =>
  s.db
    .prepare(
      `INSERT INTO messages (id, conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time,
         client_time, hash, prev, own, verdict, reason, kind, text, patient_mrn, patient_name, document, envelope)
       VALUES (@id, @conversation_id, @seq, @envelope_id, 'u', 'd', 't', 't', @hash, '[]', 0, @verdict, @reason,
         @kind, @text, @patient_mrn, @patient_name, @document, x'00')`,
    )
    .run({
      id,
      conversation_id: 'c1',
      seq,
      envelope_id: `e${id}`,
      hash: hash(id),
      verdict: 'valid',
      reason: null,
      kind: 'text',
      text: `text ${id}`,
      patient_mrn: null,
      patient_name: null,
      document: null,
      ...over,
    });

describe('migration 5: conversations', () => {
  it('adds conversations keyed by id, direct or group only, keeping earlier data', () => {
    const { store, upgrade } = storeAt(4);
    expect(tables(store)).not.toContain('conversations');
    store.db.prepare('INSERT INTO settings VALUES (?, ?)').run('kept', '1');
    const up = upgrade();
    expect(up.db.prepare("SELECT value FROM settings WHERE key = 'kept'").pluck().get()).toBe('1');
    const insert = up.db.prepare('INSERT INTO conversations VALUES (?, ?, ?, ?)');
    insert.run('c1', 'direct', '["a","b"]', 't');
    expect(() => insert.run('c1', 'group', '[]', 't')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => insert.run('c2', 'channel', '[]', 't')).toThrow(/CHECK/);
    up.close();
  });
});

describe('migration 6: messages', () => {
  it('adds messages unique by envelope id and by (conversation, seq), pending rows without seq, verdict rules', () => {
    const { upgrade } = storeAt(5);
    const up = upgrade();
    expect(tables(up)).toEqual(expect.arrayContaining(['messages', 'purged_links']));
    insertMessage(up, 1, 1);
    insertMessage(up, 2, null);
    insertMessage(up, 3, null); // several pending own messages may wait at once
    expect(() => insertMessage(up, 4, 1)).toThrow(/UNIQUE/); // (conversation, seq) taken
    insertMessage(up, 5, 1, { conversation_id: 'c2' }); // same seq, other conversation
    expect(() => insertMessage(up, 6, 2, { envelope_id: 'e1' })).toThrow(/UNIQUE/);
    expect(() => insertMessage(up, 7, 0)).toThrow(/CHECK/);
    // a quarantined row has a reason and no content; a valid one has content and no reason
    insertMessage(up, 8, 3, { verdict: 'quarantined', reason: 'bad-signature', kind: null, text: null });
    expect(() => insertMessage(up, 9, 4, { verdict: 'quarantined', reason: 'x', kind: null })).toThrow(
      /CHECK/,
    );
    expect(() =>
      insertMessage(up, 10, 5, { verdict: 'quarantined', reason: null, kind: null, text: null }),
    ).toThrow(/CHECK/);
    expect(() => insertMessage(up, 11, 6, { reason: 'x' })).toThrow(/CHECK/);
    expect(() => insertMessage(up, 12, 7, { patient_mrn: 'M' })).toThrow(/CHECK/);
    expect(() => insertMessage(up, 13, 8, { kind: 'document' })).toThrow(/CHECK/);
    expect(() => insertMessage(up, 14, 9, { hash: Buffer.alloc(31) })).toThrow(/CHECK/);
    const plan = up.db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM messages WHERE hash = ? AND conversation_id = 'c1'")
      .all(hash(1)) as { detail: string }[];
    expect(plan.map((p) => p.detail).join()).toMatch(/USING INDEX messages_by_hash/);
    // unread counts read only the partial index of messages from others (narrowed by migration 14 to what
    // a user can read)
    const unreadPlan = up.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT count(*), sum(urgent) FROM messages WHERE conversation_id = 'c1' AND own = 0
         AND (verdict = 'valid' OR reason IN ('awaiting-key', 'device-not-accepted')) AND seq > 3`,
      )
      .all() as { detail: string }[];
    expect(unreadPlan.map((p) => p.detail).join()).toMatch(/COVERING INDEX messages_unread/);
    up.close();
  });
});

describe('migration 7: message search', () => {
  it('indexes valid messages (text, patient name, MRN) only, and follows deletes and updates', () => {
    const { store, upgrade } = storeAt(6);
    insertMessage(store, 1, 1, { text: 'potassium high' }); // written before the index existed
    store.close();
    const up = upgrade();
    const match = (q: string) =>
      up.db
        .prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid')
        .pluck()
        .all(q);
    insertMessage(up, 2, 2, { text: 'potassium low', patient_mrn: 'MRN-9', patient_name: 'Ann Lee' });
    insertMessage(up, 3, 3, { verdict: 'quarantined', reason: 'r', kind: null, text: null });
    expect(match('potassium')).toEqual([2]); // rows from before the step are not indexed by it
    expect(match('"ann lee"')).toEqual([2]);
    expect(match('"mrn 9"')).toEqual([2]);
    up.db.prepare("UPDATE messages SET text = 'sodium' WHERE id = 2").run();
    expect(match('potassium')).toEqual([]);
    expect(match('sodium')).toEqual([2]);
    up.db.prepare('DELETE FROM messages WHERE id IN (2, 3)').run();
    expect(match('sodium')).toEqual([]);
    up.close();
  });
});

describe('migration 8: outbox, sync cursors and read state', () => {
  it('adds the outbox, one cursor and one read mark per conversation, never negative', () => {
    const { upgrade } = storeAt(7);
    const up = upgrade();
    up.db
      .prepare("INSERT INTO outbox (envelope_id, conversation_id, queued_at) VALUES ('e1', 'c1', 't')")
      .run();
    expect(up.db.prepare('SELECT attempts, failure FROM outbox').get()).toEqual({
      attempts: 0,
      failure: null,
    });
    expect(() =>
      up.db
        .prepare("INSERT INTO outbox (envelope_id, conversation_id, queued_at) VALUES ('e1', 'c1', 't')")
        .run(),
    ).toThrow(/UNIQUE|PRIMARY/);
    up.db.prepare("INSERT INTO sync_cursors VALUES ('c1', 5)").run();
    expect(() => up.db.prepare("INSERT INTO sync_cursors VALUES ('c1', 6)").run()).toThrow(/UNIQUE|PRIMARY/);
    expect(() => up.db.prepare("INSERT INTO sync_cursors VALUES ('c2', -1)").run()).toThrow(/CHECK/);
    expect(() => up.db.prepare("INSERT INTO read_state VALUES ('c2', -1)").run()).toThrow(/CHECK/);
    up.close();
  });
});

describe('migration 9: integrity alerts and receipts', () => {
  it('adds alerts (known kinds, one of each) and receipts that go with their message', () => {
    const { upgrade } = storeAt(8);
    const up = upgrade();
    const alert = up.db.prepare(
      "INSERT INTO integrity_alerts (conversation_id, kind, from_seq, to_seq, details, raised_at) VALUES ('c1', ?, ?, ?, '{}', 't')",
    );
    alert.run('gap', 2, 4);
    expect(() => alert.run('gap', 2, 4)).toThrow(/UNIQUE/);
    expect(() => alert.run('tampered', 2, 4)).toThrow(/CHECK/);
    expect(() => alert.run('gap', 4, 2)).toThrow(/CHECK/);
    insertMessage(up, 1, 1);
    const receipt = up.db.prepare("INSERT INTO receipts VALUES ('c1', ?, 'u', 'd', ?, 't')");
    receipt.run(1, 'read');
    receipt.run(2, 'read');
    expect(() => receipt.run(1, 'read')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => receipt.run(1, 'seen')).toThrow(/CHECK/);
    up.db.prepare('DELETE FROM messages WHERE id = 1').run();
    expect(up.db.prepare('SELECT seq FROM receipts').pluck().all()).toEqual([2]);
    up.close();
  });
});

describe('migration 10: conversation keys', () => {
  it('adds conversation keys, one per (conversation, key id), 32-byte keys only, keeping messages', () => {
    const { upgrade } = storeAt(9);
    const up = upgrade();
    insertMessage(up, 1, 1);
    const add = up.db.prepare(
      'INSERT INTO conversation_keys (conversation_id, key_id, key, coverage, user_epoch, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    add.run('c1', 'a'.repeat(32), Buffer.alloc(32), 'u1:1,u2:1', 1, 't');
    expect(() => add.run('c1', 'a'.repeat(32), Buffer.alloc(32), 'u1:1', 1, 't')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => add.run('c1', 'b'.repeat(32), Buffer.alloc(16), 'u1:1', 1, 't')).toThrow(/CHECK/);
    expect(() => add.run('c1', 'short', Buffer.alloc(32), 'u1:1', 1, 't')).toThrow(/CHECK/);
    expect(() => add.run('c1', 'c'.repeat(32), Buffer.alloc(32), 'u1:1', 0, 't')).toThrow(/CHECK/);
    // A key made offline keeps its grant until published; a published one has none.
    expect(up.db.prepare('SELECT pending_grant FROM conversation_keys').pluck().get()).toBeNull();
    expect(up.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    up.close();
  });
});

describe('migration 11: chain entries', () => {
  it('adds state entries, one per (conversation, seq) and envelope id, control or ack only, keeping messages', () => {
    const { upgrade } = storeAt(10);
    const up = upgrade();
    insertMessage(up, 1, 1);
    const add = up.db.prepare(
      `INSERT INTO chain_entries (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time,
         client_time, hash, prev, kind, body, envelope) VALUES (?, ?, ?, 'u', 'd', 't', 't', ?, '[]', ?, '{}', x'00')`,
    );
    add.run('c1', 2, 'e2', Buffer.alloc(32), 'control');
    expect(() => add.run('c1', 2, 'e3', Buffer.alloc(32), 'ack')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => add.run('c1', 3, 'e2', Buffer.alloc(32), 'ack')).toThrow(/UNIQUE/);
    expect(() => add.run('c1', 4, 'e4', Buffer.alloc(32), 'text')).toThrow(/CHECK/);
    expect(() => add.run('c1', 5, 'e5', Buffer.alloc(16), 'ack')).toThrow(/CHECK/);
    expect(up.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    up.close();
  });
});

describe('migration 12: integrity alerts about hub assertions', () => {
  it('keeps every alert and accepts the two new kinds', () => {
    const { store, upgrade } = storeAt(11);
    const raise = (s: ProfileStore, kind: string, from: number) =>
      s.db
        .prepare(
          "INSERT INTO integrity_alerts (conversation_id, kind, from_seq, to_seq, details, raised_at) VALUES ('c1', ?, ?, ?, '{}', 't')",
        )
        .run(kind, from, from);
    raise(store, 'gap', 3);
    expect(() => raise(store, 'unsigned-ack', 4)).toThrow(/CHECK/);
    const up = upgrade();
    raise(up, 'unsigned-ack', 4);
    raise(up, 'unconfirmed-member', 0);
    expect(() => raise(up, 'gossip', 5)).toThrow(/CHECK/);
    expect(up.db.prepare('SELECT kind FROM integrity_alerts ORDER BY id').pluck().all()).toEqual([
      'gap',
      'unsigned-ack',
      'unconfirmed-member',
    ]);
    up.close();
  });
});

describe('migration 13: device trust', () => {
  it('keeps every pin accepted and its revocation known, records baselines, and holds names and notices', () => {
    const { store, upgrade } = storeAt(12);
    const pin = store.db.prepare(
      'INSERT INTO contact_device_pins (user_id, device_id, signing_public_key, encryption_public_key, first_seen_at, pinned_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    pin.run('okafor', 'd1', 'sk', 'ek', '2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z', null);
    pin.run(
      'okafor',
      'd2',
      'sk',
      'ek',
      '2025-01-03T00:00:00.000Z',
      '2025-01-03T00:00:00.000Z',
      '2025-02-01T00:00:00.000Z',
    );
    const up = upgrade();
    expect(
      up.db
        .prepare(
          'SELECT device_id, device_name, enrolled_at, noticed, accepted_at, revocation_seen_at FROM contact_device_pins ORDER BY device_id',
        )
        .all(),
    ).toEqual([
      {
        device_id: 'd1',
        device_name: null,
        enrolled_at: null,
        noticed: 0,
        accepted_at: '2025-01-02T00:00:00.000Z',
        revocation_seen_at: null,
      },
      {
        device_id: 'd2',
        device_name: null,
        enrolled_at: null,
        noticed: 0,
        accepted_at: '2025-01-03T00:00:00.000Z',
        revocation_seen_at: '2025-02-01T00:00:00.000Z',
      },
    ]);
    expect(up.db.prepare('SELECT user_id, listed_at FROM trust_baselines').all()).toEqual([
      { user_id: 'okafor', listed_at: '2025-01-01T00:00:00.000Z' },
    ]);
    expect(() =>
      up.db.prepare("UPDATE contact_device_pins SET noticed = 2 WHERE device_id = 'd1'").run(),
    ).toThrow(/CHECK/);
    expect(() => up.db.prepare("INSERT INTO trust_baselines VALUES ('okafor', 't')").run()).toThrow(
      /UNIQUE|PRIMARY/,
    );
    up.close();
  });
});

describe('migration 14: quarantined items are grouped alerts', () => {
  it("adds the 'quarantined' alert kind and folds stored failures into one alert per conversation", () => {
    const { store, upgrade } = storeAt(13);
    insertMessage(store, 1, 1);
    insertMessage(store, 2, 2, { verdict: 'quarantined', reason: 'malformed', kind: null, text: null });
    insertMessage(store, 3, 3, { verdict: 'quarantined', reason: 'bad-signature', kind: null, text: null });
    insertMessage(store, 4, 4, { verdict: 'quarantined', reason: 'awaiting-key', kind: null, text: null });
    const up = upgrade();
    expect(
      up.db
        .prepare(`SELECT kind, from_seq, to_seq, json_extract(details, '$.count') AS n FROM integrity_alerts`)
        .all(),
    ).toEqual([{ kind: 'quarantined', from_seq: 2, to_seq: 3, n: 2 }]);
    up.close();
  });
});

describe('migration 16: messages by patient', () => {
  it('indexes tagged messages by MRN, and the patient view query uses it', () => {
    const { upgrade } = storeAt(15);
    const up = upgrade();
    const plan = up.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM messages WHERE patient_mrn = '0042817' AND verdict = 'valid'
         ORDER BY id DESC LIMIT 51`,
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('messages_by_patient');
    up.close();
  });
});

describe('migration 17: messages sent to a role', () => {
  it('adds an empty to_role to stored messages, which keep their text', () => {
    const { store, upgrade } = storeAt(16);
    insertMessage(store, 1, 1);
    const up = upgrade();
    expect(up.db.prepare('SELECT text, to_role FROM messages').all()).toEqual([
      { text: 'text 1', to_role: null },
    ]);
    up.close();
  });
});

describe('migration 24: messages by time for the retention purge, and those waiting to be opened again', () => {
  it('indexes the stored messages with a seq by their time, and the purge statements use it', () => {
    const { store, upgrade } = storeAt(23);
    const old = '2026-01-01T00:00:00.000Z';
    const recent = '2026-03-01T00:00:00.000Z';
    const at = store.db.prepare('UPDATE messages SET server_time = ?, client_time = ? WHERE id = ?');
    insertMessage(store, 1, 1);
    at.run(old, old, 1);
    insertMessage(store, 2, 2);
    at.run(recent, old, 2);
    insertMessage(store, 3, null); // in the outbox: never purged
    at.run(null, old, 3);
    const up = upgrade();
    expect(
      up.db
        .prepare(
          `SELECT id FROM messages INDEXED BY messages_by_time
           WHERE seq IS NOT NULL AND coalesce(server_time, client_time) < ?`,
        )
        .pluck()
        .all('2026-02-01T00:00:00.000Z'),
    ).toEqual([1]);
    const plan = (sql: string) =>
      (up.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('2026-02-01T00:00:00.000Z') as { detail: string }[])
        .map((p) => p.detail)
        .join(' ');
    // As in src/main/core/messages/message-store.ts (keepLinks, purge).
    expect(
      plan(`SELECT m.conversation_id, m.seq FROM messages m
            WHERE m.seq IS NOT NULL AND coalesce(m.server_time, m.client_time) < ?`),
    ).toContain('USING INDEX messages_by_time');
    expect(
      plan('DELETE FROM messages WHERE seq IS NOT NULL AND coalesce(server_time, client_time) < ?'),
    ).toContain('USING INDEX messages_by_time');
    // As in awaitingKey: reopening on every connect reads only the quarantined rows.
    expect(
      (
        up.db
          .prepare(
            `EXPLAIN QUERY PLAN SELECT conversation_id, seq FROM messages
             WHERE verdict = 'quarantined' AND reason = ? AND seq IS NOT NULL ORDER BY id LIMIT ?`,
          )
          .all('awaiting-key', 500) as { detail: string }[]
      )
        .map((p) => p.detail)
        .join(' '),
    ).toContain('USING INDEX messages_awaiting');
    up.close();
  });
});

it('every migration of the list has a test above', () => {
  expect(profileMigrations.map((m) => m.name)).toEqual([
    'settings',
    'contact device pins',
    'audit events',
    'lock state',
    'conversations',
    'messages',
    'message search',
    'outbox, sync cursors and read state',
    'integrity alerts and receipts',
    'conversation keys',
    'chain entries',
    'integrity alerts about hub assertions',
    'device trust',
    'quarantined items are grouped alerts, not unread messages',
    'acknowledgement deadlines and escalation',
    'messages by patient',
    'messages sent to a role',
    'unread counts kept as messages arrive and are read', // tests/unit/messages/unread-counts.test.ts
    'escalation resolution and escalations run elsewhere', // tests/unit/escalation/migration.test.ts
    'escalation step messages are steps, not unread messages', // tests/unit/escalation/step-messages.test.ts
    'newest message of each conversation kept for the list', // tests/unit/messages/unread-counts.test.ts
    'drafts', // tests/unit/drafts/drafts.test.ts
    'escalation steps are not searched', // tests/unit/messages/search.test.ts
    'messages by time for the retention purge, and those waiting to be opened again',
    'staff names kept for offline', // tests/unit/directory/staff-directory.test.ts
  ]);
});
