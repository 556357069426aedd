import type { Migration } from './migrate';

/**
 * THE list of schema steps of the profile store, in order. Append new steps at the end (next version number);
 * never edit or reorder a step that has shipped. Each step has its own test in tests/unit/store/.
 */
export const profileMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL                 -- JSON
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'contact device pins',
    up(db) {
      // The first keys seen for (user, device) are pinned; a different key seen later waits in pending_*
      // until the user accepts it. Keys are standard base64 as in the hub directory.
      db.exec(`
        CREATE TABLE contact_device_pins (
          user_id                        TEXT NOT NULL,
          device_id                      TEXT NOT NULL,
          signing_public_key             TEXT NOT NULL,
          encryption_public_key          TEXT NOT NULL,
          first_seen_at                  TEXT NOT NULL,
          pinned_at                      TEXT NOT NULL,
          pending_signing_public_key     TEXT,
          pending_encryption_public_key  TEXT,
          pending_seen_at                TEXT,
          revoked_at                     TEXT,
          PRIMARY KEY (user_id, device_id),
          CHECK ((pending_signing_public_key IS NULL) = (pending_encryption_public_key IS NULL))
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    name: 'audit events',
    up(db) {
      // A hash chain: each row's hash covers the previous row's hash and this row; the head row remembers
      // the last (seq, hash) so that removing rows from the end is detected too.
      db.exec(`
        CREATE TABLE audit_events (
          seq        INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
          kind       TEXT NOT NULL,
          at         TEXT NOT NULL,
          details    TEXT NOT NULL,           -- canonical JSON, no PHI
          prev_hash  BLOB NOT NULL,
          hash       BLOB NOT NULL
        ) STRICT;
        CREATE TABLE audit_chain_head (
          id    INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
          seq   INTEGER NOT NULL,
          hash  BLOB NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 4,
    name: 'lock state',
    up(db) {
      // One row. pin_hash is an Argon2id string (crypto_pwhash_str), never the PIN.
      db.exec(`
        CREATE TABLE lock_state (
          id               INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
          pin_hash         TEXT,
          pin_set_at       TEXT,
          failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
          locked_out_at    TEXT
        ) STRICT;
        INSERT INTO lock_state (id) VALUES (1);
      `);
    },
  },
  {
    version: 5,
    name: 'conversations',
    up(db) {
      // One row per conversation the hub told us about (members: JSON array of user ids).
      db.exec(`
        CREATE TABLE conversations (
          conversation_id  TEXT PRIMARY KEY NOT NULL,
          kind             TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
          members          TEXT NOT NULL,       -- JSON array of user ids
          created_at       TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 6,
    name: 'messages',
    up(db) {
      // Every envelope received or sent, with its verdict. Quarantined rows keep the envelope and the reason
      // but no payload. seq is NULL while an own message waits in the outbox. No foreign key to
      // conversations: a message is never refused because its conversation is not known yet. The raw
      // envelope is the LAST column so that reading a page never touches its overflow pages.
      // purged_links keeps, for the newest messages removed by retention, only (seq, hash): a later message
      // naming them in `prev` is not taken for a missing predecessor.
      db.exec(`
        CREATE TABLE messages (
          id                INTEGER PRIMARY KEY,
          conversation_id   TEXT NOT NULL,
          seq               INTEGER CHECK (seq IS NULL OR seq >= 1),
          envelope_id       TEXT NOT NULL UNIQUE,
          sender_user_id    TEXT NOT NULL,
          sender_device_id  TEXT NOT NULL,
          server_time       TEXT,
          client_time       TEXT NOT NULL,
          hash              BLOB NOT NULL CHECK (length(hash) = 32),
          prev              TEXT NOT NULL,      -- JSON array of hex hashes
          own               INTEGER NOT NULL CHECK (own IN (0, 1)),
          verdict           TEXT NOT NULL CHECK (verdict IN ('valid', 'quarantined')),
          reason            TEXT,
          kind              TEXT CHECK (kind IN ('text', 'document')),
          text              TEXT,
          urgent            INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
          ack_required      INTEGER NOT NULL DEFAULT 0 CHECK (ack_required IN (0, 1)),
          patient_mrn       TEXT,
          patient_name      TEXT,
          document          TEXT,               -- JSON, document messages only
          envelope          BLOB NOT NULL,
          UNIQUE (conversation_id, seq),
          CHECK (verdict = 'valid' OR (reason IS NOT NULL AND kind IS NULL AND text IS NULL
                                       AND patient_mrn IS NULL AND patient_name IS NULL AND document IS NULL)),
          CHECK (verdict = 'quarantined' OR (reason IS NULL AND kind IS NOT NULL AND text IS NOT NULL)),
          CHECK ((patient_mrn IS NULL) = (patient_name IS NULL)),
          CHECK ((kind = 'document') = (document IS NOT NULL))
        ) STRICT;
        CREATE INDEX messages_by_hash ON messages (hash);
        -- unread counts read this index only (no row lookups): messages from others by seq, with urgency
        CREATE INDEX messages_unread ON messages (conversation_id, seq, urgent) WHERE own = 0;
        CREATE TABLE purged_links (
          conversation_id  TEXT NOT NULL,
          seq              INTEGER NOT NULL,
          envelope_id      TEXT NOT NULL,
          hash             BLOB NOT NULL CHECK (length(hash) = 32),
          PRIMARY KEY (conversation_id, seq)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 7,
    name: 'message search',
    up(db) {
      // FTS5 over valid messages only (external content: the text lives once, in messages; the index is in
      // the same encrypted file). Kept in sync by triggers; quarantined rows never enter it.
      db.exec(`
        CREATE VIRTUAL TABLE messages_fts USING fts5(
          text, patient_name, patient_mrn,
          content = 'messages', content_rowid = 'id',
          tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.verdict = 'valid' BEGIN
          INSERT INTO messages_fts (rowid, text, patient_name, patient_mrn)
          VALUES (new.id, new.text, new.patient_name, new.patient_mrn);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.verdict = 'valid' BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, text, patient_name, patient_mrn)
          VALUES ('delete', old.id, old.text, old.patient_name, old.patient_mrn);
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF verdict, text, patient_name, patient_mrn ON messages
        BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, text, patient_name, patient_mrn)
          SELECT 'delete', old.id, old.text, old.patient_name, old.patient_mrn WHERE old.verdict = 'valid';
          INSERT INTO messages_fts (rowid, text, patient_name, patient_mrn)
          SELECT new.id, new.text, new.patient_name, new.patient_mrn WHERE new.verdict = 'valid';
        END;
      `);
    },
  },
  {
    version: 8,
    name: 'outbox, sync cursors and read state',
    up(db) {
      // The outbox names own messages (in messages, seq NULL) not yet accepted by the hub (or refused for
      // good: failure says why, and the message stays visible as not sent). Cursors: the
      // highest hub seq received per conversation. Read state: the highest seq the user has read.
      db.exec(`
        CREATE TABLE outbox (
          envelope_id      TEXT PRIMARY KEY NOT NULL,
          conversation_id  TEXT NOT NULL,
          attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
          queued_at        TEXT NOT NULL,
          failure          TEXT                -- set when the hub refused it for good: no more retries
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE sync_cursors (
          conversation_id  TEXT PRIMARY KEY NOT NULL,
          after_seq        INTEGER NOT NULL CHECK (after_seq >= 0)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE read_state (
          conversation_id  TEXT PRIMARY KEY NOT NULL,
          last_read_seq    INTEGER NOT NULL CHECK (last_read_seq >= 0)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 9,
    name: 'integrity alerts and receipts',
    up(db) {
      // Alerts are never purged. evidence holds the wire bytes the hub sent when they contradict what is
      // stored (an altered message), so the verification report can show both. The same alert raised twice
      // is kept once. Receipts go with their message (trigger) when retention removes it.
      db.exec(`
        CREATE TABLE integrity_alerts (
          id               INTEGER PRIMARY KEY,
          conversation_id  TEXT NOT NULL,
          kind             TEXT NOT NULL CHECK (kind IN ('gap', 'missing-predecessor', 'altered', 'reordered')),
          from_seq         INTEGER NOT NULL,
          to_seq           INTEGER NOT NULL CHECK (to_seq >= from_seq),
          details          TEXT NOT NULL,      -- JSON, no PHI: seqs, envelope ids, hashes
          evidence         BLOB,
          raised_at        TEXT NOT NULL,
          UNIQUE (conversation_id, kind, from_seq, to_seq, details)
        ) STRICT;
        CREATE TABLE receipts (
          conversation_id  TEXT NOT NULL,
          seq              INTEGER NOT NULL,
          user_id          TEXT NOT NULL,
          device_id        TEXT NOT NULL,
          kind             TEXT NOT NULL CHECK (kind IN ('delivered', 'read', 'acknowledged')),
          at               TEXT NOT NULL,
          PRIMARY KEY (conversation_id, seq, user_id, device_id, kind)
        ) STRICT, WITHOUT ROWID;
        CREATE TRIGGER messages_receipts_delete AFTER DELETE ON messages WHEN old.seq IS NOT NULL BEGIN
          DELETE FROM receipts WHERE conversation_id = old.conversation_id AND seq = old.seq;
        END;
      `);
    },
  },
  {
    version: 10,
    name: 'conversation keys',
    up(db) {
      // The keys of format 2 envelopes (docs/key-design.md), opened from verified grants. coverage is the
      // sorted "userId:epoch" list the grant sealed to, so a sender finds a key that covers the current
      // members without re-reading grants. user_epoch: this user's epoch the key was sealed to; the keys of an
      // epoch are deleted with its private part (forward secrecy). pending_grant: the signed grant of a key made
      // while the hub was out of reach, published before the first message under it.
      db.exec(`
        CREATE TABLE conversation_keys (
          conversation_id  TEXT NOT NULL,
          key_id           TEXT NOT NULL CHECK (length(key_id) = 32),
          key              BLOB NOT NULL CHECK (length(key) = 32),
          coverage         TEXT NOT NULL,
          user_epoch       INTEGER NOT NULL CHECK (user_epoch >= 1),
          created_at       TEXT NOT NULL,
          pending_grant    TEXT,
          PRIMARY KEY (conversation_id, key_id)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 11,
    name: 'chain entries',
    up(db) {
      // Verified envelopes that are state, not messages (docs/envelope-format.md): control entries (members,
      // name, retention) and signed acknowledgements. Same seq and hash chain as messages; never purged by
      // retention (membership is derived from them). body: the verified payload, JSON.
      db.exec(`
        CREATE TABLE chain_entries (
          conversation_id   TEXT NOT NULL,
          seq               INTEGER NOT NULL CHECK (seq >= 1),
          envelope_id       TEXT NOT NULL UNIQUE,
          sender_user_id    TEXT NOT NULL,
          sender_device_id  TEXT NOT NULL,
          server_time       TEXT NOT NULL,
          client_time       TEXT NOT NULL,
          hash              BLOB NOT NULL CHECK (length(hash) = 32),
          prev              TEXT NOT NULL,
          kind              TEXT NOT NULL CHECK (kind IN ('control', 'ack')),
          body              TEXT NOT NULL,
          envelope          BLOB NOT NULL,
          PRIMARY KEY (conversation_id, seq)
        ) STRICT;
        CREATE INDEX chain_entries_by_hash ON chain_entries (hash);
        CREATE INDEX chain_entries_by_kind ON chain_entries (conversation_id, kind, seq);
      `);
    },
  },
  {
    version: 12,
    name: 'integrity alerts about hub assertions',
    up(db) {
      // Two more alert kinds (docs/threat-model.md): an acknowledgement the hub asserts without a signed entry,
      // a member the hub lists whom no verified control entry added. SQLite cannot alter a CHECK: the table
      // (small: alerts are rare) is copied into a new one.
      db.exec(`
        CREATE TABLE integrity_alerts_new (
          id               INTEGER PRIMARY KEY,
          conversation_id  TEXT NOT NULL,
          kind             TEXT NOT NULL CHECK (kind IN ('gap', 'missing-predecessor', 'altered', 'reordered',
                                                         'unsigned-ack', 'unconfirmed-member')),
          from_seq         INTEGER NOT NULL,
          to_seq           INTEGER NOT NULL CHECK (to_seq >= from_seq),
          details          TEXT NOT NULL,
          evidence         BLOB,
          raised_at        TEXT NOT NULL,
          UNIQUE (conversation_id, kind, from_seq, to_seq, details)
        ) STRICT;
        INSERT INTO integrity_alerts_new SELECT * FROM integrity_alerts;
        DROP TABLE integrity_alerts;
        ALTER TABLE integrity_alerts_new RENAME TO integrity_alerts;
      `);
    },
  },
  {
    version: 13,
    name: 'device trust',
    up(db) {
      // No silent devices (docs/key-design.md, "New devices"). Each pin also keeps what the device signed about
      // itself (its name, null for a version 1 entry, and its enrolment time), whether it was first seen as a new
      // device of a colleague already known here (noticed = 1: a notice is shown), when it was accepted for use
      // (null: under newDeviceTrust "verify", not yet), and when this profile first learned of its revocation.
      // trust_baselines: the users whose device list this profile has read at least once; a device that appears
      // after that is new. Pins and revocations from before are kept as they were: accepted, known.
      db.exec(`
        ALTER TABLE contact_device_pins ADD COLUMN device_name TEXT;
        ALTER TABLE contact_device_pins ADD COLUMN enrolled_at TEXT;
        ALTER TABLE contact_device_pins ADD COLUMN noticed INTEGER NOT NULL DEFAULT 0 CHECK (noticed IN (0, 1));
        ALTER TABLE contact_device_pins ADD COLUMN accepted_at TEXT;
        ALTER TABLE contact_device_pins ADD COLUMN revocation_seen_at TEXT;
        UPDATE contact_device_pins SET accepted_at = pinned_at, revocation_seen_at = revoked_at;
        CREATE TABLE trust_baselines (
          user_id    TEXT PRIMARY KEY NOT NULL,
          listed_at  TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        INSERT INTO trust_baselines (user_id, listed_at)
          SELECT user_id, MIN(first_seen_at) FROM contact_device_pins GROUP BY user_id;
      `);
    },
  },
  {
    version: 14,
    name: 'quarantined items are grouped alerts, not unread messages',
    up(db) {
      // An envelope that failed verification is not a message anyone can read: it is an alert, one per
      // conversation and burst (details.count says how many; message-store.ts folds each new one in). The kind
      // is added the way version 12 added its two. Items already stored become one alert per conversation.
      // Unread counts read a new covering index that leaves such rows out (verdict and reason are columns of it
      // only so that the count never reads a row); the waits (awaiting-key, device-not-accepted) stay in: they
      // are real messages that open later.
      db.exec(`
        CREATE TABLE integrity_alerts_new (
          id               INTEGER PRIMARY KEY,
          conversation_id  TEXT NOT NULL,
          kind             TEXT NOT NULL CHECK (kind IN ('gap', 'missing-predecessor', 'altered', 'reordered',
                                                         'unsigned-ack', 'unconfirmed-member', 'quarantined')),
          from_seq         INTEGER NOT NULL,
          to_seq           INTEGER NOT NULL CHECK (to_seq >= from_seq),
          details          TEXT NOT NULL,
          evidence         BLOB,
          raised_at        TEXT NOT NULL,
          UNIQUE (conversation_id, kind, from_seq, to_seq, details)
        ) STRICT;
        INSERT INTO integrity_alerts_new SELECT * FROM integrity_alerts;
        DROP TABLE integrity_alerts;
        ALTER TABLE integrity_alerts_new RENAME TO integrity_alerts;
        INSERT INTO integrity_alerts (conversation_id, kind, from_seq, to_seq, details, evidence, raised_at)
          SELECT conversation_id, 'quarantined', min(seq), max(seq),
            json_object('count', count(*), 'lastAt', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), NULL,
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
          FROM messages
          WHERE verdict = 'quarantined' AND reason NOT IN ('awaiting-key', 'device-not-accepted')
            AND seq IS NOT NULL
          GROUP BY conversation_id;
        DROP INDEX messages_unread;
        CREATE INDEX messages_unread ON messages (conversation_id, seq, urgent, verdict, reason)
          WHERE own = 0 AND (verdict = 'valid' OR reason IN ('awaiting-key', 'device-not-accepted'));
      `);
    },
  },
  {
    version: 15,
    name: 'acknowledgement deadlines and escalation',
    up(db) {
      // docs/escalation.md. escalations: one row per own message with a deadline; `state` is the pure machine's
      // JSON (escalation/machine.ts), rewritten after every transition so a restart resumes where it stopped.
      // escalation_inbox: messages asking this user for acknowledgement, with the deadline from their signed
      // payload. escalation_timeline: the local items shown in a conversation's timeline (never sent).
      db.exec(`
        CREATE TABLE escalations (
          envelope_id      TEXT PRIMARY KEY NOT NULL,
          conversation_id  TEXT NOT NULL,
          deadline_at      INTEGER NOT NULL,
          text             TEXT NOT NULL,
          state            TEXT NOT NULL,
          escalated_to     TEXT,
          escalated_envelope_id TEXT,
          reminder_envelope_id  TEXT,
          open             INTEGER NOT NULL CHECK (open IN (0, 1))
        ) STRICT;
        CREATE INDEX escalations_open ON escalations (open, deadline_at);
        CREATE TABLE escalation_inbox (
          conversation_id  TEXT NOT NULL,
          seq              INTEGER NOT NULL CHECK (seq >= 1),
          deadline_at      INTEGER,
          target           TEXT,
          escalated_from   TEXT,
          PRIMARY KEY (conversation_id, seq)
        ) STRICT;
        CREATE TABLE escalation_timeline (
          id               INTEGER PRIMARY KEY,
          conversation_id  TEXT NOT NULL,
          envelope_id      TEXT,
          seq              INTEGER,
          kind             TEXT NOT NULL,
          at               INTEGER NOT NULL,
          user_id          TEXT
        ) STRICT;
        CREATE INDEX escalation_timeline_by_conversation ON escalation_timeline (conversation_id, at);
      `);
    },
  },
  {
    version: 16,
    name: 'messages by patient',
    up(db) {
      // The patient view (messages.byPatient) lists one MRN's messages newest first, a page at a time.
      db.exec(`
        CREATE INDEX messages_by_patient ON messages (patient_mrn, id) WHERE patient_mrn IS NOT NULL;
      `);
    },
  },
  {
    version: 17,
    name: 'messages sent to a role',
    up(db) {
      // docs/roster.md: the role and the holders a message was sent to (the signed payload's `toRole`, JSON),
      // so the timeline shows "To: Cardiology on call (Dr Asha Rao)". NULL for every other message.
      db.exec('ALTER TABLE messages ADD COLUMN to_role TEXT;');
    },
  },
  {
    version: 18,
    name: 'unread counts kept as messages arrive and are read',
    up(db) {
      // The conversation list reads each conversation's unread and urgent-unread counts from this table instead
      // of counting messages on every call. Triggers keep it exact in the same transaction as every write to
      // messages (insert, reopen, purge) and to read_state; a read mark costs one range of the messages_unread
      // index (the messages it covers). Counted, word for word as migration 14's index: messages from others
      // that a user can read (valid, or a wait that opens later), above the read mark. Failures (junk) never
      // count. Existing profiles get their counts computed here, once.
      const counted = (row: 'new' | 'old') =>
        `${row}.own = 0 AND (${row}.verdict = 'valid' OR ${row}.reason IN ('awaiting-key', 'device-not-accepted'))
         AND ${row}.seq > coalesce((SELECT last_read_seq FROM read_state WHERE conversation_id = ${row}.conversation_id), 0)`;
      // A read mark moved from `from` to `to` in `row`'s conversation: the messages in between leave the counts
      // (or rejoin them when a mark goes back). One range of the messages_unread index.
      const between = (row: 'new' | 'old', from: string, to: string) => `
          SELECT count(*) AS n, coalesce(sum(urgent), 0) AS u FROM messages
          WHERE conversation_id = ${row}.conversation_id AND own = 0
            AND (verdict = 'valid' OR reason IN ('awaiting-key', 'device-not-accepted'))
            AND seq > ${from} AND seq <= ${to}`;
      const readLeave = (row: 'new' | 'old', from: string, to: string) => `
          UPDATE conversation_counts SET (unread, urgent) = (SELECT unread - n, urgent - u FROM (${between(row, from, to)}))
          WHERE conversation_id = ${row}.conversation_id;`;
      const readRejoin = (row: 'new' | 'old', from: string, to: string) => `
          INSERT INTO conversation_counts (conversation_id, unread, urgent)
          SELECT ${row}.conversation_id, n, u FROM (${between(row, from, to)}) WHERE n > 0
          ON CONFLICT (conversation_id) DO UPDATE SET unread = unread + excluded.unread, urgent = urgent + excluded.urgent;`;
      const add = (row: 'new' | 'old') => `
          INSERT INTO conversation_counts (conversation_id, unread, urgent)
          SELECT ${row}.conversation_id, 1, ${row}.urgent WHERE ${counted(row)}
          ON CONFLICT (conversation_id) DO UPDATE SET unread = unread + 1, urgent = urgent + excluded.urgent;`;
      const remove = (row: 'new' | 'old') => `
          UPDATE conversation_counts SET unread = unread - 1, urgent = urgent - ${row}.urgent
          WHERE conversation_id = ${row}.conversation_id AND ${counted(row)};`;
      db.exec(`
        CREATE TABLE conversation_counts (
          conversation_id  TEXT PRIMARY KEY NOT NULL,
          unread           INTEGER NOT NULL CHECK (unread >= 0),
          urgent           INTEGER NOT NULL CHECK (urgent >= 0 AND urgent <= unread)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO conversation_counts (conversation_id, unread, urgent)
          SELECT m.conversation_id, count(*), sum(m.urgent) FROM messages m
          WHERE m.own = 0 AND (m.verdict = 'valid' OR m.reason IN ('awaiting-key', 'device-not-accepted'))
            AND m.seq > coalesce((SELECT last_read_seq FROM read_state r WHERE r.conversation_id = m.conversation_id), 0)
          GROUP BY m.conversation_id;
        CREATE TRIGGER conversation_counts_insert AFTER INSERT ON messages BEGIN ${add('new')} END;
        CREATE TRIGGER conversation_counts_delete AFTER DELETE ON messages BEGIN ${remove('old')} END;
        CREATE TRIGGER conversation_counts_update
          AFTER UPDATE OF conversation_id, seq, own, verdict, reason, urgent ON messages
        BEGIN ${remove('old')} ${add('new')} END;
        CREATE TRIGGER conversation_counts_read_insert AFTER INSERT ON read_state
        BEGIN ${readLeave('new', '0', 'new.last_read_seq')} END;
        CREATE TRIGGER conversation_counts_read_update AFTER UPDATE OF last_read_seq ON read_state
        BEGIN
          ${readLeave('new', 'old.last_read_seq', 'new.last_read_seq')}
          ${readRejoin('new', 'new.last_read_seq', 'old.last_read_seq')}
        END;
        CREATE TRIGGER conversation_counts_read_delete AFTER DELETE ON read_state
        BEGIN ${readRejoin('old', '0', 'old.last_read_seq')} END;
      `);
    },
  },
  {
    version: 19,
    name: 'escalation resolution and escalations run elsewhere',
    up(db) {
      // docs/escalation.md. resolution_envelope_id: the `resolved` message telling where the message still
      // waited that it was acknowledged, chosen before sending (sent once, also after a crash). elsewhere: an
      // own message with a deadline sent from another workstation of this user, shown but never run here.
      // role_id: the role a step escalated to, so the timeline names it.
      db.exec(`
        ALTER TABLE escalations ADD COLUMN resolution_envelope_id TEXT;
        ALTER TABLE escalations ADD COLUMN elsewhere INTEGER NOT NULL DEFAULT 0 CHECK (elsewhere IN (0, 1));
        ALTER TABLE escalation_timeline ADD COLUMN role_id TEXT;
      `);
    },
  },
  {
    version: 20,
    name: 'escalation step messages are steps, not unread messages',
    up(db) {
      // docs/escalation.md: a `reminder` or `resolved` message is shown as the step row it stands for, so it is
      // not counted unread and not the conversation list's preview. escalation_step: that signed step, NULL for
      // every other message (messages stored before this step stay NULL). The unread triggers and index of
      // migration 18 are rebuilt word for word with `escalation_step IS NULL` added to what is counted; the index
      // carries the column, so a count still reads the index only (a partial index on it would not cover).
      const countable = (row: string) =>
        `${row}own = 0 AND ${row}escalation_step IS NULL
         AND (${row}verdict = 'valid' OR ${row}reason IN ('awaiting-key', 'device-not-accepted'))`;
      const counted = (row: 'new' | 'old') =>
        `${countable(`${row}.`)}
         AND ${row}.seq > coalesce((SELECT last_read_seq FROM read_state WHERE conversation_id = ${row}.conversation_id), 0)`;
      const between = (row: 'new' | 'old', from: string, to: string) => `
          SELECT count(*) AS n, coalesce(sum(urgent), 0) AS u FROM messages
          WHERE conversation_id = ${row}.conversation_id AND ${countable('')}
            AND seq > ${from} AND seq <= ${to}`;
      const readLeave = (row: 'new' | 'old', from: string, to: string) => `
          UPDATE conversation_counts SET (unread, urgent) = (SELECT unread - n, urgent - u FROM (${between(row, from, to)}))
          WHERE conversation_id = ${row}.conversation_id;`;
      const readRejoin = (row: 'new' | 'old', from: string, to: string) => `
          INSERT INTO conversation_counts (conversation_id, unread, urgent)
          SELECT ${row}.conversation_id, n, u FROM (${between(row, from, to)}) WHERE n > 0
          ON CONFLICT (conversation_id) DO UPDATE SET unread = unread + excluded.unread, urgent = urgent + excluded.urgent;`;
      const add = (row: 'new' | 'old') => `
          INSERT INTO conversation_counts (conversation_id, unread, urgent)
          SELECT ${row}.conversation_id, 1, ${row}.urgent WHERE ${counted(row)}
          ON CONFLICT (conversation_id) DO UPDATE SET unread = unread + 1, urgent = urgent + excluded.urgent;`;
      const remove = (row: 'new' | 'old') => `
          UPDATE conversation_counts SET unread = unread - 1, urgent = urgent - ${row}.urgent
          WHERE conversation_id = ${row}.conversation_id AND ${counted(row)};`;
      db.exec(`
        ALTER TABLE messages ADD COLUMN escalation_step TEXT CHECK (escalation_step IN ('reminder', 'resolved'));
        DROP INDEX messages_unread;
        CREATE INDEX messages_unread ON messages (conversation_id, seq, urgent, verdict, reason, escalation_step)
          WHERE own = 0 AND (verdict = 'valid' OR reason IN ('awaiting-key', 'device-not-accepted'));
        DROP TRIGGER conversation_counts_insert;
        DROP TRIGGER conversation_counts_delete;
        DROP TRIGGER conversation_counts_update;
        DROP TRIGGER conversation_counts_read_insert;
        DROP TRIGGER conversation_counts_read_update;
        DROP TRIGGER conversation_counts_read_delete;
        CREATE TRIGGER conversation_counts_insert AFTER INSERT ON messages BEGIN ${add('new')} END;
        CREATE TRIGGER conversation_counts_delete AFTER DELETE ON messages BEGIN ${remove('old')} END;
        CREATE TRIGGER conversation_counts_update
          AFTER UPDATE OF conversation_id, seq, own, verdict, reason, urgent, escalation_step ON messages
        BEGIN ${remove('old')} ${add('new')} END;
        CREATE TRIGGER conversation_counts_read_insert AFTER INSERT ON read_state
        BEGIN ${readLeave('new', '0', 'new.last_read_seq')} END;
        CREATE TRIGGER conversation_counts_read_update AFTER UPDATE OF last_read_seq ON read_state
        BEGIN
          ${readLeave('new', 'old.last_read_seq', 'new.last_read_seq')}
          ${readRejoin('new', 'new.last_read_seq', 'old.last_read_seq')}
        END;
        CREATE TRIGGER conversation_counts_read_delete AFTER DELETE ON read_state
        BEGIN ${readRejoin('old', '0', 'old.last_read_seq')} END;
      `);
    },
  },
  {
    version: 21,
    name: 'newest message of each conversation kept for the list',
    up(db) {
      // The conversation list reads what it shows of each conversation's newest message from this table instead
      // of looking it up in messages on every call (issue 17). The newest message is the newest pending own one,
      // else the one with the highest seq; never an escalation step (migration 20). Junk stays a candidate: the
      // list shows it as "Could not verify", without text. max_seq: the highest seq of any stored message. The
      // preview is the first 140 characters of the text (PREVIEW_CHARS in message-store.ts); it leaves with its
      // message (a purge or a reopen finds the next newest). Kept in the same transaction as every write to
      // messages: an insert is compared with the kept row; a delete of the kept message (or of the highest
      // seq) and any update of what the list shows recompute the conversation's row, as does this step, once.
      const shown =
        'message_id, seq, verdict, reason, kind, preview, sender_user_id, server_time, client_time, urgent, patient_mrn, patient_name';
      const shownOf = (m: string) =>
        `${m}.id, ${m}.seq, ${m}.verdict, ${m}.reason, ${m}.kind, substr(${m}.text, 1, 140), ${m}.sender_user_id,
         ${m}.server_time, ${m}.client_time, ${m}.urgent, ${m}.patient_mrn, ${m}.patient_name`;
      const recompute = (conv: string, from: string, where = 'true') => `
          REPLACE INTO conversation_newest (conversation_id, max_seq, ${shown})
          SELECT ${conv}, coalesce((SELECT max(seq) FROM messages WHERE conversation_id = ${conv}), 0), ${shownOf('m')}
          FROM ${from} LEFT JOIN messages m ON m.id = coalesce(
            (SELECT id FROM messages WHERE conversation_id = ${conv} AND seq IS NULL
              AND escalation_step IS NULL ORDER BY id DESC LIMIT 1),
            (SELECT id FROM messages WHERE conversation_id = ${conv} AND seq IS NOT NULL
              AND escalation_step IS NULL ORDER BY seq DESC LIMIT 1))
          WHERE ${where};`;
      db.exec(`
        CREATE TABLE conversation_newest (
          conversation_id  TEXT PRIMARY KEY NOT NULL,
          max_seq          INTEGER NOT NULL CHECK (max_seq >= 0),
          message_id       INTEGER,             -- NULL: no message to show (none, or only escalation steps)
          seq              INTEGER,             -- NULL: a pending own message
          verdict          TEXT,
          reason           TEXT,
          kind             TEXT,
          preview          TEXT,
          sender_user_id   TEXT,
          server_time      TEXT,
          client_time      TEXT,
          urgent           INTEGER,
          patient_mrn      TEXT,
          patient_name     TEXT
        ) STRICT, WITHOUT ROWID;
        ${recompute('x.conversation_id', '(SELECT DISTINCT conversation_id FROM messages) x')}
        CREATE TRIGGER conversation_newest_insert AFTER INSERT ON messages BEGIN
          INSERT INTO conversation_newest (conversation_id, max_seq) VALUES (new.conversation_id, coalesce(new.seq, 0))
          ON CONFLICT (conversation_id) DO UPDATE SET max_seq = max(max_seq, excluded.max_seq);
          -- a new row has the highest id: a pending one is the newest; one with a seq is, unless one is pending
          UPDATE conversation_newest SET (${shown}) = (SELECT ${shownOf('new')})
          WHERE conversation_id = new.conversation_id AND new.escalation_step IS NULL
            AND (new.seq IS NULL OR message_id IS NULL OR seq < new.seq);
        END;
        CREATE TRIGGER conversation_newest_delete AFTER DELETE ON messages
        WHEN EXISTS (SELECT 1 FROM conversation_newest WHERE conversation_id = old.conversation_id
                       AND (message_id = old.id OR max_seq = old.seq))
        BEGIN ${recompute('old.conversation_id', '(SELECT 1)')} END;
        CREATE TRIGGER conversation_newest_update
          AFTER UPDATE OF conversation_id, seq, sender_user_id, server_time, client_time, verdict, reason, kind, text,
            urgent, patient_mrn, patient_name, escalation_step ON messages
        BEGIN
          ${recompute('new.conversation_id', '(SELECT 1)')}
          ${recompute('old.conversation_id', '(SELECT 1)', 'old.conversation_id <> new.conversation_id')}
        END;
      `);
    },
  },
  {
    version: 22,
    name: 'drafts',
    up(db) {
      // The composer's unsent text per conversation (src/main/core/drafts), in this encrypted file only: never
      // sent, never logged. An empty draft is no row. The 20,000 UTF-16 units of DRAFT_MAX_CHARS are checked in
      // code; the table bounds the UTF-8 bytes (3 per unit at most), as SQLite's length() stops at a NUL.
      db.exec(`
        CREATE TABLE drafts (
          conversation_id  TEXT PRIMARY KEY NOT NULL
                           REFERENCES conversations (conversation_id) ON DELETE CASCADE,
          text             TEXT NOT NULL CHECK (text <> '' AND length(CAST(text AS BLOB)) <= 60000),
          saved_at         TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 23,
    name: 'escalation steps are not searched',
    up(db) {
      // A `reminder` or `resolved` message (migration 20) is a step row of the timeline, not a message, so search
      // does not find its text. The triggers of migration 7 are rebuilt with `escalation_step IS NULL` added to
      // what is indexed; a step is marked after its message is stored, so the update trigger follows the column.
      // Steps indexed before this step leave the index.
      const indexed = (row: 'new' | 'old') => `${row}.verdict = 'valid' AND ${row}.escalation_step IS NULL`;
      db.exec(`
        INSERT INTO messages_fts (messages_fts, rowid, text, patient_name, patient_mrn)
        SELECT 'delete', id, text, patient_name, patient_mrn FROM messages
        WHERE verdict = 'valid' AND escalation_step IS NOT NULL;
        DROP TRIGGER messages_fts_insert;
        DROP TRIGGER messages_fts_delete;
        DROP TRIGGER messages_fts_update;
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN ${indexed('new')} BEGIN
          INSERT INTO messages_fts (rowid, text, patient_name, patient_mrn)
          VALUES (new.id, new.text, new.patient_name, new.patient_mrn);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN ${indexed('old')} BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, text, patient_name, patient_mrn)
          VALUES ('delete', old.id, old.text, old.patient_name, old.patient_mrn);
        END;
        CREATE TRIGGER messages_fts_update
          AFTER UPDATE OF verdict, text, patient_name, patient_mrn, escalation_step ON messages
        BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, text, patient_name, patient_mrn)
          SELECT 'delete', old.id, old.text, old.patient_name, old.patient_mrn WHERE ${indexed('old')};
          INSERT INTO messages_fts (rowid, text, patient_name, patient_mrn)
          SELECT new.id, new.text, new.patient_name, new.patient_mrn WHERE ${indexed('new')};
        END;
      `);
    },
  },
  {
    version: 24,
    name: 'messages by time for the retention purge, and those waiting to be opened again',
    up(db) {
      // The purge runs as the profile opens (before the lock screen) and daily; without this index its two
      // statements (purged_links, then the DELETE) each read the whole messages table even when nothing is old
      // enough. The expression and the partial WHERE are the purge's own, so only its statements use it.
      // Every connect looks for envelopes waiting for a key (awaitingKey): a scan of the table without the
      // second, which holds only quarantined rows.
      db.exec(`
        CREATE INDEX messages_by_time ON messages (coalesce(server_time, client_time)) WHERE seq IS NOT NULL;
        CREATE INDEX messages_awaiting ON messages (reason, id) WHERE verdict = 'quarantined' AND seq IS NOT NULL;
      `);
    },
  },
  {
    version: 25,
    name: 'staff names kept for offline',
    up(db) {
      // The directory entries (public staff fields) of the people this profile has met: the names in the
      // conversation list, notifications and role holders, right after a restart and while the hub is away
      // (directory/staff-directory.ts). Replaced entry by entry whenever the hub answers.
      db.exec(`
        CREATE TABLE directory_users (
          id            TEXT PRIMARY KEY,
          username      TEXT NOT NULL,
          display_name  TEXT NOT NULL,
          roles         TEXT NOT NULL,   -- JSON array of strings
          department    TEXT NOT NULL,
          updated_at    TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
];
