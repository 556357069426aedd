// The local document cache under a folder the caller chooses (e.g. the profile folder):
//   cars/<name>.car               one verified CAR (ciphertext only) per document content: stored once. The
//                                 name is keyed (HMAC of the plaintext SHA-256 under the profile's secret), so
//                                 the folder does not tell which known document was received on this computer.
//   tmp/                          work files of uploads and opens in progress (removed when they end)
//   opened/                       verified plaintext handed to a viewer; the caller deletes each file, and the
//                                 whole folder is wiped at start, on lock and on sign-out (verified-copy.ts
//                                 re-checks a file against the signed hash on every read)
// Nothing is plaintext at rest except files in opened/ while a viewer holds them.
import { createHmac, randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a profile's document cache lives, and the secret its file names are keyed with. */
export interface DocumentCache {
  dir: string;
  /** 32 bytes, from the profile's keychain-held secret (never stored beside the cache). */
  nameKey: Uint8Array;
}

export interface CachePaths {
  cars: string;
  tmp: string;
  opened: string;
  nameKey: Uint8Array;
}

const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export async function ensureCache(cache: DocumentCache): Promise<CachePaths> {
  if (cache.nameKey.length !== 32) throw new RangeError('the cache name key must be 32 bytes');
  const paths = {
    cars: join(cache.dir, 'cars'),
    tmp: join(cache.dir, 'tmp'),
    opened: join(cache.dir, 'opened'),
    nameKey: cache.nameKey,
  };
  await mkdir(cache.dir, { recursive: true, mode: DIR_MODE });
  // Side by side: each is a thread-pool round trip, and every open starts here.
  await Promise.all(
    [paths.cars, paths.tmp, paths.opened].map((dir) => mkdir(dir, { recursive: true, mode: DIR_MODE })),
  );
  return paths;
}

/** The cached CAR of the document whose plaintext hashes to `sha256Hex`. */
export function cachedCarPath(paths: CachePaths, sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new RangeError('expected a lower-case hex sha256');
  const name = createHmac('sha256', paths.nameKey).update(Buffer.from(sha256Hex, 'hex')).digest('hex');
  return join(paths.cars, `${name}.car`);
}

export function tempPath(paths: CachePaths, suffix: string): string {
  return join(paths.tmp, `${randomUUID()}${suffix}`);
}

/** Atomically puts `from` at `to` (replacing what was there: the newest verified copy is the one kept). */
export async function commit(from: string, to: string): Promise<void> {
  await rename(from, to);
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}

/** Removes work files left by a crash (before any transfer runs). Verified CARs and opened files are kept. */
export async function clearDocumentTemp(cacheDir: string): Promise<void> {
  await rm(join(cacheDir, 'tmp'), { recursive: true, force: true });
}

/** The document cache of the profile whose folder is `profileDir`. */
export function profileDocumentsDir(profileDir: string): string {
  return join(profileDir, 'documents');
}

/**
 * Removes every decrypted copy of one cache (and, unless `keepWork`, every work file), synchronously: called on
 * lock and sign-out, where nothing may be left by the time the lock screen shows. On lock the work files stay,
 * so an upload started before it can finish; an open's work file is removed when the lock aborts it. Verified
 * CARs (ciphertext) are kept.
 */
export function wipeDecrypted(cacheDir: string, options: { keepWork?: boolean } = {}): void {
  rmSync(join(cacheDir, 'opened'), { recursive: true, force: true });
  if (options.keepWork !== true) rmSync(join(cacheDir, 'tmp'), { recursive: true, force: true });
}

/**
 * At start, before any profile opens: what a crash left in any profile's opened/ or tmp/ (also in profiles set
 * aside for IT) is removed. Returns how many caches were wiped.
 */
export function wipeDecryptedAtStart(appDataDir: string): number {
  let wiped = 0;
  for (const parent of ['profiles', 'set-aside']) {
    let entries;
    try {
      entries = readdirSync(join(appDataDir, parent), { withFileTypes: true });
    } catch {
      continue; // none yet
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      try {
        wipeDecrypted(profileDocumentsDir(join(appDataDir, parent, entry.name)));
        wiped += 1;
      } catch {
        // Not removable now (permissions): the profile's document service tries again when it opens.
      }
    }
  }
  return wiped;
}
