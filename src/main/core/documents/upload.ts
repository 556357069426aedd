// Sending a document: check its type, encrypt it in chunks under a fresh file key, compute its CID locally,
// stream it to the gateway and refuse the upload if the gateway answers another CID. The ciphertext is kept
// as the local copy (a CAR, keyed by the plaintext hash: the same file is stored once).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import * as dagPb from '@ipld/dag-pb';
import { CarWriter } from '@ipld/car/writer';
import { importByteStream, type WritableStorage } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { randomBytes, sodium, toBase64 } from '../crypto';
import type { DocumentReference } from '../envelope/schema';
import { AppError } from '../errors';
import type { Logger } from '../log/logger';
import {
  cachedCarPath,
  commit,
  ensureCache,
  FILE_MODE,
  removeQuietly,
  tempPath,
  type DocumentCache,
} from './cache';
import { dfsBlocks } from './dfs-car';
import { DocumentCheckFailed, DocumentRefused, isAbort, type DocumentEvidence } from './errors';
import { gatewayOrigin, postUpload, type GatewayAccess } from './gateway-client';
import { checkMagic, checkTypeAndName, MAGIC_BYTES_NEEDED } from './media-types';
import { progressReporter, type ProgressListener } from './progress';
import { encryptStream, FILE_KEY_BYTES } from './secretstream';
import { importerOptions } from './unixfs-params';

export interface UploadDocumentOptions extends GatewayAccess {
  /** Path of the file to send. Read as a stream; never held whole in memory. */
  file: string;
  /** application/pdf, image/png or image/jpeg; the file's first bytes must match it. */
  mediaType: string;
  /** The name shown to recipients; its extension must match the media type. */
  fileName: string;
  /** The profile's local document cache (see cache.ts). */
  cache: DocumentCache;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  log?: Logger;
}

const READ_CHUNK = 1024 * 1024;

