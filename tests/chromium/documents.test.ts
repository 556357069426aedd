// A doctor sends a lab PDF from the composer; the colleague opens it and sees it only after verification,
// with the badge and its evidence. When the gateway corrupts a block, the colleague sees the failed check and
// no document at all.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { RunningGateway } from '../stack/gateway';
import { userId } from '../stack/hub/hub-test-kit';
import { minimalPdf } from '../integration/documents/fixtures';
import {
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
} from '../support/workstation';
import { axeViolations, launchChromium, openApp, screenshot, serveRenderer } from './harness';

let ws: Workstation;
let gateway: RunningGateway;
let asha: Core;
let samuel: Core;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let ashaPage: Page;
let samuelPage: Page;
let nextFile: string | null = null;
const files = mkdtempSync(join(tmpdir(), 'cm-ui-docs-'));

beforeAll(async () => {
  ws = await startWorkstation();
  const started = await withDocumentGateway(ws);
  gateway = started.gateway;
  const { policyFile } = started;
  asha = await signedIn(ws, 'dr.asha.rao', { policyFile, pickFile: async () => nextFile });
  samuel = await signedIn(ws, 'dr.samuel.okafor', { policyFile });
  await must(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  });
  server = await serveRenderer();
  browser = await launchChromium();
  ashaPage = (await openApp(browser, asha, server.url)).page;
  samuelPage = (await openApp(browser, samuel, server.url)).page;
  for (const page of [ashaPage, samuelPage]) {
    await page
      .getByRole('button', { name: /Dr (Samuel Okafor|Asha Rao)/ })
      .first()
      .click();
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
  await gateway?.close();
});

async function attachPdf(name: string, text: string): Promise<void> {
  nextFile = join(files, name);
  writeFileSync(nextFile, minimalPdf(text));
  await ashaPage.getByRole('button', { name: 'Attach document' }).click();
  await expect
    .poll(() => ashaPage.getByRole('button', { name: `Open ${name}` }).count(), { timeout: 30_000 })
    .toBe(1);
}

it('shows a sent PDF only after verification, with the badge and its evidence', async () => {
  await attachPdf('potassium.pdf', 'Potassium 6.9 mmol/L');
  const open = samuelPage.getByRole('button', { name: 'Open potassium.pdf' });
  await expect.poll(() => open.count(), { timeout: 30_000 }).toBe(1);
  await open.click();
  await samuelPage.getByTestId('verification-badge').waitFor();
  await samuelPage.getByRole('img', { name: 'Page 1 of potassium.pdf' }).waitFor();
  await samuelPage.getByText('Verification details').click();
  expect(await samuelPage.locator('.document-details').innerText()).toMatch(/CID\s+baf[a-z0-9]+/);
  await screenshot(samuelPage, 'document-verified');
  expect(await axeViolations(samuelPage)).toEqual([]);
  await samuelPage.getByRole('button', { name: 'Close document' }).click();
});

it('shows the failed check and no document when the gateway corrupted a block', async () => {
  await attachPdf('xray-report.pdf', 'X-ray report, left wrist');
  const cid = (
    await must<{ document: { cid: string } | null }[]>(samuel, 'messages.page', {
      conversationId: samuel.messaging()!.messages.listConversations()[0]!.conversationId,
      limit: 1,
    })
  )[0]?.document?.cid;
  await gateway.corruptBlock!(cid!);
  const open = samuelPage.getByRole('button', { name: 'Open xray-report.pdf' });
  await expect.poll(() => open.count(), { timeout: 30_000 }).toBe(1);
  await open.click();
  const failure = samuelPage.getByTestId('verification-failure');
  await failure.waitFor();
  expect(await failure.innerText()).toContain(cid!);
  expect(await samuelPage.getByTestId('pdf-pages').count()).toBe(0);
  expect(await samuelPage.getByTestId('verification-badge').count()).toBe(0);
  await screenshot(samuelPage, 'document-failed');
  expect(await axeViolations(samuelPage)).toEqual([]);
});
