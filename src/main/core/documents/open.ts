// Opening a document: the CAR from the local cache or the configured gateway, every block checked against
// its CID and the DAG against the signed root, decrypted (authenticated, final chunk required), the plaintext
// hash compared in constant time with the signed one — and only then a file path is returned.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { open as openFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import { constantTimeEqual, fromBase64, sodium } from '../crypto';
import { DocumentReference } from '../envelope/schema';
import { AppError } from '../errors';
import type { Logger } from '../log/logger';
import {
  cachedCarPath,
  commit,
  ensureCache,
  FILE_MODE,
  removeQuietly,
  tempPath,
  type CachePaths,
  type DocumentCache,
} from './cache';
import { DocumentCheckFailed, isAbort, type DocumentEvidence } from './errors';
import { gatewayOrigin, getCar, type GatewayAccess } from './gateway-client';
import { checkMagic, checkMediaType, openedExtension } from './media-types';
import { progressReporter, type ProgressListener } from './progress';
import { decryptStream, FILE_KEY_BYTES } from './secretstream';
import type { PhaseClock } from './timings';
import { verifiedCarContent, type CarVerification } from './verify-car';
import { WriteBehind } from './write-behind';

export interface OpenDocumentOptions extends GatewayAccess {
  /** The reference from the signed message. */
  ref: DocumentReference;
  /** The profile's local document cache (see cache.ts). */
  cache: DocumentCache;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  log?: Logger;
  /** Told where the time goes (the benchmark prints it). */
  clock?: PhaseClock;
  /**
   * Given each piece of plaintext, at its offset in the file, as soon as it is proven authentic: its blocks
   * matched their CIDs on the signed DAG and its secretstream chunk authenticated (the first also starts as the
   * signed media type says). The end is not proven yet (final chunk, whole-file hash): the open may still
   * fail, and then nothing given here may stay on screen. Offsets start again at 0 when a cached copy turns
   * out to be another CID's and the gateway's is read instead. See docs/progressive-view.md.
   */
  onAuthenticated?: (plain: Uint8Array, offset: number) => void;
}

/** What was checked for a document that opened. */
export interface VerificationEvidence {
  cid: string;
  sha256: string;
  size: number;
  /** Where the verified CAR came from. */
  source: 'gateway' | 'cache';
  /** Blocks whose sha2-256 was checked against their CID. */
  blocks: number;
  carBytes: number;
  checks: readonly string[];
  verifiedAt: string;
}

export interface OpenedDocument {
  /** The verified plaintext, in the cache's opened/ folder. The caller deletes it when the viewer is done. */
  file: string;
  evidence: VerificationEvidence;
}

export const verificationChecks = Object.freeze([
  'car-root',
  'block-hashes',
  'dag',
  'decrypt',
  'final-chunk',
  'media-type',
  'plaintext-hash',
] as const);

const damagedCopyChecks: ReadonlySet<string> = new Set([
  'block-hash',
  'truncated',
  'missing-block',
  'content-type',
]);
const MiB = 1024 * 1024;

/** Cached CARs are read 4 MiB at a time, so most 1 MiB blocks lie inside one read and are not copied; a
 *  small one 1 MiB at a time, so its first block is not held up behind a long first read. */
function readChunk(size: number): number {
  return size < 16 * MiB ? MiB : 4 * MiB;
}

interface Checked {
  ref: DocumentReference;
  key: Uint8Array;
  root: CID;
}

function checkRef(input: DocumentReference): Checked {
  const parsed = DocumentReference.safeParse(input);
  if (!parsed.success) throw new AppError('invalid_args', 'The document reference is not valid.');
  const ref = parsed.data;
  const key = fromBase64(ref.fileKey, FILE_KEY_BYTES);
  if (key === null) throw new AppError('invalid_args', 'The document reference holds no usable file key.');
  let root: CID;
  try {
    root = CID.parse(ref.cid);
  } catch (err) {
    throw new AppError('invalid_args', 'The document reference holds no valid CID.', { cause: err });
  }
  checkMediaType(ref.mediaType);
  return { ref, key, root };
}

function cancelled(evidence: DocumentEvidence, signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new DocumentCheckFailed('cancelled', evidence);
}

/** A byte source whose own failures (connection lost, file unreadable, abort) are typed. */
async function* guarded(
  source: AsyncIterable<Uint8Array>,
  evidence: DocumentEvidence,
  onBytes: (chunk: Uint8Array) => Promise<void> | void,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of source) {
      cancelled(evidence, signal);
      await onBytes(chunk);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof DocumentCheckFailed) throw err;
    if (isAbort(err, signal)) throw new DocumentCheckFailed('cancelled', evidence, { cause: err });
    const code = (err as { code?: string } | null)?.code;
    throw new DocumentCheckFailed(
      'truncated',
      { ...evidence, detail: `the transfer broke off${code === undefined ? '' : ` (${code})`}` },
      { cause: err },
    );
  }
}

