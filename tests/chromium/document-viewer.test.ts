// Issue 15, the document viewer and the messenger look, on Dr Asha Rao's ward PC (1280x800). Dr Samuel Okafor
// sends two quick lines and a seven-page discharge summary; her screen shows his messages on the left under his
// initials, grouped (his name once), hers on the right, and the summary with an icon, its name and its size.
// Opening it brings a dialog inside the window: "Page 1 of 7", next and previous (buttons and PageUp/PageDown),
// zoom in and out (buttons and Ctrl+=/Ctrl+-) and back to the window's width; Esc closes it and the keyboard is
// back on "Open". A large scan arriving over a slow link shows as far as it is proven, marked "Verifying…",
// until every check passed. A document whose block was corrupted on the gateway opens the same dialog with the
// refusal and no pages. The real renderer in Chromium over a real core, hub, IdP, document gateway and OS keychain;
// every state photographed at the window's size (light and dark) and checked with axe-core.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView } from '../../src/shared/contract';
import { pagedPdf, writeLargePng } from '../integration/documents/fixtures';
import type { RunningGateway } from '../stack/gateway';
import { userId } from '../stack/hub/hub-test-kit';
import {
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
} from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';
const SUMMARY = 'discharge-summary.pdf';
const ECG = 'ecg-bed-4.pdf';
const PAGES = 7;

let ws: Workstation;
let gateway: RunningGateway;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Browser;
let rao: Core;
let okafor: Core;
let withOkafor: string;
let page: Page;
let cspViolations: string[];
let nextFile = '';

const dialog = (name: string) => page.getByRole('dialog', { name });
const pageCount = () => page.getByTestId('page-count').innerText();
const zoomLevel = async () => Number.parseInt(await page.getByTestId('zoom-level').innerText(), 10);
const firstPageWidth = () =>
  page.getByRole('img', { name: `Page 1 of ${SUMMARY}` }).evaluate((el) => el.getBoundingClientRect().width);
const focusedIs = (target: ReturnType<Page['getByRole']>) =>
  target.evaluate((el) => el === document.activeElement);

async function okaforAttaches(fileName: string, content: Buffer | null, text: string): Promise<void> {
  nextFile = join(mkdtempSync(join(tmpdir(), 'cm-viewer-')), fileName);
  if (content) writeFileSync(nextFile, content);
  else await writeLargePng(nextFile, 2.5 * 1024 * 1024, fileName);
  await must(okafor, 'documents.attach', {
    operationId: randomUUID(),
    conversationId: withOkafor,
    text,
    urgent: false,
    ackRequired: false,
    patient: null,
  });
}

beforeAll(async () => {
  ws = await startWorkstation();
  const started = await withDocumentGateway(ws);
  gateway = started.gateway;
  rao = await signedIn(ws, RAO, { policyFile: started.policyFile, deviceName: 'WARD3B-PC01' });
  okafor = await signedIn(ws, OKAFOR, { policyFile: started.policyFile, pickFile: async () => nextFile });
  withOkafor = (
    await must<{ conversationId: string }>(rao, 'conversations.create', {
      kind: 'direct',
      memberIds: [userId(ws.stack, OKAFOR)],
    })
  ).conversationId;
  await converse(
    withOkafor,
    [
      [rao, 'Mr Kumar in bed 4 is ready to go home. Summary?'],
      [okafor, 'Writing it now.'],
      [okafor, 'Bloods normal, ECG unchanged.'],
    ],
    [rao, okafor],
  );
  await okaforAttaches(SUMMARY, pagedPdf('Discharge summary: Mr Ravi Kumar', PAGES), 'Discharge summary');
  await eventually('Dr Rao has the summary', async () => {
    const messages = await must<MessageView[]>(rao, 'messages.page', {
      conversationId: withOkafor,
      limit: 10,
    });
    return messages.some((m) => m.document?.fileName === SUMMARY && m.seq !== null);
  });
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page, cspViolations } = await openApp(browser, rao, server.url));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
  await page.getByRole('button', { name: `Open ${SUMMARY}` }).waitFor({ timeout: 30_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
  await gateway?.close();
});

