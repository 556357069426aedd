// Availability as staff see it, against the real hub: Dr Samuel Okafor sets In theatre with the status
// control (keyboard only); Dr Asha Rao sees it in their conversation's header at once and in the directory;
// she then sets Do not disturb until a time, and Dr Okafor's header says so. Each status is also a dot on the
// person's avatar, in the conversation list and on their messages: a symbol in a ring, named in words.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MyAvailabilityView } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { converse, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let rao: Core;
let okafor: Core;
let raoPage: Page;
let okaforPage: Page;

async function openOn(core: Core, other: string): Promise<Page> {
  const { page } = await openApp(browser, core, server.url);
  await page
    .getByRole('button', { name: new RegExp(other) })
    .first()
    .click();
  await page.getByRole('heading', { name: other, level: 2 }).waitFor();
  return page;
}

const control = (page: Page) => page.getByRole('form', { name: 'My status' });
const header = (page: Page) => page.getByTestId('conversation-availability');

beforeAll(async () => {
  ws = await startWorkstation();
  rao = await signedIn(ws, RAO, { deviceName: 'WARD3B-PC01' });
  okafor = await signedIn(ws, OKAFOR, { deviceName: 'THEATRE2-PC01' });
  const { conversationId } = await must<{ conversationId: string }>(rao, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, OKAFOR)],
  });
  await converse(conversationId, [[rao, 'Bed 4: can you review the ECG after your list?']], [rao, okafor]);
  server = await serveRenderer();
  browser = await launchChromium();
  raoPage = await openOn(rao, 'Dr Samuel Okafor');
  okaforPage = await openOn(okafor, 'Dr Asha Rao');
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('availability', () => {
  it('Dr Okafor sets In theatre with the keyboard; Dr Rao sees it in the conversation header at once', async () => {
    const form = control(okaforPage);
    await expect.poll(() => form.getByTestId('my-availability').innerText()).toContain('Available');
    await form.getByLabel('Status').focus();
    await form.getByLabel('Status').selectOption('in_theatre');
    await okaforPage.keyboard.press('Tab');
    expect(await okaforPage.evaluate(() => document.activeElement?.textContent)).toBe('Set status');
    await okaforPage.keyboard.press('Enter');
    await expect.poll(() => form.getByTestId('my-availability').innerText()).toContain('In theatre');
    expect(await must<MyAvailabilityView>(okafor, 'directory.myAvailability')).toEqual({
      availability: { status: 'in_theatre', until: null },
      published: true,
    });
    await checkScreen(okaforPage, 'availability-status-control');

    await expect.poll(() => header(raoPage).innerText(), { timeout: 30_000 }).toBe('✚ In theatre');
    await checkScreen(raoPage, 'availability-okafor-in-theatre-header');

    // His avatar in her list carries a dot with the same symbol, and his row says the status in words.
    const dot = raoPage
      .locator('.conversation-item', { hasText: 'Dr Samuel Okafor' })
      .locator('.presence-dot');
    await expect.poll(() => dot.getAttribute('data-status'), { timeout: 30_000 }).toBe('in_theatre');
    expect(await dot.innerText()).toBe('✚');
    await raoPage.getByRole('button', { name: /^Dr Samuel Okafor\s?, In theatre/ }).waitFor();
    await checkScreen(raoPage, 'availability-presence-dot', ['1280x800', 'forced-colors', 'dark']);
  });

  it('Dr Rao finds him in the directory, In theatre', async () => {
    const directory = raoPage.getByRole('region', { name: 'New conversation' });
    await directory.getByLabel('Find staff by name, role or department').fill('Okafor');
    await directory.getByRole('button', { name: 'Search', exact: true }).click();
    const found = directory.getByRole('list', { name: 'Staff found' }).getByRole('listitem');
    await expect.poll(() => found.first().innerText(), { timeout: 30_000 }).toContain('In theatre');
    expect(await found.count()).toBe(1);
    await checkScreen(raoPage, 'availability-directory-results');
  });

  it('Dr Rao sets Do not disturb until a time; Dr Okafor sees until when', async () => {
    const form = control(raoPage);
    await form.getByLabel('Status').selectOption('dnd');
    const until = form.getByLabel('Until');
    await until.waitFor();
    const end = new Date(Date.now() + 90 * 60_000);
    const hhmm = `${String(end.getHours()).padStart(2, '0')}:${String(end.getMinutes()).padStart(2, '0')}`;
    // After 22:30 the end is tomorrow, and the label names the day too ("until Dec 6 01:13").
    const day = end.toDateString() === new Date().toDateString() ? '' : '\\S+ \\S+ ';
    const untilLabel = `Do not disturb until ${day}${hhmm}`;
    await until.fill(hhmm);
    expect(await form.innerText()).toContain('urgent ones always do');
    await checkScreen(raoPage, 'availability-dnd-choice');
    await form.getByRole('button', { name: 'Set status' }).click();
    await expect.poll(() => form.getByTestId('my-availability').innerText()).toMatch(new RegExp(untilLabel));
    await expect
      .poll(() => header(okaforPage).innerText(), { timeout: 30_000 })
      .toMatch(new RegExp(`^⊘ ${untilLabel}$`));
    await checkScreen(okaforPage, 'availability-rao-dnd-header');

    // Her avatar on her message in his timeline, and in his list, show it too (by symbol and in words).
    await okaforPage
      .getByRole('log', { name: 'Messages' })
      .getByRole('img', { name: new RegExp(`Dr Asha Rao, ${untilLabel}`) })
      .waitFor({ timeout: 30_000 });
    const dot = okaforPage.locator('.conversation-item', { hasText: 'Dr Asha Rao' }).locator('.presence-dot');
    expect(await dot.getAttribute('data-status')).toBe('dnd');
    expect(await dot.innerText()).toBe('⊘');
    await checkScreen(okaforPage, 'availability-message-avatar-dnd', ['1280x800', 'forced-colors', 'dark']);
  });
});
