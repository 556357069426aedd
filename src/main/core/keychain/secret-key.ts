import { fromBase64, randomBytes, toBase64 } from '../crypto';
import { AppError } from '../errors';
import type { Keychain } from './keychain';

/**
 * A 32-byte key kept in the keychain as base64: created from the CSPRNG the first time, loaded after. A
 * damaged entry is `key_corrupt` and is NOT replaced, since a new key would orphan what the old one protects.
 */
export async function getOrCreateSecretKey(
  keychain: Keychain,
  account: string,
  protects: string,
): Promise<Uint8Array> {
  const existing = await keychain.get(account);
  if (existing !== null) {
    const key = fromBase64(existing, 32);
    if (!key) {
      throw new AppError(
        'key_corrupt',
        `The key for ${protects} in the system keychain is damaged; that data cannot be opened.`,
      );
    }
    return key;
  }
  const key = randomBytes(32);
  await keychain.set(account, toBase64(key));
  return key;
}
