// Two staff in two app windows (real renderer in Chromium, each over its own real core), talking through the
// real hub: find a colleague, send an urgent message with a patient tag, read it, acknowledge it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { twoClinicians, type Workstation } from '../support/workstation';
import { axeViolations, launchChromium, openApp, screenshot, serveRenderer } from './harness';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let ashaPage: Page;
let samuelPage: Page;

beforeAll(async () => {
  ({ ws, asha, samuel } = await twoClinicians());
  server = await serveRenderer();
  browser = await launchChromium();
  ashaPage = (await openApp(browser, asha, server.url)).page;
  samuelPage = (await openApp(browser, samuel, server.url)).page;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

it('finds a colleague, sends an urgent message with a patient tag, and sees it read and acknowledged', async () => {
  await ashaPage.getByRole('heading', { name: 'Conversations' }).waitFor();
  await ashaPage.getByLabel('Find staff by name, role or department').fill('Okafor');
  await ashaPage.getByRole('button', { name: 'Search' }).click();
  await ashaPage.getByRole('button', { name: 'Message Dr Samuel Okafor' }).click();
  await ashaPage.getByRole('heading', { name: 'Dr Samuel Okafor', level: 2 }).waitFor();
  await screenshot(ashaPage, 'conversation-new');
  expect(await axeViolations(ashaPage)).toEqual([]);

  await ashaPage.getByLabel('Message', { exact: true }).fill('Bed 12: potassium 6.9, please review now');
  await ashaPage.getByLabel('Urgent').check();
  await ashaPage.getByLabel('Acknowledgement required').check();
  await ashaPage.getByLabel('Patient MRN').fill('MRN-004211');
  await ashaPage.getByLabel('Patient name').fill('Jane Doe');
  await ashaPage.getByRole('button', { name: 'Send' }).click();
  const sent = ashaPage.getByRole('article', { name: 'Message from Dr Asha Rao' });
  await expect.poll(() => sent.textContent(), { timeout: 30_000 }).toContain('Bed 12: potassium 6.9');

  // Samuel's list shows it unread and urgent; opening it shows the message and marks it read.
  const item = samuelPage.getByRole('button', { name: /Dr Asha Rao/ });
  await expect.poll(() => item.textContent(), { timeout: 30_000 }).toContain('Urgent');
  expect(await item.textContent()).toContain('Patient MRN-004211');
  await screenshot(samuelPage, 'conversation-list');
  expect(await axeViolations(samuelPage)).toEqual([]);
  await item.click();
  const received = samuelPage.getByRole('article', { name: 'Message from Dr Asha Rao' });
  await expect
    .poll(() => received.textContent(), { timeout: 30_000 })
    .toContain('Patient Jane Doe · MRN-004211');
  await samuelPage.getByRole('button', { name: 'Acknowledge' }).click();
  await screenshot(samuelPage, 'conversation');
  expect(await axeViolations(samuelPage)).toEqual([]);

  await expect
    .poll(() => sent.textContent(), { timeout: 30_000 })
    .toContain('Acknowledged by Dr Samuel Okafor');
  await screenshot(ashaPage, 'conversation-acknowledged');
});
