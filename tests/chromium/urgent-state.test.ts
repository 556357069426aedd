// Issue 15, on Dr Samuel Okafor's screen (WARD3B-PC01): urgent is the loudest thing there is. While he reads
// Dr Lena Fischer's conversation, Dr Asha Rao sends him an urgent message that needs acknowledgement: her
// conversation goes to the top of his list with a red filled badge ("2 unread, 1 urgent"), ahead of a newer
// routine one. Opening it, the message carries a red band and stays pinned above the timeline, by sender and
// 24-hour time, with the way to it, until he acknowledges it (reading is not enough); an urgent message that asks
// for no acknowledgement is pinned only until read. Locked, his screen says "1 urgent message" when another
// arrives, and nothing else of it: no sender, no text, no patient. Screenshots at 1280x800 (light, dark, forced
// colours) and axe-core on each.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { converse, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';
const FISCHER = 'dr.lena.fischer';
const ARREST = 'Bed 4 arrest call, come now';
const SECOND = 'Bed 6 sats 82% on 15 L, please come';
const PATIENT = { mrn: 'MRN-440127', name: 'Mr Ravi Kumar' };
/** The red of urgent (tokens.css --color-urgent-bg), as the browser computes it. */
const URGENT_RED = 'rgb(179, 20, 31)';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let rao: Core;
let okafor: Core;
let fischer: Core;
let withRao: string;
let withFischer: string;
let page: Page;

const send = (from: Core, conversationId: string, text: string, urgent: boolean, ackRequired = false) =>
  must(from, 'messages.send', { conversationId, text, urgent, ackRequired, patient: null });
const listItems = () => page.locator('.conversation-list').getByRole('button');
const conversationWith = (name: string) => listItems().filter({ hasText: name });
const pinned = () => page.getByRole('region', { name: 'Pinned messages' });

beforeAll(async () => {
  ws = await startWorkstation();
  // One after the other: the IdP answers sign-ins in the order they were queued.
  rao = await signedIn(ws, RAO);
  okafor = await signedIn(ws, OKAFOR);
  fischer = await signedIn(ws, FISCHER);
  const create = async (from: Core) =>
    (
      await must<{ conversationId: string }>(from, 'conversations.create', {
        kind: 'direct',
        memberIds: [userId(ws.stack, OKAFOR)],
      })
    ).conversationId;
  [withRao, withFischer] = await Promise.all([create(rao), create(fischer)]);
  await converse(withRao, [[rao, 'On the ward until 18:00']], [rao, okafor]);
  await converse(withFischer, [[fischer, 'Bed 2 admitted from ED']], [fischer, okafor]);
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, okafor, server.url));
  await conversationWith('Dr Lena Fischer').click();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

it('puts Dr Rao’s urgent conversation first with a red filled badge, ahead of a newer routine one', async () => {
  await send(rao, withRao, ARREST, true, true);
  await conversationWith('Dr Asha Rao').getByLabel('2 unread, 1 urgent').waitFor({ timeout: 30_000 });
  // Dr Fischer writes after: by time hers is the newest, and he is reading it.
  await send(fischer, withFischer, 'Bed 2 settled, thanks', false);
  await page
    .getByRole('log', { name: 'Messages' })
    .getByText('Bed 2 settled, thanks')
    .waitFor({ timeout: 30_000 });

  await expect
    .poll(() => conversationWith('Dr Lena Fischer').innerText(), { timeout: 10_000 })
    .toContain('Bed 2 settled, thanks');
  expect(await listItems().first().innerText()).toContain('Dr Asha Rao');
  const badge = conversationWith('Dr Asha Rao').getByLabel('2 unread, 1 urgent');
  expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(URGENT_RED);
  expect(
    await conversationWith('Dr Lena Fischer')
      .getByLabel(/unread/)
      .count(),
  ).toBe(0);
  // Times on a 24-hour clock, in the list as everywhere.
  for (const time of await page.locator('.conversation-time').allInnerTexts()) {
    expect(time).toMatch(/^(\d{1,2} \w{3} |\w{3} \d{1,2} )?\d\d:\d\d$/);
  }
  expect(await page.locator('body').innerText()).not.toMatch(/\b[AP]M\b/);
  await checkScreen(page, 'urgent-list');
});

