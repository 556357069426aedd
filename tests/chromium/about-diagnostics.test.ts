// IT is on the phone with the ward: Dr Asha Rao opens Settings → Help: about this application on
// WARD3B-PC01, looks at what the diagnostics bundle contains, and saves it for IT. The bundle on disk is
// the one shown, and the screen passes axe-core.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { diagnosticsFormat } from '../../src/main/core/diagnostics/bundle';
import { createFileLogger, type LogFiles } from '../../src/main/core/log/log-files';
import { signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let logFiles: LogFiles;
let page: Page;
const saveTo = join(mkdtempSync(join(tmpdir(), 'cm-about-')), 'WARD3B-PC01-diagnostics.json');

beforeAll(async () => {
  ws = await startWorkstation();
  const appDataDir = mkdtempSync(join(tmpdir(), 'cm-about-pc-'));
  const logger = await createFileLogger({ appDataDir, level: 'info' });
  logFiles = logger.files;
  const asha = await signedIn(ws, 'dr.asha.rao', {
    appDataDir,
    log: logger.log,
    logFiles,
    deviceName: 'WARD3B-PC01',
    pickSavePath: async () => saveTo,
  });
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, asha, server.url));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
  await logFiles?.close();
});

it('shows the version and what the bundle holds, and saves it where the user chose', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  const about = page.getByRole('region', { name: 'Help: about this application' });
  await expect
    .poll(() => about.getByTestId('about-version').textContent())
    .toMatch(/^Clinical Messenger 0\.1\.0/);

  await about.getByText('Show what the bundle contains').click();
  const preview = about.getByTestId('diagnostics-preview');
  await expect.poll(() => preview.textContent()).toContain(diagnosticsFormat);
  expect(await preview.textContent()).toContain('"workstation": "WARD3B-PC01"');
  await about.getByTestId('diagnostics-preview').scrollIntoViewIfNeeded();
  await checkScreen(page, 'about-diagnostics');

  await about.getByRole('button', { name: 'Save diagnostics bundle' }).click();
  await expect.poll(() => about.getByText('Diagnostics bundle saved.').isVisible()).toBe(true);
  expect(existsSync(saveTo)).toBe(true);
  const saved = JSON.parse(readFileSync(saveTo, 'utf8')) as {
    format: string;
    profiles: { count: number };
    logs: { lastLines: string[] };
  };
  expect(saved).toMatchObject({ format: diagnosticsFormat, profiles: { count: 1 } });
  expect(saved.logs.lastLines.length).toBeGreaterThan(0);
  expect(readFileSync(saveTo, 'utf8')).not.toMatch(/Asha|Rao/);
});
