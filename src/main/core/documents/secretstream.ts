// Chunked file encryption with crypto_secretstream_xchacha20poly1305: a 24-byte header, then the plaintext in
// 64 KiB chunks, each sealed with a 17-byte overhead; the last chunk carries TAG_FINAL, every other TAG_MESSAGE.
// Both directions are async generators that hold about one chunk in memory.
import type { StateAddress } from 'libsodium-wrappers-sumo';
import type { Sodium } from '../crypto';
import { DocumentCheckFailed, type DocumentEvidence } from './errors';
import type { PhaseClock } from './timings';

export const PLAIN_CHUNK = 64 * 1024;
export const FILE_KEY_BYTES = 32;
export const STREAM_HEADER_BYTES = 24;
export const CHUNK_OVERHEAD = 17;
const CIPHER_CHUNK = PLAIN_CHUNK + CHUNK_OVERHEAD;

/** Ciphertext length for `size` plaintext bytes (an empty file is still one final chunk). */
export function ciphertextSize(size: number): number {
  const chunks = Math.max(1, Math.ceil(size / PLAIN_CHUNK));
  return STREAM_HEADER_BYTES + size + chunks * CHUNK_OVERHEAD;
}

/**
 * Encrypts `source` (any chunking) under `key`. `onPlain` sees every plaintext chunk in order (for the
 * plaintext hash and checks on the first bytes) before it is encrypted.
 */
export async function* encryptStream(
  sodium: Sodium,
  source: AsyncIterable<Uint8Array>,
  key: Uint8Array,
  onPlain: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  yield header;
  const pending = new Uint8Array(PLAIN_CHUNK);
  let filled = 0;
  for await (const input of source) {
    onPlain(input);
    let offset = 0;
    while (offset < input.byteLength) {
      // A full chunk is only sealed once more data is known to follow: the last chunk must be TAG_FINAL.
      if (filled === PLAIN_CHUNK) {
        yield sodium.crypto_secretstream_xchacha20poly1305_push(
          state,
          pending,
          null,
          sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
        );
        filled = 0;
      }
      const take = Math.min(PLAIN_CHUNK - filled, input.byteLength - offset);
      pending.set(input.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
    }
  }
  yield sodium.crypto_secretstream_xchacha20poly1305_push(
    state,
    pending.subarray(0, filled),
    null,
    sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
  );
  pending.fill(0);
}

/**
 * Decrypts a ciphertext stream made by `encryptStream`. Throws DocumentCheckFailed 'decrypt' when a chunk does
 * not authenticate (wrong key, altered bytes, data after the final chunk) and 'truncated' when the stream ends
 * before the final chunk.
 */
export async function* decryptStream(
  sodium: Sodium,
  source: AsyncIterable<Uint8Array>,
  key: Uint8Array,
  evidence: DocumentEvidence,
  clock?: PhaseClock,
): AsyncGenerator<Uint8Array> {
  const header = new Uint8Array(STREAM_HEADER_BYTES);
  let headerFilled = 0;
  let state: StateAddress | null = null;
  const frame = new Uint8Array(CIPHER_CHUNK);
  let filled = 0;
  let finished = false;
  let chunkIndex = 0;

  const fail = (detail: string): never => {
    throw new DocumentCheckFailed('decrypt', { ...evidence, detail });
  };
  const open = (cipher: Uint8Array): Uint8Array => {
    if (finished) fail('data after the final chunk');
    const started = clock === undefined ? 0 : performance.now();
    const out = sodium.crypto_secretstream_xchacha20poly1305_pull(state as StateAddress, cipher, null) as
      { message: Uint8Array; tag: number } | false;
    clock?.add('decrypt', performance.now() - started);
    if (out === false) fail(`chunk ${chunkIndex} does not authenticate`);
    const { message, tag } = out as { message: Uint8Array; tag: number };
    if (tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) finished = true;
    else if (tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) fail(`unexpected tag ${tag}`);
    else if (cipher.byteLength !== CIPHER_CHUNK) fail('short chunk before the final one');
    chunkIndex++;
    return message;
  };

  for await (const input of source) {
    let offset = 0;
    if (state === null) {
      const take = Math.min(STREAM_HEADER_BYTES - headerFilled, input.byteLength);
      header.set(input.subarray(0, take), headerFilled);
      headerFilled += take;
      offset = take;
      if (headerFilled < STREAM_HEADER_BYTES) continue;
      state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
    }
    while (offset < input.byteLength) {
      if (filled === 0 && input.byteLength - offset >= CIPHER_CHUNK) {
        // Whole chunks straight from the input, without a copy through `frame`.
        yield open(input.subarray(offset, offset + CIPHER_CHUNK));
        offset += CIPHER_CHUNK;
        continue;
      }
      const take = Math.min(CIPHER_CHUNK - filled, input.byteLength - offset);
      frame.set(input.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === CIPHER_CHUNK) {
        yield open(frame);
        filled = 0;
      }
    }
  }
  if (state === null) {
    throw new DocumentCheckFailed('truncated', { ...evidence, detail: 'no secretstream header' });
  }
  if (filled > 0) yield open(frame.subarray(0, filled));
  if (!finished) {
    throw new DocumentCheckFailed('truncated', { ...evidence, detail: 'the final chunk is missing' });
  }
}
