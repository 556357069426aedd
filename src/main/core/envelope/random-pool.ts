import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for message keys, nonces and ephemeral keys, taken from a 64 KiB buffer that Node's CSPRNG
 * fills in one call and refills when it runs low. libsodium-wrappers' randombytes_buf asks the platform for
 * 4 bytes at a time (~20k calls/s for a 24-byte nonce, see /work/shared/PERFORMANCE.md); one randomFillSync
 * of 64 KiB serves ~2,700 nonces. Bytes handed out are copied and wiped from the buffer, so the pool never
 * holds a key that was already used.
 */
export interface RandomPool {
  take(n: number): Uint8Array;
}

export function createRandomPool(size = 64 * 1024): RandomPool {
  const buffer = new Uint8Array(size);
  let offset = size;
  return {
    take(n) {
      if (!Number.isInteger(n) || n < 0 || n > size) throw new RangeError('randomPool.take: bad length');
      if (offset + n > size) {
        randomFillSync(buffer);
        offset = 0;
      }
      const out = buffer.slice(offset, offset + n);
      buffer.fill(0, offset, offset + n);
      offset += n;
      return out;
    },
  };
}

/** The process-wide pool (one per thread: workers have their own module instance). */
export const randomPool: RandomPool = createRandomPool();
