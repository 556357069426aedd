import { createHmac } from 'node:crypto';

/**
 * A 32-byte key for one purpose, derived from a 32-byte secret (HMAC-SHA256 with the purpose as message), so
 * one keychain secret can serve several uses without any of them revealing it or each other.
 */
export function deriveKey(secret: Uint8Array, purpose: string): Uint8Array {
  if (secret.length < 32) throw new RangeError('a secret of at least 32 bytes is needed');
  return new Uint8Array(createHmac('sha256', secret).update(`clinical-messenger/${purpose}/v1`).digest());
}
