import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../src/main/core/audit';
import { enrolDevice, loadDevice } from '../../../src/main/core/keys';
import { expireUnusedProfiles, openProfileRegistry, removeProfile } from '../../../src/main/core/profiles';
import { openProfileStore, profileStoreKey } from '../../../src/main/core/store';
import { sha256File, tempDir, testKeychain } from '../store/helpers';

const alice = { userId: 'oid-alice', username: 'alice@hospital.test', displayName: 'Dr Alice' };
const bob = { userId: 'oid-bob', username: 'bob@hospital.test', displayName: 'Bob (OPD)' };

/** Sets up a profile the way sign-in will: registry entry, device keys, store key, store with one event. */
async function signedInProfile(
  appData: string,
  keychain: ReturnType<typeof testKeychain>['keychain'],
  user = alice,
) {
  const registry = openProfileRegistry(appData);
  const profile = registry.ensureProfile(user);
  await enrolDevice(keychain, { profileId: profile.profileId, userId: user.userId });
  const key = await profileStoreKey(keychain, profile.profileId);
  const { storeFile } = registry.paths(profile.profileId);
  const store = openProfileStore({ file: storeFile, key });
  createAuditLog(store).append({ kind: 'sign-in', details: { userId: user.userId } });
  store.close();
  return { registry, profile, key, storeFile };
}

describe('profile registry', () => {
  it('creates one profile per user, refreshes it on later sign-ins, lists most recent first', () => {
    const appData = tempDir();
    let t = Date.parse('2025-01-01T08:00:00Z');
    const registry = openProfileRegistry(appData, () => new Date((t += 1000)));
    const a = registry.ensureProfile(alice);
    const b = registry.ensureProfile(bob);
    expect(a.profileId).not.toBe(b.profileId);
    expect(registry.list().map((p) => p.userId)).toEqual(['oid-bob', 'oid-alice']);
    const a2 = registry.ensureProfile({ ...alice, displayName: 'Dr Alice Smith' });
    expect(a2.profileId).toBe(a.profileId);
    expect(a2.createdAt).toBe(a.createdAt);
    expect(registry.list().map((p) => p.displayName)).toEqual(['Dr Alice Smith', 'Bob (OPD)']);
    expect(existsSync(registry.paths(a.profileId).dir)).toBe(true);
    // a second registry object over the same directory sees the same file
    expect(openProfileRegistry(appData).findByUserId('oid-bob')?.profileId).toBe(b.profileId);
    // atomic writes leave no temp files behind
    expect(readdirSync(appData).sort()).toEqual(['profiles', 'profiles.json']);
  });

  it('keeps each profile’s files inside its own folder and refuses ids that are not profile ids', () => {
    const registry = openProfileRegistry(tempDir());
    const a = registry.ensureProfile(alice);
    const paths = registry.paths(a.profileId);
    expect(paths.storeFile.startsWith(paths.dir)).toBe(true);
    expect(paths.msalCacheFile.startsWith(paths.dir)).toBe(true);
    expect(() => registry.paths('../../etc')).toThrow(expect.objectContaining({ code: 'profile_not_found' }));
    expect(() => registry.touch('3f1f0a52-6a4e-4f0f-a1f1-0c2d9b7e3a11')).toThrow(
      expect.objectContaining({ code: 'profile_not_found' }),
    );
  });

  it('a corrupt profiles.json is profiles_corrupt and is not overwritten until the user acts', () => {
    const appData = tempDir();
    const registry = openProfileRegistry(appData);
    registry.ensureProfile(alice);
    const file = join(appData, 'profiles.json');
    for (const damaged of ['{ not json', JSON.stringify([{ profileId: 'x' }]), JSON.stringify({ a: 1 })]) {
      writeFileSync(file, damaged);
      expect(() => registry.list()).toThrow(expect.objectContaining({ code: 'profiles_corrupt' }));
      expect(() => registry.ensureProfile(bob)).toThrow(
        expect.objectContaining({ code: 'profiles_corrupt' }),
      );
      expect(readFileSync(file, 'utf8')).toBe(damaged);
    }
    const aside = registry.setAsideCorruptFile();
    expect(aside).not.toBeNull();
    expect(readFileSync(aside!, 'utf8')).toBe(JSON.stringify({ a: 1 }));
    expect(registry.list()).toEqual([]);
    expect(registry.setAsideCorruptFile()).toBeNull(); // nothing to set aside when the file is fine
  });

  it('refuses duplicated users or ids in the file', () => {
    const appData = tempDir();
    const registry = openProfileRegistry(appData);
    const a = registry.ensureProfile(alice);
    writeFileSync(join(appData, 'profiles.json'), JSON.stringify([a, { ...a, userId: 'other' }]));
    expect(() => registry.list()).toThrow(expect.objectContaining({ code: 'profiles_corrupt' }));
  });
});

