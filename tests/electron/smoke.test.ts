import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findElectron } from '../support/electron-binary';

const electron = findElectron();
if ('reason' in electron) {
  console.warn(
    `[electron smoke] SKIPPED: the Electron binary is not installed on this machine (${electron.reason}).`,
  );
}

describe.runIf('path' in electron)('the packaged shell, in real Electron', () => {
  it('opens a sandboxed window that shows app info and refuses navigation and new windows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-electron-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ hubUrl: 'https://hub.hospital.example' }));
    const app = await _electron.launch({
      executablePath: (electron as { path: string }).path,
      args: ['.', `--user-data-dir=${join(dir, 'user-data')}`],
      env: { ...process.env, CLINICAL_MESSENGER_POLICY: policy, ELECTRON_RENDERER_URL: '' },
    });
    try {
      const page = await app.firstWindow();
      await page.getByText('Connection and policy details').click();
      expect(await page.getByTestId('app-info').innerText()).toContain('https://hub.hospital.example');
      const surface = await page.evaluate(() => ({
        keys: Object.keys(window.clinical),
        require: typeof (window as { require?: unknown }).require,
      }));
      expect(surface).toEqual({ keys: ['call', 'on'], require: 'undefined' });
      await page.evaluate(() => window.open('https://example.org'));
      await page.evaluate(() => {
        location.href = 'https://example.org';
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(app.windows()).toHaveLength(1);
      expect(page.url()).toMatch(/^app:\/\/renderer\//);
    } finally {
      await app.close();
    }
  });
});
