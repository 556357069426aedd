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
];
