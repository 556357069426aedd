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

it('every migration of the list has a test above', () => {
  expect(profileMigrations.map((m) => m.name)).toEqual([
    'settings',
    'contact device pins',
    'audit events',
    'lock state',
  ]);
});
