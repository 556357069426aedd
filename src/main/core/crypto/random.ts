import { randomFillSync, timingSafeEqual } from 'node:crypto';

/**
 * `n` bytes from Node's CSPRNG. libsodium-wrappers' randombytes_buf is slow per call, so keys, nonces and
 * salts come from here and are handed to libsodium.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('randomBytes: n must be a non-negative integer');
  return randomFillSync(new Uint8Array(n));
}

/**
 * Compares two hashes or MACs without leaking where they differ. Different lengths are simply unequal (the
 * length of a hash is not a secret).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}
