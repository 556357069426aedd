// A damaged profile database is refused with profile_damaged (what the user and IT can do), never opened as
// a new empty store and never written to; what SQLite can recover (a deleted -shm) just opens.
import { copyFileSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { openProfileStore, type ProfileStore } from '../../../src/main/core/store';
import { sha256File, tempDir } from './helpers';

const notes = 300;

/** A profile store holding `notes` ward notes in its settings table, closed cleanly. */
function wardStore(): { file: string; key: Uint8Array } {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const store = openProfileStore({ file, key });
  fill(store, 0);
  store.close();
  return { file, key };
}

function fill(store: ProfileStore, from: number): void {
  const insert = store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  store.transaction(() => {
    for (let n = from; n < from + notes; n++)
      insert.run(`note-${n}`, JSON.stringify(`Bed ${n % 24}: obs stable, bloods sent ${'x'.repeat(200)}`));
  });
}

const count = (store: ProfileStore): number =>
  store.db.prepare("SELECT count(*) FROM settings WHERE key LIKE 'note-%'").pluck().get() as number;

function flip(file: string, offset: number): void {
  const bytes = readFileSync(file);
  for (let i = 0; i < 16; i++) bytes[offset + i]! ^= 0xa5;
  writeFileSync(file, bytes);
}

function expectDamaged(file: string, key: Uint8Array, existing = true): void {
  const before = sha256File(file);
  let caught: unknown;
  try {
    openProfileStore({ file, key, existing }).close();
  } catch (error) {
    caught = error;
  }
  expect(caught).toMatchObject({
    code: 'profile_damaged',
    message: expect.stringMatching(/another workstation[\s\S]*IT service desk[\s\S]*For IT/),
  });
  expect(sha256File(file), 'the damaged file is left byte for byte as it was').toBe(before);
}

describe('a damaged profile database', () => {
  it('16 bytes flipped in the middle or in the last page: profile_damaged, the file untouched', () => {
    for (const where of ['middle', 'last page'] as const) {
      const { file, key } = wardStore();
      const size = readFileSync(file).length;
      flip(file, where === 'middle' ? Math.floor(size / 2) : size - 100);
      expectDamaged(file, key);
    }
  });

  it('truncated to half: profile_damaged, the file untouched', () => {
    const { file, key } = wardStore();
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    expectDamaged(file, key);
  });

  it('truncated to 0 bytes: profile_damaged, never a new empty store', () => {
    const { file, key } = wardStore();
    truncateSync(file, 0);
    expectDamaged(file, key);
    expect(readFileSync(file).length).toBe(0);
  });

  it('deleted while its key is still in the keychain: profile_damaged, no new file', () => {
    const { file, key } = wardStore();
    rmSync(file);
    expect(() => openProfileStore({ file, key, existing: true })).toThrow(
      expect.objectContaining({ code: 'profile_damaged' }),
    );
    expect(existsSync(file)).toBe(false);
  });

  it('after a crash with a deleted journal (-wal): profile_damaged, since committed notes are gone', () => {
    const { file, key } = wardStore();
    const store = openProfileStore({ file, key });
    fill(store, notes); // in the journal only, not yet checkpointed
    const crashed = join(tempDir(), 'profile.db');
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(`${file}${suffix}`, `${crashed}${suffix}`);
    store.close();
    rmSync(`${crashed}-wal`);
    const shmBefore = sha256File(`${crashed}-shm`);
    expectDamaged(crashed, key);
    expect(sha256File(`${crashed}-shm`)).toBe(shmBefore);
    // And again: refusing does not make the next try open with the notes missing.
    expectDamaged(crashed, key);
  });

  it('after a crash with a deleted index (-shm): SQLite rebuilds it and every note is there', () => {
    const { file, key } = wardStore();
    const store = openProfileStore({ file, key });
    fill(store, notes);
    const crashed = join(tempDir(), 'profile.db');
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(`${file}${suffix}`, `${crashed}${suffix}`);
    store.close();
    rmSync(`${crashed}-shm`);
    const reopened = openProfileStore({ file: crashed, key, existing: true });
    expect(count(reopened)).toBe(2 * notes);
    reopened.close();
  });

  it('a clean store opens with every note (the checks do not refuse a healthy file)', () => {
    const { file, key } = wardStore();
    const reopened = openProfileStore({ file, key, existing: true });
    expect(count(reopened)).toBe(notes);
    reopened.close();
  });
});
