import { rmSync } from 'node:fs';
import { profileAccountPrefix, type Keychain } from '../keychain';
import type { ProfileRegistry } from './registry';

export interface RemovedProfile {
  keychainEntriesDeleted: number;
  folderDeleted: boolean;
  entryRemoved: boolean;
}

/**
 * Wipes one profile from this workstation: every keychain account starting with `<profileId>/` (device keys,
 * store key, …), then its folder (encrypted DB, WAL, MSAL cache), then its registry entry. Nothing of any other
 * profile is touched. Keys go first so that a half-finished wipe never leaves readable data behind, and the
 * steps are idempotent: running it again finishes an interrupted wipe. The caller must close the profile's
 * store first.
 */
export async function removeProfile(
  deps: { registry: ProfileRegistry; keychain: Keychain },
  profileId: string,
): Promise<RemovedProfile> {
  const { dir } = deps.registry.paths(profileId);
  const prefix = profileAccountPrefix(profileId);
  let keychainEntriesDeleted = 0;
  for (const account of await deps.keychain.list()) {
    if (account.startsWith(prefix) && (await deps.keychain.delete(account))) keychainEntriesDeleted++;
  }
  let folderDeleted = false;
  try {
    rmSync(dir, { recursive: true });
    folderDeleted = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const entryRemoved = deps.registry.removeEntry(profileId);
  return { keychainEntriesDeleted, folderDeleted, entryRemoved };
}
