import type { Keychain } from '../keychain';
import type { ProfileRegistry } from './registry';
import { removeProfile } from './remove';

const day = 24 * 60 * 60 * 1000;

/**
 * Removes every profile of this workstation unused for `expiryDays` (policy `deviceExpiryDays`): its keys,
 * database and cache. A shared ward PC keeps no clinician's data for ever; the hub expires the device the
 * same way. Returns the profile ids removed.
 */
export async function expireUnusedProfiles(
  deps: { registry: ProfileRegistry; keychain: Keychain },
  expiryDays: number,
  now: Date = new Date(),
): Promise<string[]> {
  const cutoff = now.getTime() - expiryDays * day;
  const removed: string[] = [];
  for (const profile of deps.registry.list()) {
    if (Date.parse(profile.lastUsedAt) >= cutoff) continue;
    await removeProfile(deps, profile.profileId);
    removed.push(profile.profileId);
  }
  return removed;
}
