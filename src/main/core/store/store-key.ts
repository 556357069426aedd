import { fromBase64, randomBytes, toBase64 } from '../crypto';
import { getOrCreateSecretKey, keychainAccount, type Keychain } from '../keychain';
import { ProfileDamagedError } from './open';

export function storeKeyAccount(profileId: string): string {
  return keychainAccount(profileId, 'store-key');
}

/** The profile store's 32-byte key, kept in the keychain under `<profileId>/store-key`. */
export function profileStoreKey(keychain: Keychain, profileId: string): Promise<Uint8Array> {
  return getOrCreateSecretKey(keychain, storeKeyAccount(profileId), "this profile's local database");
}

/**
 * The store key if the keychain holds one, else null (never creates one: a new key beside an existing
 * database would orphan it). A damaged entry is `profile_damaged` and is left as it is.
 */
export async function existingStoreKey(keychain: Keychain, profileId: string): Promise<Uint8Array | null> {
  const raw = await keychain.get(storeKeyAccount(profileId));
  if (raw === null) return null;
  const key = fromBase64(raw, 32);
  if (!key) throw new ProfileDamagedError('store-key-corrupt');
  return key;
}

/** A new store key for a profile that has no database yet. */
export async function createStoreKey(keychain: Keychain, profileId: string): Promise<Uint8Array> {
  const key = randomBytes(32);
  await keychain.set(storeKeyAccount(profileId), toBase64(key));
  return key;
}

/**
 * Starting a profile over: the old store key is kept (for IT, beside the set-aside database) under
 * `<profileId>/store-key-set-aside-<stamp>`, and the live entry is removed so a new key can be made. Returns
 * the account it was kept under, or null if there was no key.
 */
export async function setAsideStoreKey(
  keychain: Keychain,
  profileId: string,
  stamp: string,
): Promise<string | null> {
  const raw = await keychain.get(storeKeyAccount(profileId));
  if (raw === null) return null;
  const aside = keychainAccount(profileId, `store-key-set-aside-${stamp}`);
  await keychain.set(aside, raw);
  await keychain.delete(storeKeyAccount(profileId));
  return aside;
}
