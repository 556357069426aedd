// Deterministic pseudo-random test content: the AES-128-CTR keystream of a seed, produced in chunks of an
// odd size so the gateway's 1 MiB chunker never sees aligned input.
import { createCipheriv, createHash } from 'node:crypto';

export async function* deterministicBytes(
  seed: string,
  total: number,
  chunk = 100_003,
): AsyncGenerator<Buffer> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  let left = total;
  while (left > 0) {
    const n = Math.min(chunk, left);
    yield cipher.update(Buffer.alloc(n));
    left -= n;
  }
}

export async function sha256Hex(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of source) hash.update(part);
  return hash.digest('hex');
}
