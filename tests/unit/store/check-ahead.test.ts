// The database check run ahead of a sign-in on a worker thread (store/check-ahead.ts) gives the same verdicts,
// as the same typed errors, as the check openProfileStore runs itself; a worker that cannot start is not a
// verdict: the check then runs on the calling thread.
import { existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import {
  checkStoreAhead,
  latestVersion,
  openProfileStore,
  profileMigrations,
} from '../../../src/main/core/store';
import { ProfileDamagedError } from '../../../src/main/core/store/open';
import { sha256File, tempDir } from './helpers';

const latest = latestVersion(profileMigrations);

function wardStore(): { file: string; key: Uint8Array } {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const store = openProfileStore({ file, key });
  const insert = store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  store.transaction(() => {
    for (let n = 0; n < 300; n++)
      insert.run(`note-${n}`, JSON.stringify(`Bed ${n % 24}: ${'x'.repeat(200)}`));
  });
  store.close();
  return { file, key };
}

async function verdict(check: Promise<void>): Promise<unknown> {
  try {
    await check;
    return 'ok';
  } catch (error) {
    return error;
  }
}

describe('checking a profile database ahead, on a worker thread', () => {
  it('a sound file passes, and the store then opens without checking it again', async () => {
    const { file, key } = wardStore();
    const before = sha256File(file);
    expect(await verdict(checkStoreAhead(file, key, latest))).toBe('ok');
    // A sign-in refused after the check finds the profile's files as they were: no journal, no index left.
    expect([existsSync(`${file}-wal`), existsSync(`${file}-shm`), sha256File(file)]).toEqual([
      false,
      false,
      before,
    ]);
    const store = openProfileStore({ file, key, existing: true, checked: true });
    expect(store.db.prepare("SELECT count(*) FROM settings WHERE key LIKE 'note-%'").pluck().get()).toBe(300);
    store.close();
  });

  it('bytes flipped in the middle: profile_damaged (database-damaged), the file untouched', async () => {
    const { file, key } = wardStore();
    const bytes = readFileSync(file);
    for (let i = 0; i < 16; i++) bytes[Math.floor(bytes.length / 2) + i]! ^= 0xa5;
    writeFileSync(file, bytes);
    const before = sha256File(file);
    const error = await verdict(checkStoreAhead(file, key, latest));
    expect(error).toBeInstanceOf(ProfileDamagedError);
    expect(error).toMatchObject({ code: 'profile_damaged', damage: 'database-damaged' });
    expect((error as Error).message).toMatch(/another workstation[\s\S]*IT service desk/);
    expect(sha256File(file)).toBe(before);
  });

  it('truncated to half: profile_damaged', async () => {
    const { file, key } = wardStore();
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    expect(await verdict(checkStoreAhead(file, key, latest))).toMatchObject({ damage: 'database-damaged' });
  });

  it('another key: store_key_wrong; a newer schema: store_from_future', async () => {
    const { file, key } = wardStore();
    expect(await verdict(checkStoreAhead(file, randomBytes(32), latest))).toMatchObject({
      code: 'store_key_wrong',
    });
    expect(await verdict(checkStoreAhead(file, key, latest - 1))).toMatchObject({
      code: 'store_from_future',
      message: expect.stringMatching(/newer version of the app/),
    });
  });

  it('the journal deleted after a crash: profile_damaged (journal-missing)', async () => {
    const { file, key } = wardStore();
    const store = openProfileStore({ file, key });
    store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('note-late', '"in the journal"');
    const crashed = join(tempDir(), 'profile.db');
    for (const suffix of ['', '-wal', '-shm'])
      writeFileSync(`${crashed}${suffix}`, readFileSync(`${file}${suffix}`));
    store.close();
    rmSync(`${crashed}-wal`);
    expect(await verdict(checkStoreAhead(crashed, key, latest))).toMatchObject({ damage: 'journal-missing' });
  });

  it('a worker that cannot start (fault injected: its script is missing): the same verdicts, checked here', async () => {
    const missing = { url: new URL('./no-such-check-worker.js', import.meta.url), execArgv: [] };
    const { file, key } = wardStore();
    expect(await verdict(checkStoreAhead(file, key, latest, missing))).toBe('ok');
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    expect(await verdict(checkStoreAhead(file, key, latest, missing))).toMatchObject({
      damage: 'database-damaged',
    });
  });
});
