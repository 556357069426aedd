import { fromBase64, randomBytes, toBase64 } from '../crypto';
import { AppError } from '../errors';
import { keychainAccount, type Keychain } from '../keychain';

export function storeKeyAccount(profileId: string): string {
  return keychainAccount(profileId, 'store-key');
}

/**
 * The profile store's 32-byte key, kept in the keychain as base64 under `<profileId>/store-key`. Created from
 * the CSPRNG the first time; later loaded. A damaged entry is `key_corrupt` and is NOT replaced: a new key
 * would make the existing database unreadable.
 */
export async function profileStoreKey(keychain: Keychain, profileId: string): Promise<Uint8Array> {
  const account = storeKeyAccount(profileId);
  const existing = await keychain.get(account);
  if (existing !== null) {
    const key = fromBase64(existing, 32);
    if (!key) {
      throw new AppError(
        'key_corrupt',
        "This profile's database key in the system keychain is damaged; the local data cannot be opened.",
      );
    }
    return key;
  }
  const key = randomBytes(32);
  await keychain.set(account, toBase64(key));
  return key;
}