describe('two profiles on one workstation account', () => {
  it('have distinct keychain accounts and store keys: A’s key cannot open B’s database', async () => {
    const appData = tempDir();
    const { keychain } = testKeychain();
    const a = await signedInProfile(appData, keychain, alice);
    const b = await signedInProfile(appData, keychain, bob);
    const accounts = await keychain.list();
    const ofA = accounts.filter((x) => x.startsWith(`${a.profile.profileId}/`));
    const ofB = accounts.filter((x) => x.startsWith(`${b.profile.profileId}/`));
    expect(ofA).toHaveLength(2);
    expect(ofB).toHaveLength(2);
    expect(ofA.filter((x) => ofB.includes(x))).toEqual([]);
    expect(a.key).not.toEqual(b.key);
    expect(() => openProfileStore({ file: b.storeFile, key: a.key })).toThrow(
      expect.objectContaining({ code: 'store_key_wrong' }),
    );
    expect(() => openProfileStore({ file: a.storeFile, key: b.key })).toThrow(
      expect.objectContaining({ code: 'store_key_wrong' }),
    );
  });

  it('removing A wipes A’s keys, folder and entry and leaves B’s keys, database and entry intact', async () => {
    const appData = tempDir();
    const { keychain } = testKeychain();
    const a = await signedInProfile(appData, keychain, alice);
    const b = await signedInProfile(appData, keychain, bob);
    const bDeviceBefore = (await loadDevice(keychain, b.profile.profileId)).deviceId;
    const bDbHash = sha256File(b.storeFile);
    const bEntry = b.registry.get(b.profile.profileId);

    const removed = await removeProfile({ registry: a.registry, keychain }, a.profile.profileId);
    expect(removed).toEqual({ keychainEntriesDeleted: 2, folderDeleted: true, entryRemoved: true });

    expect((await keychain.list()).filter((x) => x.startsWith(`${a.profile.profileId}/`))).toEqual([]);
    expect(existsSync(a.registry.paths(a.profile.profileId).dir)).toBe(false);
    expect(a.registry.get(a.profile.profileId)).toBeNull();
    await expect(loadDevice(keychain, a.profile.profileId)).rejects.toMatchObject({ code: 'key_missing' });

    expect((await loadDevice(keychain, b.profile.profileId)).deviceId).toBe(bDeviceBefore);
    expect(await profileStoreKey(keychain, b.profile.profileId)).toEqual(b.key);
    expect(sha256File(b.storeFile)).toBe(bDbHash);
    expect(b.registry.get(b.profile.profileId)).toEqual(bEntry);
    const store = openProfileStore({ file: b.storeFile, key: b.key });
    expect(createAuditLog(store).verify()).toEqual({ ok: true, count: 1 });
    store.close();

    // running it again (e.g. after an interrupted wipe) is harmless
    expect(await removeProfile({ registry: a.registry, keychain }, a.profile.profileId)).toEqual({
      keychainEntriesDeleted: 0,
      folderDeleted: false,
      entryRemoved: false,
    });
  });
});

describe('profiles unused for deviceExpiryDays', () => {
  it('are wiped at start (keys, database, entry); a profile used recently is kept', async () => {
    const appData = tempDir();
    const { keychain } = testKeychain();
    const old = await signedInProfile(appData, keychain, alice);
    const recent = await signedInProfile(appData, keychain, bob);
    // Alice last signed in here 91 days ago, Bob yesterday.
    const day = 24 * 60 * 60 * 1000;
    const at = (ms: number) => () => new Date(ms);
    openProfileRegistry(appData, at(Date.now() - 91 * day)).touch(old.profile.profileId);
    openProfileRegistry(appData, at(Date.now() - day)).touch(recent.profile.profileId);

    const removed = await expireUnusedProfiles({ registry: openProfileRegistry(appData), keychain }, 90);
    expect(removed).toEqual([old.profile.profileId]);
    expect(existsSync(old.storeFile)).toBe(false);
    expect((await keychain.list()).some((a) => a.startsWith(`${old.profile.profileId}/`))).toBe(false);
    expect(existsSync(recent.storeFile)).toBe(true);
    expect(
      openProfileRegistry(appData)
        .list()
        .map((p) => p.profileId),
    ).toEqual([recent.profile.profileId]);
  });
});
