// The local document cache under a folder the caller chooses (e.g. the profile folder):
//   cars/<plaintext sha256>.car   one verified CAR (ciphertext only) per document content: stored once
//   tmp/                          work files of uploads and opens in progress (removed when they end)
//   opened/                       verified plaintext handed to a viewer; the caller deletes each file
// Nothing is plaintext at rest except files in opened/ while a viewer holds them.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachePaths {
  cars: string;
  tmp: string;
  opened: string;
}

const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export function cachePaths(cacheDir: string): CachePaths {
  return { cars: join(cacheDir, 'cars'), tmp: join(cacheDir, 'tmp'), opened: join(cacheDir, 'opened') };
}

export async function ensureCache(cacheDir: string): Promise<CachePaths> {
  const paths = cachePaths(cacheDir);
  await mkdir(cacheDir, { recursive: true, mode: DIR_MODE });
  for (const dir of [paths.cars, paths.tmp, paths.opened])
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
  return paths;
}

/** The cached CAR of the document whose plaintext hashes to `sha256Hex`. */
export function cachedCarPath(paths: CachePaths, sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new RangeError('expected a lower-case hex sha256');
  return join(paths.cars, `${sha256Hex}.car`);
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

/**
 * Removes work files left by a crash (call at start-up, before any transfer runs). Verified CARs and opened
 * files are kept.
 */
export async function clearDocumentTemp(cacheDir: string): Promise<void> {
  const { tmp } = cachePaths(cacheDir);
  await rm(tmp, { recursive: true, force: true });
}
