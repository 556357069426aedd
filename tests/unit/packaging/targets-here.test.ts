// Which installers a build machine can make (build/targets-here.mjs), and npm run dist stopping with one
// sentence, before building anything, when asked for one it cannot.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { downloadNeeded, whyNotBuildableHere } from '../../../build/targets-here.mjs';

const root = resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'cm-targets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
if (process.platform !== 'linux') {
  console.warn('[targets-here] SKIPPED the npm run dist refusal: it asks a Linux machine for an MSI.');
}

describe('the machine IT builds installers on', () => {
  it('builds each installer only on its own OS', () => {
    expect(whyNotBuildableHere('msi', 'linux')).toBe('msi is built on Windows');
    expect(whyNotBuildableHere('nsis', 'darwin')).toBe('nsis is built on Windows');
    expect(whyNotBuildableHere('pkg', 'win32')).toBe('pkg is built on macOS');
    expect(whyNotBuildableHere('deb', 'win32')).toBe('deb is built on Linux');
    expect(whyNotBuildableHere('deb', 'linux')).toBeNull();
    expect(whyNotBuildableHere('msi', 'win32')).toBeNull();
    expect(whyNotBuildableHere('AppImage', 'linux')).toBe('AppImage is not a target of this project');
  });

  it('says deb needs fpm until a download finished, and not once fpm is there', () => {
    const cache = join(scratch, 'cache');
    const fpm = join(cache, 'fpm@2.1.4', 'fpm-1.17.0-ruby-3.4.3-linux-amd64');
    mkdirSync(fpm, { recursive: true }); // what a failed download leaves behind
    const needsFpm = downloadNeeded('deb', { ELECTRON_BUILDER_CACHE: cache });
    expect(needsFpm).toMatch(/^fpm, which electron-builder downloads on first use/);
    writeFileSync(join(fpm, 'fpm'), '');
    expect(downloadNeeded('deb', { ELECTRON_BUILDER_CACHE: cache })).toBeNull();
    expect(downloadNeeded('rpm', { CUSTOM_FPM_PATH: join(fpm, 'fpm') })).toBeNull();
    expect(downloadNeeded('msi', { ELECTRON_BUILDER_CACHE: join(scratch, 'empty') })).toBeNull();
  });

  it.runIf(process.platform === 'linux')(
    'npm run dist on Linux refuses an MSI in one sentence instead of trying to download WiX',
    async () => {
      const run = promisify(execFile)(process.execPath, ['tools/dist.mjs', '--only', 'msi'], { cwd: root });
      await expect(run).rejects.toMatchObject({
        code: 1,
        stderr: 'npm run dist stopped: msi: not a target of this OS (deb, rpm)\n',
      });
    },
  );
});