it('pins the urgent message above the timeline until he acknowledges it, read or not', async () => {
  await conversationWith('Dr Asha Rao').click();
  const message = page.getByRole('article', { name: 'Message from Dr Asha Rao' }).filter({ hasText: ARREST });
  await message.waitFor({ timeout: 30_000 });
  const band = message.locator('.urgent-band');
  expect((await band.innerText()).trim()).toBe('Urgent');
  expect(await band.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(URGENT_RED);

  // Read now (the badge has gone), still pinned: it asks for acknowledgement.
  await expect
    .poll(() =>
      conversationWith('Dr Asha Rao')
        .getByLabel(/unread/)
        .count(),
    )
    .toBe(0);
  expect((await pinned().locator('p').innerText()).trim()).toMatch(
    /^Urgent from Dr Asha Rao at \d\d:\d\d · acknowledgement required$/,
  );
  expect(await page.locator('body').innerText()).not.toMatch(/\b[AP]M\b/);

  // Meanwhile Dr Fischer sends an urgent one that asks for no acknowledgement: her conversation goes first.
  await send(fischer, withFischer, 'Bed 2 BP 80/40', true);
  await expect.poll(() => listItems().first().innerText(), { timeout: 30_000 }).toContain('Dr Lena Fischer');
  await conversationWith('Dr Lena Fischer').getByLabel('1 unread, 1 urgent').waitFor();

  // The banner takes him to the message, wherever he has scrolled to.
  await page.locator('.message-scroller').evaluate((el) => el.scrollTo(0, 0));
  await pinned()
    .getByRole('button', { name: /^Go to message from Dr Asha Rao at \d\d:\d\d$/ })
    .click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain(ARREST);
  await checkScreen(page, 'urgent-pinned');
  // Reduced motion: no colour transition half-way through in the screenshot.
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await checkScreen(page, 'urgent-pinned-dark');
  await page.emulateMedia({ colorScheme: 'light', forcedColors: 'active' });
  // Forced colours repaint the red: the band keeps its icon, its word and its border.
  expect(await band.locator('svg').count()).toBe(1);
  expect(await band.evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe('2px');
  await checkScreen(page, 'urgent-pinned-forced-colors');
  await page.emulateMedia({ colorScheme: null, forcedColors: null, reducedMotion: null });

  await message.getByRole('button', { name: 'Acknowledge', exact: true }).click();
  await expect.poll(() => pinned().count(), { timeout: 30_000 }).toBe(0);
  expect(await message.innerText()).toMatch(/You acknowledged at \d\d:\d\d/);
  // Dr Rao's side has his signed acknowledgement.
  const acknowledged = async () => {
    const messages = await must<MessageView[]>(rao, 'messages.page', { conversationId: withRao, limit: 50 });
    return messages.find((m) => m.text === ARREST)?.acknowledgements.length ?? 0;
  };
  await expect.poll(acknowledged, { timeout: 30_000 }).toBe(1);
});

it('pins an urgent message that asks for no acknowledgement only until it is read', async () => {
  await conversationWith('Dr Lena Fischer').click();
  await page.getByRole('log', { name: 'Messages' }).getByText('Bed 2 BP 80/40').waitFor({ timeout: 30_000 });
  await expect
    .poll(() =>
      conversationWith('Dr Lena Fischer')
        .getByLabel(/unread/)
        .count(),
    )
    .toBe(0);
  await expect.poll(() => pinned().count(), { timeout: 10_000 }).toBe(0);
});

it('locked, says "1 urgent message" when another arrives, and nothing else of it', async () => {
  await must(okafor, 'session.setPin', { pin: '4826' });
  await must(okafor, 'session.lock');
  await page.getByRole('heading', { name: 'Locked — Dr Samuel Okafor' }).waitFor({ timeout: 10_000 });
  const status = page.locator('.lock-urgent');
  expect((await status.innerText()).trim()).toBe('');

  await must(rao, 'messages.send', {
    conversationId: withRao,
    text: SECOND,
    urgent: true,
    ackRequired: true,
    patient: PATIENT,
  });
  await expect
    .poll(async () => (await status.innerText()).trim(), { timeout: 30_000 })
    .toBe('1 urgent message');
  expect(await status.getAttribute('role')).toBe('status');
  const screen = await page.locator('body').innerText();
  for (const secret of [SECOND, 'Asha', 'Rao', PATIENT.mrn, PATIENT.name, ARREST]) {
    expect(screen).not.toContain(secret);
  }
  await checkScreen(page, 'urgent-lock');
});