function readFailure(err: unknown, evidence: DocumentEvidence, signal?: AbortSignal): Error {
  if (err instanceof AppError) return err;
  if (isAbort(err, signal)) return new DocumentCheckFailed('cancelled', evidence, { cause: err });
  const code = (err as { code?: string } | null)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') {
    return new DocumentRefused('not-a-file', { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** An import target that keeps the (small) dag-pb nodes and drops the leaves, which stay in the file. */
function nodeKeeper(nodes: Map<string, Uint8Array>): WritableStorage {
  return {
    put: async (cid: CID, value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>) => {
      if (cid.code === dagPb.code) {
        if (value instanceof Uint8Array) {
          nodes.set(cid.toString(), value);
        } else {
          const parts: Uint8Array[] = [];
          for await (const part of value) parts.push(part);
          nodes.set(cid.toString(), Buffer.concat(parts));
        }
      }
      return cid;
    },
  };
}

interface Encrypted {
  cid: CID;
  nodes: Map<string, Uint8Array>;
  sha256: string;
  size: number;
  cipherSize: number;
}

/** Pass 1: plaintext → (hash, type check) → secretstream → ciphertext file + local CID. */
async function encryptToFile(
  opts: UploadDocumentOptions,
  key: Uint8Array,
  out: FileHandle,
  total: number,
  evidence: DocumentEvidence,
): Promise<Encrypted> {
  const s = await sodium();
  const hash = createHash('sha256');
  const head = new Uint8Array(MAGIC_BYTES_NEEDED);
  let size = 0;
  let cipherSize = 0;
  const progress = progressReporter(opts.onProgress, 'encrypt', total);
  const onPlain = (chunk: Uint8Array): void => {
    if (size < MAGIC_BYTES_NEEDED) {
      const take = Math.min(MAGIC_BYTES_NEEDED - size, chunk.byteLength);
      head.set(chunk.subarray(0, take), size);
      if (size + take === MAGIC_BYTES_NEEDED) checkMagic(opts.mediaType, head);
    }
    hash.update(chunk);
    size += chunk.byteLength;
    progress.update(size);
  };
  const input = createReadStream(opts.file, {
    highWaterMark: READ_CHUNK,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  async function* toFile(cipher: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of cipher) {
      await out.write(chunk);
      cipherSize += chunk.byteLength;
      yield chunk;
    }
  }
  const nodes = new Map<string, Uint8Array>();
  let cid: CID;
  try {
    const cipher = encryptStream(s, input, key, onPlain);
    cid = (await importByteStream(toFile(cipher), nodeKeeper(nodes), importerOptions())).cid;
  } catch (err) {
    input.destroy();
    throw readFailure(err, evidence, opts.signal);
  }
  if (size < MAGIC_BYTES_NEEDED) checkMagic(opts.mediaType, head.subarray(0, size));
  progress.done(size);
  return { cid, nodes, sha256: hash.digest('hex'), size, cipherSize };
}

/** Pass 2: the ciphertext streamed to the gateway, and written as a depth-first CAR for the local cache. */
async function uploadAndKeep(
  opts: UploadDocumentOptions,
  enc: Encrypted,
  encFile: FileHandle,
  carFile: FileHandle,
  evidence: DocumentEvidence,
): Promise<{ cid: string; size: number }> {
  const { writer, out } = CarWriter.create([enc.cid]);
  const carWritten = (async () => {
    for await (const bytes of out) await carFile.write(bytes);
  })();
  let closed = false;
  const closeCar = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await writer.close();
  };
  const progress = progressReporter(opts.onProgress, 'upload', enc.cipherSize);
  async function* body(): AsyncGenerator<Uint8Array> {
    let sent = 0;
    const blocks = dfsBlocks(enc.cid, enc.nodes, encFile, enc.cipherSize)[Symbol.asyncIterator]();
    for (;;) {
      let step: IteratorResult<{ cid: CID; bytes: Uint8Array }>;
      try {
        step = await blocks.next();
      } catch (err) {
        // The ciphertext file no longer matches what was imported: what would be sent is not the CID.
        throw new DocumentCheckFailed(
          'cid-mismatch',
          { ...evidence, detail: 'the local ciphertext changed during the upload' },
          { cause: err },
        );
      }
      if (step.done === true) break;
      const block = step.value;
      await writer.put(block);
      if (block.cid.code === raw.code) {
        yield block.bytes;
        sent += block.bytes.byteLength;
        progress.update(sent);
      }
    }
    await closeCar();
    progress.done(sent);
  }
  try {
    return await postUpload(opts, body(), enc.cipherSize, evidence, opts.signal);
  } finally {
    await closeCar().catch(() => undefined);
    await carWritten.catch(() => undefined);
  }
}

/**
 * Encrypts and uploads a document; answers the reference the caller puts in the signed message.
 * Throws DocumentRefused (type, content, name, size), DocumentCheckFailed ('cid-mismatch',
 * 'gateway-unreachable', 'gateway-refused', 'cancelled'), AppError 'invalid_args' (gateway URL).
 */
export async function uploadDocument(opts: UploadDocumentOptions): Promise<DocumentReference> {
  checkTypeAndName(opts.mediaType, opts.fileName);
  gatewayOrigin(opts.gatewayUrl);
  const evidence: DocumentEvidence = { cid: '', source: 'upload' };
  if (opts.signal?.aborted === true) throw new DocumentCheckFailed('cancelled', evidence);
  const info = await stat(opts.file).catch((err: unknown) => {
    throw readFailure(err, evidence, opts.signal);
  });
  if (!info.isFile()) throw new DocumentRefused('not-a-file');

  const paths = await ensureCache(opts.cache);
  const encPath = tempPath(paths, '.enc');
  const carPath = tempPath(paths, '.car');
  const key = randomBytes(FILE_KEY_BYTES);
  let encFile: FileHandle | undefined;
  let carFile: FileHandle | undefined;
  try {
    encFile = await open(encPath, 'wx+', FILE_MODE);
    const enc = await encryptToFile(opts, key, encFile, info.size, evidence);
    evidence.cid = enc.cid.toString();
    carFile = await open(carPath, 'wx', FILE_MODE);
    const answer = await uploadAndKeep(opts, enc, encFile, carFile, evidence);
    await carFile.close();
    carFile = undefined;

    let answered: CID | null = null;
    try {
      answered = CID.parse(answer.cid);
    } catch {
      answered = null;
    }
    if (answered === null || !answered.equals(enc.cid) || answer.size !== enc.cipherSize) {
      throw new DocumentCheckFailed('cid-mismatch', {
        ...evidence,
        expected: `${enc.cid.toString()} (${enc.cipherSize} bytes)`,
        found: `${answer.cid.slice(0, 128)} (${answer.size} bytes)`,
      });
    }
    await commit(carPath, cachedCarPath(paths, enc.sha256));
    opts.log?.info({ cid: evidence.cid, size: enc.size }, 'document uploaded');
    return {
      cid: enc.cid.toString(),
      fileKey: toBase64(key),
      sha256: enc.sha256,
      size: enc.size,
      mediaType: opts.mediaType,
      fileName: opts.fileName,
    };
  } catch (err) {
    const failure =
      err instanceof AppError
        ? err
        : isAbort(err, opts.signal)
          ? new DocumentCheckFailed('cancelled', evidence, { cause: err })
          : new AppError('internal', 'The document could not be sent.', { cause: err });
    opts.log?.warn(
      {
        cid: evidence.cid || undefined,
        code: failure instanceof AppError ? failure.code : 'internal',
        check: failure instanceof DocumentCheckFailed ? failure.check : undefined,
      },
      'document upload failed',
    );
    throw failure;
  } finally {
    key.fill(0);
    await encFile?.close().catch(() => undefined);
    await carFile?.close().catch(() => undefined);
    await removeQuietly(encPath);
    await removeQuietly(carPath);
  }
}
