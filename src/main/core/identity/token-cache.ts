import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { randomBytes, sodium, utf8 } from '../crypto';
import { getOrCreateSecretKey, keychainAccount, type Keychain } from '../keychain';
import type { Logger } from '../log/logger';

// File layout: magic (also the AEAD's associated data) || 24-byte nonce || XChaCha20-Poly1305 ciphertext.
const magic = utf8('CM-MSAL-CACHE/1');

export function tokenCacheKey(keychain: Keychain, profileId: string): Promise<Uint8Array> {
  return getOrCreateSecretKey(
    keychain,
    keychainAccount(profileId, 'token-cache-key'),
    "this profile's sign-in",
  );
}

/** The cache's JSON, or null when there is no file or it cannot be decrypted (then sign-in starts afresh). */
export async function readEncryptedCache(file: string, key: Uint8Array): Promise<string | null> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const s = await sodium();
  const nonceEnd = magic.length + s.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (bytes.length <= nonceEnd || !bytes.subarray(0, magic.length).equals(magic)) return null;
  try {
    const plain = s.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      bytes.subarray(nonceEnd),
      magic,
      bytes.subarray(magic.length, nonceEnd),
      key,
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

/** Writes the cache encrypted, atomically (temp file + rename), readable by this OS user only. */
export async function writeEncryptedCache(file: string, key: Uint8Array, json: string): Promise<void> {
  const s = await sodium();
  const nonce = randomBytes(s.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const sealed = s.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(json), magic, null, nonce, key);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, Buffer.concat([magic, nonce, sealed]), { mode: 0o600 });
  renameSync(temp, file);
}

/** MSAL's cache, persisted only in encrypted form: it never touches the disk as plaintext. */
export function encryptedCachePlugin(file: string, key: Uint8Array, log: Logger): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      const json = await readEncryptedCache(file, key);
      if (json === null) return;
      try {
        context.tokenCache.deserialize(json);
      } catch {
        log.warn('token cache unreadable; a new sign-in will be needed');
      }
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (context.cacheHasChanged) await writeEncryptedCache(file, key, context.tokenCache.serialize());
    },
  };
}
