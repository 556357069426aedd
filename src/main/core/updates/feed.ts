import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constantTimeEqual, fromBase64 } from '../crypto';
import type { UpdateManifest } from './manifest';

/** What electron-updater's generic provider read from `<channel>.yml` (its `UpdateInfo`, the parts used). */
export interface FeedInfo {
  version: string;
  files: ReadonlyArray<{ url: string; sha512?: string; size?: number }>;
}

/**
 * Whether electron-updater's feed names exactly the release the signed manifest names: same version, and the
 * signed installer file with the signed sha512 and size. electron-updater verifies its download against the
 * feed's sha512, so with this check it can only install the bytes the release key signed.
 */
export function feedMatchesManifest(feed: FeedInfo, manifest: UpdateManifest): boolean {
  if (feed.version !== manifest.version) return false;
  const file = feed.files.find((f) => f.url === manifest.installer.fileName);
  return (
    file !== undefined && file.sha512 === manifest.installer.sha512 && file.size === manifest.installer.size
  );
}

/** Whether the file at `path` has the signed sha512 (compared in constant time). */
export async function fileMatchesSha512(path: string, sha512: string): Promise<boolean> {
  const expected = fromBase64(sha512, 64);
  if (!expected) return false;
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return constantTimeEqual(new Uint8Array(hash.digest()), expected);
}
