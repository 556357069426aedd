// Chunked secretstream encryption: any chunking in, 64 KiB chunks sealed, the final chunk required, and
// every alteration or cut detected with the right check.
import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sodium } from '../../../src/main/core/crypto';
import { DocumentCheckFailed } from '../../../src/main/core/documents';
import {
  ciphertextSize,
  decryptStream,
  encryptStream,
  PLAIN_CHUNK,
} from '../../../src/main/core/documents/secretstream';

const evidence = { cid: 'bafytest' };

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(Uint8Array.from(part)); // decryptStream's chunks are reused views
  return Buffer.concat(parts);
}

async function encrypt(plain: Uint8Array, key: Uint8Array, inputChunk = 10_007): Promise<Buffer> {
  const s = await sodium();
  return collect(encryptStream(s, chunked(plain, inputChunk), key, () => undefined));
}

async function decrypt(cipher: Uint8Array, key: Uint8Array, inputChunk = 1024 * 1024): Promise<Buffer> {
  const s = await sodium();
  return collect(decryptStream(s, chunked(cipher, inputChunk), key, evidence));
}

async function failure(promise: Promise<unknown>): Promise<DocumentCheckFailed> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DocumentCheckFailed);
  return err as DocumentCheckFailed;
}

const key = randomFillSync(new Uint8Array(32));

describe('secretstream documents', () => {
  it.each([0, 1, PLAIN_CHUNK - 1, PLAIN_CHUNK, PLAIN_CHUNK + 1, 3 * PLAIN_CHUNK, 200_003])(
    'round-trips %i bytes with the predicted ciphertext size',
    async (size) => {
      const plain = randomFillSync(new Uint8Array(size));
      const cipher = await encrypt(plain, key);
      expect(cipher.byteLength).toBe(ciphertextSize(size));
      for (const inputChunk of [1 << 20, 65_553, 4_099]) {
        expect((await decrypt(cipher, key, inputChunk)).equals(plain)).toBe(true);
      }
    },
  );

  it('shows every plaintext chunk to the caller before encrypting it', async () => {
    const s = await sodium();
    const plain = randomFillSync(new Uint8Array(150_000));
    const seen: Uint8Array[] = [];
    await collect(encryptStream(s, chunked(plain, 7_000), key, (c) => seen.push(Uint8Array.from(c))));
    expect(Buffer.concat(seen).equals(plain)).toBe(true);
  });

  it('never repeats a ciphertext for the same file under a fresh key', async () => {
    const plain = randomFillSync(new Uint8Array(1000));
    const other = randomFillSync(new Uint8Array(32));
    expect((await encrypt(plain, key)).equals(await encrypt(plain, other))).toBe(false);
  });

  it('refuses the wrong key (decrypt)', async () => {
    const cipher = await encrypt(randomFillSync(new Uint8Array(100_000)), key);
    const err = await failure(decrypt(cipher, randomFillSync(new Uint8Array(32))));
    expect(err.check).toBe('decrypt');
    expect(err.evidence.cid).toBe('bafytest');
  });

  it('refuses a flipped bit anywhere (decrypt)', async () => {
    const cipher = await encrypt(randomFillSync(new Uint8Array(3 * PLAIN_CHUNK + 5)), key);
    for (const at of [0, 30, PLAIN_CHUNK + 100, cipher.byteLength - 1]) {
      const altered = Buffer.from(cipher);
      altered[at] = (altered[at] as number) ^ 0x40;
      expect((await failure(decrypt(altered, key))).check).toBe('decrypt');
    }
  });

  it('refuses a stream cut at a chunk boundary (truncated) and a header alone (truncated)', async () => {
    const cipher = await encrypt(randomFillSync(new Uint8Array(3 * PLAIN_CHUNK + 5)), key);
    const withoutFinal = cipher.subarray(0, 24 + 3 * (PLAIN_CHUNK + 17));
    expect((await failure(decrypt(withoutFinal, key))).check).toBe('truncated');
    expect((await failure(decrypt(cipher.subarray(0, 24), key))).check).toBe('truncated');
    expect((await failure(decrypt(new Uint8Array(0), key))).check).toBe('truncated');
  });

  it('refuses a stream cut inside a chunk, and data after the final chunk (decrypt)', async () => {
    const cipher = await encrypt(randomFillSync(new Uint8Array(2 * PLAIN_CHUNK + 5)), key);
    expect((await failure(decrypt(cipher.subarray(0, cipher.byteLength - 3), key))).check).toBe('decrypt');
    // A final chunk cut shorter than its 17-byte overhead is a typed failure too, not libsodium's own error.
    const short = await failure(decrypt(cipher.subarray(0, cipher.byteLength - 12), key));
    expect(short.check).toBe('decrypt');
    expect(short.evidence.detail).toMatch(/too short/);
    const appended = Buffer.concat([cipher, Buffer.alloc(40)]);
    const err = await failure(decrypt(appended, key));
    expect(err.check).toBe('decrypt');
  });

  it('refuses chunks reordered (decrypt)', async () => {
    const cipher = await encrypt(randomFillSync(new Uint8Array(3 * PLAIN_CHUNK)), key);
    const frame = PLAIN_CHUNK + 17;
    const a = cipher.subarray(24, 24 + frame);
    const b = cipher.subarray(24 + frame, 24 + 2 * frame);
    const swapped = Buffer.concat([cipher.subarray(0, 24), b, a, cipher.subarray(24 + 2 * frame)]);
    expect((await failure(decrypt(swapped, key))).check).toBe('decrypt');
  });
});
