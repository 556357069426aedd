import { getOrCreateSecretKey, keychainAccount, type Keychain } from '../keychain';

export function storeKeyAccount(profileId: string): string {
  return keychainAccount(profileId, 'store-key');
}

/** The profile store's 32-byte key, kept in the keychain under `<profileId>/store-key`. */
export function profileStoreKey(keychain: Keychain, profileId: string): Promise<Uint8Array> {
  return getOrCreateSecretKey(keychain, storeKeyAccount(profileId), "this profile's local database");
}