/**
 * CAR bytes → verified ciphertext → plaintext in `out`; throws unless every check passes. Returns the number
 * of blocks checked. Plaintext is written behind (one batch on the thread pool while the next is decrypted)
 * to `out`, a work file in tmp/: it only becomes an opened/ file after the checks at the end.
 */
async function verifyInto(
  car: AsyncIterable<Uint8Array>,
  checked: Checked,
  out: FileHandle,
  evidence: DocumentEvidence,
  opts: Pick<OpenDocumentOptions, 'onProgress' | 'signal' | 'clock' | 'onAuthenticated'>,
): Promise<number> {
  const { ref, key, root } = checked;
  const { signal, clock } = opts;
  const s = await sodium();
  const stats: CarVerification = { blocks: 0 };
  const cipher = verifiedCarContent(car, root, evidence, stats, signal, clock);
  const hash = createHash('sha256');
  const progress = progressReporter(opts.onProgress, 'verify', ref.size);
  const writer = new WriteBehind(out, clock === undefined ? {} : { clock });
  let size = 0;
  try {
    for await (const plain of decryptStream(s, cipher, key, evidence, clock)) {
      cancelled(evidence, signal);
      // The first chunk (64 KiB, or the whole file if smaller) must start as the signed media type says.
      if (size === 0) checkMagic(ref.mediaType, plain);
      size += plain.byteLength;
      if (size > ref.size) {
        throw new DocumentCheckFailed('plaintext-hash', {
          ...evidence,
          expected: `${ref.size} bytes`,
          found: `more than ${ref.size} bytes`,
        });
      }
      opts.onAuthenticated?.(plain, size - plain.byteLength);
      const started = clock === undefined ? 0 : performance.now();
      hash.update(plain);
      clock?.add('plaintext hash', performance.now() - started);
      await writer.append(plain);
      progress.update(size);
    }
    await writer.flush();
  } finally {
    await writer.settle();
  }
  if (size === 0) checkMagic(ref.mediaType, new Uint8Array(0));
  const digest = hash.digest();
  const expected = Buffer.from(ref.sha256, 'hex');
  if (!constantTimeEqual(digest, expected) || size !== ref.size) {
    throw new DocumentCheckFailed('plaintext-hash', {
      ...evidence,
      expected: ref.sha256,
      found: digest.toString('hex'),
      ...(size === ref.size ? {} : { detail: `${size} bytes, expected ${ref.size}` }),
    });
  }
  progress.done(size);
  return stats.blocks;
}

interface Attempt {
  blocks: number;
  carBytes: number;
}

/** `cached` is closed when this returns. */
async function fromCache(
  cached: FileHandle,
  checked: Checked,
  out: FileHandle,
  evidence: DocumentEvidence,
  opts: OpenDocumentOptions,
): Promise<Attempt> {
  let carBytes = 0;
  const file = cached.createReadStream({ highWaterMark: readChunk(checked.ref.size) });
  try {
    const car = guarded(file, evidence, (c) => void (carBytes += c.byteLength), opts.signal);
    const blocks = await verifyInto(car, checked, out, evidence, opts);
    return { blocks, carBytes };
  } finally {
    file.destroy();
  }
}

async function fromGateway(
  paths: CachePaths,
  checked: Checked,
  out: FileHandle,
  evidence: DocumentEvidence,
  opts: OpenDocumentOptions,
): Promise<Attempt> {
  const response = await getCar(opts, checked.ref.cid, evidence, opts.signal);
  const carTemp = tempPath(paths, '.car');
  let carFile: FileHandle | undefined;
  let copy: WriteBehind | undefined;
  let carBytes = 0;
  try {
    carFile = await openFile(carTemp, 'wx', FILE_MODE);
    const { clock } = opts;
    const writer = new WriteBehind(carFile, {
      phase: 'wait for CAR copy write',
      // The copy is written as the response is read, so its waits happen inside the 'read' wait: moved out.
      ...(clock === undefined
        ? {}
        : {
            clock: {
              add: (phase, ms) => {
                clock.add(phase, ms);
                clock.add('read', -ms);
              },
            },
          }),
    });
    copy = writer;
    const progress = progressReporter(opts.onProgress, 'download', response.length ?? null);
    const car = guarded(
      response.body,
      evidence,
      async (chunk) => {
        await writer.append(chunk);
        carBytes += chunk.byteLength;
        progress.update(carBytes);
      },
      opts.signal,
    );
    const blocks = await verifyInto(car, checked, out, evidence, opts);
    await writer.flush();
    progress.done(carBytes);
    await carFile.close();
    carFile = undefined;
    // Verified: this CAR becomes the local copy of the document (replacing any older one of the same content).
    await commit(carTemp, cachedCarPath(paths, checked.ref.sha256));
    return { blocks, carBytes };
  } finally {
    response.body.destroy();
    await copy?.settle();
    await carFile?.close().catch(() => undefined);
    await removeQuietly(carTemp);
  }
}

