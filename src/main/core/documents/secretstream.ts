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

/** The parts of libsodium.js's WebAssembly module that decryption in place needs. */
interface SodiumWasm {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(address: number): void;
  /** (state, m, mlen_p, tag_p, c, clen as two 32-bit halves, ad, adlen as two halves) → 0 when it authenticates. */
  _crypto_secretstream_xchacha20poly1305_pull(...args: number[]): number;
}

/**
 * Pulls chunks in libsodium's own memory: one ciphertext and one plaintext buffer for the whole stream, where
 * `crypto_secretstream_xchacha20poly1305_pull` of libsodium-wrappers allocates and copies both every chunk (a
 * 1 GiB document made 16,000 fresh 64 KiB arrays, and V8 collected for each few dozen MiB of them).
 */
function inPlacePull(sodium: Sodium, state: StateAddress) {
  const wasm = (sodium as unknown as { libsodium: SodiumWasm }).libsodium;
  const cipherAt = wasm._malloc(CIPHER_CHUNK);
  const plainAt = wasm._malloc(PLAIN_CHUNK);
  const tagAt = wasm._malloc(1);
  return {
    /** The chunk's plaintext as a view of libsodium's memory (valid until the next pull), or null. */
    pull(cipher: Uint8Array): { message: Uint8Array; tag: number } | null {
      wasm.HEAPU8.set(cipher, cipherAt);
      const failed = wasm._crypto_secretstream_xchacha20poly1305_pull(
        state as unknown as number,
        plainAt,
        0,
        tagAt,
        cipherAt,
        cipher.byteLength,
        0,
        0,
        0,
        0,
      );
      if (failed !== 0) return null;
      const heap = wasm.HEAPU8; // read again: the module's memory may have grown
      return {
        message: heap.subarray(plainAt, plainAt + cipher.byteLength - CHUNK_OVERHEAD),
        tag: heap[tagAt]!,
      };
    },
    free(): void {
      wasm.HEAPU8.fill(0, plainAt, plainAt + PLAIN_CHUNK);
      wasm._free(cipherAt);
      wasm._free(plainAt);
      wasm._free(tagAt);
    },
  };
}

/**
 * Decrypts a ciphertext stream made by `encryptStream`. Throws DocumentCheckFailed 'decrypt' when a chunk does
 * not authenticate (wrong key, altered bytes, data after the final chunk) and 'truncated' when the stream ends
 * before the final chunk. Each plaintext chunk it yields is a view of libsodium's memory that the next chunk
 * overwrites: a caller that keeps one copies it.
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
  let puller: ReturnType<typeof inPlacePull> | null = null;
  const frame = new Uint8Array(CIPHER_CHUNK);
  let filled = 0;
  let finished = false;
  let chunkIndex = 0;

  const fail = (detail: string): never => {
    throw new DocumentCheckFailed('decrypt', { ...evidence, detail });
  };
  const open = (cipher: Uint8Array): Uint8Array => {
    if (finished) fail('data after the final chunk');
    if (cipher.byteLength < CHUNK_OVERHEAD) fail(`chunk ${chunkIndex} is too short`);
    const started = clock === undefined ? 0 : performance.now();
    const out = (puller as NonNullable<typeof puller>).pull(cipher);
    clock?.add('decrypt', performance.now() - started);
    if (out === null) fail(`chunk ${chunkIndex} does not authenticate`);
    const { message, tag } = out as { message: Uint8Array; tag: number };
    if (tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) finished = true;
    else if (tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) fail(`unexpected tag ${tag}`);
    else if (cipher.byteLength !== CIPHER_CHUNK) fail('short chunk before the final one');
    chunkIndex++;
    return message;
  };

  try {
    for await (const input of source) {
      let offset = 0;
      if (puller === null) {
        const take = Math.min(STREAM_HEADER_BYTES - headerFilled, input.byteLength);
        header.set(input.subarray(0, take), headerFilled);
        headerFilled += take;
        offset = take;
        if (headerFilled < STREAM_HEADER_BYTES) continue;
        puller = inPlacePull(sodium, sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, key));
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
    if (puller === null) {
      throw new DocumentCheckFailed('truncated', { ...evidence, detail: 'no secretstream header' });
    }
    if (filled > 0) yield open(frame.subarray(0, filled));
    if (!finished) {
      throw new DocumentCheckFailed('truncated', { ...evidence, detail: 'the final chunk is missing' });
    }
  } finally {
    puller?.free();
  }
}
