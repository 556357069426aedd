// The install step of signed updates (docs/updates.md) needs Electron: electron-updater's generic provider,
// pointed at the reference update server, must read the same release the signed manifest names, so the
// adapter (src/main/shell/update-installer.ts) lets it install only the signed bytes. Where the Electron binary
// is absent this file is skipped and says why; the core's side is tested in tests/integration/updates.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, randomBytes } from '../../src/main/core/crypto';
import { generateAdminKeyPair } from '../../src/main/core/revocation';
import { feedMatchesManifest } from '../../src/main/core/updates';
import { testTls } from '../stack/test-env';
import { publishRelease, startUpdateServer, type RunningUpdateServer } from '../stack/updates';
import { findElectron } from '../support/electron-binary';

const electron = findElectron();
if ('reason' in electron) {
  console.warn(
    `[update installer] SKIPPED: the Electron binary is not installed on this machine (${electron.reason}); ` +
      'the electron-updater install step cannot run without it.',
  );
}

describe.runIf('path' in electron)("electron-updater's generic provider, in real Electron", () => {
  let server: RunningUpdateServer;
  beforeAll(async () => {
    server = await startUpdateServer({ tls: testTls() });
  });
  afterAll(() => server?.close());

  it('reads from the reference update server exactly the release the signed manifest names', async () => {
    const key = await generateAdminKeyPair();
    const signed = await publishRelease(
      server,
      { channel: 'stable', version: '99.1.0', installer: randomBytes(64 * 1024) },
      fromBase64(key.secretKey, 64)!,
    );
    const { stdout } = await promisify(execFile)(
      (electron as { path: string }).path,
      [resolve('tests/electron/fixtures/update-feed-main.mjs'), server.url, 'stable', testTls().caCertPath],
      { env: { ...process.env, ELECTRON_ENABLE_LOGGING: '0' }, timeout: 60_000 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('FEED '));
    expect(line, stdout).toBeDefined();
    const feed = JSON.parse(line!.slice('FEED '.length)) as { version: string; files: { url: string }[] };
    expect(feedMatchesManifest(feed, signed.manifest)).toBe(true);
  });
});
