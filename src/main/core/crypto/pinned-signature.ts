import { fromBase64, toBase64 } from './encoding';
import { sodium } from './sodium';

/**
 * Ed25519 detached signatures by keys a policy pins (IT's admin keys, the release keys): the signed documents
 * (revocations, roster entries, update manifests) each define their own domain-tagged bytes; these two do the
 * signing and the "which pinned key verifies it" loop once for all of them.
 */

/** Signs `bytes` with libsodium's 64-byte Ed25519 secret key; the signature in standard base64. */
export async function signDetached(bytes: Uint8Array, secretKey: Uint8Array): Promise<string> {
  const s = await sodium();
  if (secretKey.byteLength !== s.crypto_sign_SECRETKEYBYTES) {
    throw new RangeError('an Ed25519 secret key is 64 bytes');
  }
  return toBase64(s.crypto_sign_detached(bytes, secretKey));
}

/**
 * The index of the first pinned key (base64 Ed25519 public keys) whose signature `signature` (base64) is over
 * `bytes`, or -1. libsodium's `crypto_sign_verify_detached` is constant time and refuses small-order keys; a
 * pinned key it cannot use, or a signature that is not 64 bytes, verifies nothing.
 */
export async function pinnedKeyThatSigned(
  bytes: Uint8Array,
  signature: string,
  pinnedKeys: readonly string[],
): Promise<number> {
  const s = await sodium();
  const signatureBytes = fromBase64(signature, s.crypto_sign_BYTES);
  if (!signatureBytes) return -1;
  for (const [index, key] of pinnedKeys.entries()) {
    const publicKey = fromBase64(key, s.crypto_sign_PUBLICKEYBYTES);
    if (!publicKey) continue;
    try {
      if (s.crypto_sign_verify_detached(signatureBytes, bytes, publicKey)) return index;
    } catch {
      // A key libsodium refuses verifies nothing.
    }
  }
  return -1;
}