describe('Dr Rao reads Dr Okafor’s messages and his discharge summary', () => {
  it('his messages on the left under his initials, grouped; hers on the right; the summary with icon and size', async () => {
    const log = page.getByRole('log', { name: 'Messages' });
    const his = log.getByRole('article', { name: 'Message from Dr Samuel Okafor' });
    const first = his.filter({ hasText: 'Writing it now.' });
    const second = his.filter({ hasText: 'Bloods normal' });
    // The group's first message carries his initials and name; the next one neither (same sender, same minute).
    expect((await first.locator('.avatar').innerText()).trim()).toBe('SO');
    expect(await first.locator('.avatar').getAttribute('aria-hidden')).toBe('true');
    expect(await first.locator('.message-meta').innerText()).toContain('Dr Samuel Okafor');
    expect((await second.locator('.avatar').innerText()).trim()).toBe('');
    expect(await second.locator('.message-meta').innerText()).not.toContain('Dr Samuel Okafor');

    // Hers sits against the right edge, his against the left, in different colours.
    const mine = log.getByRole('article', { name: 'Message from Dr Asha Rao' }).locator('.message-bubble');
    const box = (await log.boundingBox())!;
    const mineBox = (await mine.boundingBox())!;
    const hisBox = (await first.locator('.message-bubble').boundingBox())!;
    expect(box.x + box.width - (mineBox.x + mineBox.width)).toBeLessThan(40);
    expect(hisBox.x - box.x).toBeLessThan(80);
    expect(mineBox.x).toBeGreaterThan(hisBox.x + hisBox.width / 2);
    const background = (l: typeof mine) => l.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await background(mine)).not.toBe(await background(first.locator('.message-bubble')));

    // The summary: an icon, its name and its size (its pages are known once it is opened).
    const chip = his.filter({ hasText: SUMMARY }).locator('.message-document');
    expect(await chip.locator('svg').count()).toBe(1);
    expect(await chip.innerText()).toMatch(new RegExp(`${SUMMARY}\\s+\\d+(\\.\\d)? (byte|kB|MB)`));
    await checkScreen(page, 'messenger-conversation');
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await checkScreen(page, 'messenger-conversation-dark');
    await page.emulateMedia({ colorScheme: 'light', forcedColors: 'active' });
    await checkScreen(page, 'messenger-conversation-forced-colors');
    await page.emulateMedia({ colorScheme: 'dark', forcedColors: 'active' });
    await checkScreen(page, 'messenger-conversation-forced-colors-dark');
    await page.emulateMedia({ colorScheme: null, forcedColors: null, reducedMotion: null });
  });

  it('opens as a dialog inside the window: page count, pages, zoom, Esc back to "Open"', async () => {
    const open = page.getByRole('button', { name: `Open ${SUMMARY}` });
    await open.click();
    const viewer = dialog(SUMMARY);
    await viewer.waitFor({ timeout: 30_000 });
    await viewer.getByTestId('verification-badge').waitFor({ timeout: 30_000 });
    expect(await viewer.innerText()).toContain('Sent by Dr Samuel Okafor');
    await page.getByRole('img', { name: `Page 1 of ${SUMMARY}` }).waitFor();
    await expect.poll(pageCount).toBe(`Page 1 of ${PAGES}`);
    const box = (await viewer.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    // The page is drawn (not a blank canvas) once it is in view.
    await expect
      .poll(() =>
        page
          .getByRole('img', { name: `Page 1 of ${SUMMARY}` })
          .evaluate((el) => (el as HTMLCanvasElement).width > 0),
      )
      .toBe(true);
    await checkScreen(page, 'document-viewer');
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await checkScreen(page, 'document-viewer-dark');
    await page.emulateMedia({ colorScheme: null, reducedMotion: null });

    // Pages: the buttons and PageUp/PageDown.
    await viewer.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(pageCount).toBe(`Page 2 of ${PAGES}`);
    await page.keyboard.press('PageDown');
    await expect.poll(pageCount).toBe(`Page 3 of ${PAGES}`);
    await page.keyboard.press('PageUp');
    await expect.poll(pageCount).toBe(`Page 2 of ${PAGES}`);
    await viewer.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(pageCount).toBe(`Page 1 of ${PAGES}`);
    expect(await viewer.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    for (let n = 2; n <= PAGES; n++) await page.keyboard.press('PageDown');
    await expect.poll(pageCount).toBe(`Page ${PAGES} of ${PAGES}`);
    expect(await viewer.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);

    // Zoom: fitted to the window's width, then in and out, by button and by key, and back to the width.
    const fitted = await zoomLevel();
    const fittedWidth = await firstPageWidth();
    await viewer.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(zoomLevel).toBeGreaterThan(fitted);
    expect(await firstPageWidth()).toBeGreaterThan(fittedWidth);
    await expect.poll(pageCount).toBe(`Page ${PAGES} of ${PAGES}`); // still on the page she was reading
    const zoomed = await zoomLevel();
    await page.keyboard.press('Control+-');
    await page.keyboard.press('Control+-');
    await expect.poll(zoomLevel).toBeLessThan(zoomed);
    await page.keyboard.press('Control+=');
    const stepped = await zoomLevel();
    expect(stepped).toBeGreaterThan(0);
    await viewer.getByRole('button', { name: 'Fit to width' }).click();
    await expect.poll(zoomLevel).toBe(fitted);
    console.info(
      `document viewer zoom: fitted ${fitted}%, zoomed in ${zoomed}%, page 1 ${fittedWidth}px wide`,
    );

    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(SUMMARY).count()).toBe(0);
    await expect.poll(() => focusedIs(open)).toBe(true);
    expect(cspViolations).toEqual([]);
  });

  it('a large scan shows while it arrives, marked "Verifying…", then "Verified" once every check passed', async () => {
    const SCAN = 'mri-export.png';
    await okaforAttaches(SCAN, null, 'MRI export');
    const open = page.getByRole('button', { name: `Open ${SCAN}` });
    await expect.poll(() => open.count(), { timeout: 30_000 }).toBe(1);
    const viewer = dialog(SCAN);
    // The gateway sends the first 1.5 MiB of the CAR and waits, as a slow link would.
    const release = gateway.holdCar!(1.5 * 1024 * 1024);
    try {
      await open.click();
      const partial = viewer.getByRole('img', { name: `${SCAN}, shown as far as it is verified so far` });
      await partial.waitFor({ timeout: 30_000 });
      await expect
        .poll(() => partial.evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 10_000 })
        .toBe(8192);
      expect(await viewer.getByTestId('verifying-badge').innerText()).toContain('Verifying…');
      expect(await viewer.getByTestId('verification-badge').count()).toBe(0);
      await checkScreen(page, 'document-viewer-verifying');
    } finally {
      release();
    }
    await viewer.getByTestId('verification-badge').waitFor({ timeout: 30_000 });
    await viewer.getByRole('img', { name: SCAN, exact: true }).waitFor({ timeout: 30_000 });
    expect(await viewer.getByTestId('verifying-badge').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
    expect(cspViolations).toEqual([]);
  });

  it('a block corrupted on the gateway: the dialog shows the refusal and no pages', async () => {
    await okaforAttaches(ECG, pagedPdf('ECG bed 4', 1), 'ECG for bed 4');
    const open = page.getByRole('button', { name: `Open ${ECG}` });
    await expect.poll(() => open.count(), { timeout: 30_000 }).toBe(1);
    const [newest] = await must<MessageView[]>(rao, 'messages.page', {
      conversationId: withOkafor,
      limit: 1,
    });
    const cid = newest!.document!.cid;
    await gateway.corruptBlock!(cid);
    await open.click();
    const viewer = dialog(ECG);
    const failure = viewer.getByTestId('verification-failure');
    await failure.waitFor({ timeout: 30_000 });
    expect(await failure.innerText()).toContain(cid);
    expect(await failure.innerText()).toContain('could not be verified, so it is not shown');
    expect(await page.getByTestId('pdf-pages').count()).toBe(0);
    expect(await page.getByTestId('verification-badge').count()).toBe(0);
    expect(await failure.getByRole('button', { name: 'Export evidence' }).count()).toBe(1);
    await checkScreen(page, 'document-viewer-refused');
    await viewer.getByRole('button', { name: 'Close document' }).click();
    await expect.poll(() => dialog(ECG).count()).toBe(0);
    await expect.poll(() => focusedIs(open)).toBe(true);
  });
});