/** The cached CAR, open for reading, or null when there is none. */
async function openCached(path: string): Promise<FileHandle | null> {
  try {
    return await openFile(path, 'r');
  } catch {
    return null;
  }
}

/**
 * Fetches (or takes from the local cache), verifies and decrypts a document. Resolves only once every check
 * passed; otherwise throws DocumentCheckFailed (`check`, `evidence`) and leaves no plaintext behind. A cached
 * copy is verified in full on every open; a cached copy that fails is removed and the failure reported.
 */
export async function openDocument(opts: OpenDocumentOptions): Promise<OpenedDocument> {
  const checked = checkRef(opts.ref);
  gatewayOrigin(opts.gatewayUrl);
  const { ref } = checked;
  const base: DocumentEvidence = { cid: ref.cid };
  cancelled(base, opts.signal);
  const paths = await ensureCache(opts.cache);
  const carPath = cachedCarPath(paths, ref.sha256);
  const partial = tempPath(paths, '.partial');
  let out: FileHandle | undefined;
  let committed = false;
  // Both opens side by side (each is a thread-pool round trip); a cached handle not used is closed below.
  const opening = openCached(carPath);
  let cachedTaken = false;
  try {
    out = await openFile(partial, 'wx', FILE_MODE);
    const cached = await opening;
    let attempt: Attempt | null = null;
    let source: 'cache' | 'gateway' = 'cache';
    if (cached !== null) {
      cachedTaken = true; // fromCache closes it
      const evidence: DocumentEvidence = { ...base, source: 'cache' };
      try {
        attempt = await fromCache(cached, checked, out, evidence, opts);
      } catch (err) {
        if (!(err instanceof DocumentCheckFailed) || err.check !== 'wrong-root') {
          // A copy whose bytes fail their CIDs is useless: remove it so the next open fetches a fresh one.
          // (A decrypt or plaintext-hash failure blames the reference, not the verified copy: kept.)
          if (err instanceof DocumentCheckFailed && damagedCopyChecks.has(err.check))
            await removeQuietly(carPath);
          throw err;
        }
        // The cached copy is of the same content under another CID (the file was sent again under a fresh
        // key): not this reference's copy. Fetch this one.
        await out.truncate(0);
      }
    }
    if (attempt === null) {
      source = 'gateway';
      attempt = await fromGateway(paths, checked, out, { ...base, source: 'gateway' }, opts);
    }
    await out.close();
    out = undefined;
    const file = join(paths.opened, `${randomUUID()}${openedExtension(ref.mediaType)}`);
    await commit(partial, file);
    committed = true;
    const evidence: VerificationEvidence = {
      cid: ref.cid,
      sha256: ref.sha256,
      size: ref.size,
      source,
      blocks: attempt.blocks,
      carBytes: attempt.carBytes,
      checks: verificationChecks,
      verifiedAt: new Date().toISOString(),
    };
    opts.log?.info({ cid: ref.cid, source, blocks: attempt.blocks }, 'document verified');
    return { file, evidence };
  } catch (err) {
    const failure =
      err instanceof AppError
        ? err
        : isAbort(err, opts.signal)
          ? new DocumentCheckFailed('cancelled', base, { cause: err })
          : new AppError('internal', 'The document could not be opened.', { cause: err });
    opts.log?.warn(
      {
        cid: ref.cid,
        code: failure.code,
        check: failure instanceof DocumentCheckFailed ? failure.check : undefined,
        evidence: failure instanceof DocumentCheckFailed ? failure.evidence : undefined,
      },
      'document not verified',
    );
    throw failure;
  } finally {
    checked.key.fill(0);
    await out?.close().catch(() => undefined);
    if (!cachedTaken) await (await opening)?.close().catch(() => undefined);
    if (!committed) await removeQuietly(partial);
  }
}

/** A readable stream of an opened document's verified plaintext; with `removeWhenDone`, the file is deleted
 *  once the stream closes (read to the end, destroyed or failed). */
export function readVerifiedDocument(
  opened: OpenedDocument,
  opts: { removeWhenDone?: boolean } = {},
): ReadStream {
  const stream = createReadStream(opened.file);
  if (opts.removeWhenDone === true) {
    stream.once('close', () => {
      void rm(opened.file, { force: true }).catch(() => undefined);
    });
  }
  return stream;
}
