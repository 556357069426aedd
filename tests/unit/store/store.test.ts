import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import {
  checkMigrations,
  openProfileStore,
  profileMigrations,
  profileStoreKey,
  type Migration,
} from '../../../src/main/core/store';
import { sha256File, tempDir, testKeychain } from './helpers';

const marker = 'PATIENT-MARKER-7f3a9c';

describe('profile store encryption', () => {
  it('writes an encrypted file: no SQLite header and no inserted text on disk, readable again with the key', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const store = openProfileStore({ file, key });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('note', JSON.stringify(marker));
    // While open, the WAL holds the new pages: it must be encrypted too.
    for (const f of [file, `${file}-wal`].filter(existsSync)) {
      expect(readFileSync(f).includes(marker), f).toBe(false);
    }
    store.close();
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(bytes.includes(marker)).toBe(false);
    expect(bytes.includes('settings')).toBe(false);

    const again = openProfileStore({ file, key });
    expect(again.db.prepare("SELECT value FROM settings WHERE key = 'note'").pluck().get()).toBe(
      JSON.stringify(marker),
    );
    again.close();
  });

  it('refuses a wrong key with store_key_wrong and leaves the file unchanged', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const store = openProfileStore({ file, key });
    store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('k', '1');
    store.close();
    const before = sha256File(file);
    expect(() => openProfileStore({ file, key: randomBytes(32) })).toThrow(
      expect.objectContaining({ code: 'store_key_wrong' }),
    );
    expect(sha256File(file)).toBe(before);
    const ok = openProfileStore({ file, key });
    expect(ok.db.prepare("SELECT value FROM settings WHERE key = 'k'").pluck().get()).toBe('1');
    ok.close();
  });

  it('refuses a file that is not a database of ours (plain bytes) with store_key_wrong, untouched', () => {
    const file = join(tempDir(), 'profile.db');
    writeFileSync(file, Buffer.alloc(8192, 7));
    const before = sha256File(file);
    expect(() => openProfileStore({ file, key: randomBytes(32) })).toThrow(
      expect.objectContaining({ code: 'store_key_wrong' }),
    );
    expect(sha256File(file)).toBe(before);
  });

  it('rejects a key that is not 32 bytes', () => {
    const file = join(tempDir(), 'profile.db');
    expect(() => openProfileStore({ file, key: randomBytes(16) })).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
    expect(existsSync(file)).toBe(false);
  });
});

describe('migrations', () => {
  it('brings a new store to the latest version', () => {
    const file = join(tempDir(), 'profile.db');
    const store = openProfileStore({ file, key: randomBytes(32) });
    expect(store.schemaVersion).toBe(profileMigrations.length);
    expect(store.db.pragma('user_version', { simple: true })).toBe(profileMigrations.length);
    store.close();
  });

  it('the app’s list is strictly increasing from 1 with no gaps', () => {
    expect(() => checkMigrations(profileMigrations)).not.toThrow();
    profileMigrations.forEach((m, i) => expect(m.version).toBe(i + 1));
  });

  it('the startup check catches a gap, a repeat, a wrong start or a missing name', () => {
    const step = (version: number, name = `m${version}`): Migration => ({ version, name, up: () => {} });
    for (const bad of [
      [step(1), step(3)],
      [step(1), step(2), step(2)],
      [step(2)],
      [step(1), step(0)],
      [step(1, ' ')],
    ]) {
      expect(() => checkMigrations(bad)).toThrow(expect.objectContaining({ code: 'internal' }));
      const file = join(tempDir(), 'x.db');
      expect(() => openProfileStore({ file, key: randomBytes(32), migrations: bad })).toThrow();
      expect(existsSync(file)).toBe(false);
    }
  });

  it('refuses a database from a newer app version and leaves it byte for byte untouched', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const newer = openProfileStore({
      file,
      key,
      migrations: [
        ...profileMigrations,
        {
          version: profileMigrations.length + 1,
          name: 'future',
          up: (db) => db.exec('CREATE TABLE future (x)'),
        },
      ],
    });
    newer.close();
    const before = sha256File(file);
    expect(() => openProfileStore({ file, key })).toThrow(
      expect.objectContaining({ code: 'store_from_future' }),
    );
    expect(sha256File(file)).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('runs all pending steps in one transaction: a failing step leaves the old version and no partial tables', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const v1 = openProfileStore({ file, key, migrations: profileMigrations.slice(0, 1) });
    v1.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('kept', '"yes"');
    v1.close();
    const failing: Migration[] = [
      ...profileMigrations,
      {
        version: profileMigrations.length + 1,
        name: 'broken',
        up: (db) => db.exec('CREATE TABLE broken (; nope'),
      },
    ];
    expect(() => openProfileStore({ file, key, migrations: failing })).toThrow(
      expect.objectContaining({ code: 'store_migration_failed' }),
    );
    const after = openProfileStore({ file, key, migrations: profileMigrations.slice(0, 1) });
    expect(after.schemaVersion).toBe(1);
    expect(
      after.db.prepare("SELECT name FROM sqlite_master WHERE name = 'contact_device_pins'").get(),
    ).toBeUndefined();
    expect(after.db.prepare("SELECT value FROM settings WHERE key = 'kept'").pluck().get()).toBe('"yes"');
    after.close();
  });
});

describe('store key in the keychain', () => {
  it('is created once (32 random bytes) and then loaded; each profile has its own', async () => {
    const { keychain } = testKeychain();
    const a = await profileStoreKey(keychain, 'profile-a');
    expect(a.byteLength).toBe(32);
    expect(await profileStoreKey(keychain, 'profile-a')).toEqual(a);
    const b = await profileStoreKey(keychain, 'profile-b');
    expect(b).not.toEqual(a);
    expect((await keychain.list()).sort()).toEqual(['profile-a/store-key', 'profile-b/store-key']);
  });

  it('a damaged store key is key_corrupt and is not replaced', async () => {
    const { keychain } = testKeychain();
    await keychain.set('profile-a/store-key', 'garbage');
    await expect(profileStoreKey(keychain, 'profile-a')).rejects.toMatchObject({ code: 'key_corrupt' });
    expect(await keychain.get('profile-a/store-key')).toBe('garbage');
  });
});
