import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { createOsKeychain, type Keychain } from '../../../src/main/core/keychain';
import { openProfileStore, type ProfileStore } from '../../../src/main/core/store';

/** A temp directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cm-core-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real store in a temp dir with a random key; closed after the test. */
export function tempStore(): { store: ProfileStore; file: string; key: Uint8Array } {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const store = openProfileStore({ file, key });
  cleanups.push(() => store.close());
  return { store, file, key };
}

/**
 * The real OS keychain under a service name of its own (so parallel test files never meet); every entry of
 * that service is deleted after the test. Needs tests/setup/with-keychain.sh.
 */
export function testKeychain(): { keychain: Keychain; service: string } {
  const service = `Clinical Messenger test ${randomUUID()}`;
  const keychain = createOsKeychain(service);
  cleanups.push(async () => {
    for (const account of await keychain.list()) await keychain.delete(account);
  });
  return { keychain, service };
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
