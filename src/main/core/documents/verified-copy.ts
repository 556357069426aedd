// The plaintext file an open left in opened/ is only a place to keep verified bytes off the heap: anyone who
// can write the profile folder can change it. So every read re-checks it against the signed reference (size,
// then SHA-256 compared in constant time) and hands out exactly the bytes it hashed — never a second read.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constantTimeEqual } from '../crypto';
import { AppError } from '../errors';
import { FILE_MODE } from './cache';
import { DocumentCheckFailed } from './errors';

/** An opened document's plaintext file and what the signed reference says it must be. */
export interface VerifiedCopy {
  file: string;
  cid: string;
  /** Lower-case hex SHA-256 of the plaintext, from the signed reference. */
  sha256: string;
  size: number;
}

function changed(copy: VerifiedCopy, detail: string, cause?: unknown): DocumentCheckFailed {
  return new DocumentCheckFailed(
    'opened-copy-changed',
    { cid: copy.cid, expected: copy.sha256, detail },
    cause === undefined ? undefined : { cause },
  );
}

function check(copy: VerifiedCopy, digest: Buffer, size: number): void {
  const expected = Buffer.from(copy.sha256, 'hex');
  if (size !== copy.size) throw changed(copy, `${size} bytes on disk, the signed size is ${copy.size}`);
  if (!constantTimeEqual(digest, expected)) throw changed(copy, 'the bytes on disk no longer match');
}

/**
 * The copy's bytes, read once and re-checked. Throws DocumentCheckFailed('opened-copy-changed') when the file
 * is gone, not the signed size, or not the signed hash; `document_refused` when it is larger than `limit`.
 */
export async function readVerifiedCopy(copy: VerifiedCopy, limit = Infinity): Promise<Buffer<ArrayBuffer>> {
  if (copy.size > limit) {
    throw new AppError('document_refused', 'This document is too large to preview here. Save it instead.');
  }
  let handle;
  try {
    handle = await open(copy.file, 'r');
  } catch (error) {
    throw changed(copy, 'the opened copy is gone', error);
  }
  try {
    // One byte more than signed: a longer file is caught without reading all of it.
    const bytes = Buffer.alloc(copy.size + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(bytes, size, bytes.length - size, size);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size === bytes.length) break;
    }
    const body = bytes.subarray(0, size);
    check(copy, createHash('sha256').update(body).digest(), size);
    return body;
  } finally {
    await handle.close();
  }
}

/**
 * Copies the checked bytes to `target`: written beside it under a temporary name, hashed as written, and put
 * in place only if they are the signed bytes (so a refused copy leaves nothing at `target`).
 */
export async function copyVerifiedCopy(copy: VerifiedCopy, target: string): Promise<void> {
  const partial = join(dirname(target), `.${basename(target)}.${randomUUID()}.partial`);
  const hash = createHash('sha256');
  let size = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.byteLength;
      if (size > copy.size) return done(changed(copy, `more than the signed ${copy.size} bytes on disk`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    try {
      await pipeline(
        createReadStream(copy.file),
        hashing,
        createWriteStream(partial, { flags: 'wx', mode: FILE_MODE }),
      );
    } catch (error) {
      if (error instanceof DocumentCheckFailed) throw error;
      if ((error as { path?: string } | null)?.path === copy.file)
        throw changed(copy, 'the opened copy is gone', error);
      throw error;
    }
    check(copy, hash.digest(), size);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true }).catch(() => undefined);
  }
}
