// Issue 15, the shell. Dr Asha Rao on WARD3B-PC01 (1280x800): the window is the messenger and never scrolls as a
// page. The header with the connection state, the conversation's bar and the Send button stay in view while Dr
// Samuel Okafor's long thread scrolls inside its own log; contact details open beside the conversation, not above
// the composer. The sidebar's Unread and Urgent filters narrow her list. At 320 CSS px wide (1280 px at 400%
// zoom, WCAG 1.4.10) nothing scrolls sideways: the list and the open conversation take turns, and
// "Conversations" goes back. The real renderer in Chromium over a real core, hub and IdP; viewport screenshots
// (1280x800, 1920x1080, 320x800, dark, forced colours) each pass axe-core.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { userId } from '../stack/hub/hub-test-kit';
import { converse, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { axeViolations, checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';
const FISCHER = 'dr.lena.fischer';
const URGENT = 'ICU bed 2: lactate 4.8, please come';
const THREAD = 40;

let ws: Workstation;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Browser;
let rao: Core;
let page: Page;

const list = () => page.locator('.conversation-list');
const titles = () => list().locator('.conversation-title').allInnerTexts();
const filter = (name: string) =>
  page.getByRole('group', { name: 'Show conversations' }).getByRole('button', { name, exact: true });
const send = () => page.getByRole('button', { name: 'Send', exact: true });
const log = () => page.getByRole('log', { name: 'Messages' });
const heading = () => page.locator('#conversation-heading');

/** The page itself does not scroll, either way (the sidebar and the timeline scroll inside themselves). */
const pageOverflow = () =>
  page.evaluate(() => {
    const root = document.scrollingElement!;
    return { down: root.scrollHeight - innerHeight, across: root.scrollWidth - innerWidth };
  });
/** Wholly inside the window. */
async function inView(target: Locator): Promise<boolean> {
  const box = await target.boundingBox();
  const size = page.viewportSize()!;
  return (
    box !== null &&
    box.x >= 0 &&
    box.y >= 0 &&
    box.x + box.width <= size.width &&
    box.y + box.height <= size.height
  );
}

beforeAll(async () => {
  ws = await startWorkstation();
  rao = await signedIn(ws, RAO, { deviceName: 'WARD3B-PC01' });
  const okafor = await signedIn(ws, OKAFOR);
  const fischer = await signedIn(ws, FISCHER);
  const create = async (kind: 'direct' | 'group', to: string[]) =>
    (
      await must<{ conversationId: string }>(rao, 'conversations.create', {
        kind,
        memberIds: to.map((u) => userId(ws.stack, u)),
      })
    ).conversationId;
  const withOkafor = await create('direct', [OKAFOR]);
  const withFischer = await create('direct', [FISCHER]);
  const ward = await create('group', [OKAFOR, FISCHER]);
  // A long thread with Dr Okafor (unread), her own note to the ward (nothing unread), an urgent one from Dr Fischer.
  await converse(
    withOkafor,
    Array.from({ length: THREAD }, (_, i) =>
      i % 2 === 0
        ? ([okafor, `Bed ${i + 1}: obs stable, NEWS ${i % 5}`] as const)
        : ([rao, `Noted bed ${i}, review at ${String(8 + (i % 10)).padStart(2, '0')}:00`] as const),
    ),
    [rao, okafor],
  );
  await converse(ward, [[rao, 'Ward 3B handover at 19:30 in the office']], [rao, okafor, fischer]);
  await must(fischer, 'messages.send', {
    conversationId: withFischer,
    text: URGENT,
    urgent: true,
    ackRequired: false,
    patient: null,
  });
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, rao, server.url));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('Dr Rao’s window at 1280x800', () => {
  it('Unread and Urgent narrow her list to what she has to read, All brings the rest back', async () => {
    await list().getByLabel('1 unread, 1 urgent').waitFor({ timeout: 30_000 });
    // The names come from the staff directory, a moment after the counts.
    await expect
      .poll(async () => (await titles()).sort(), { timeout: 30_000 })
      .toEqual(['Dr Lena Fischer', 'Dr Samuel Okafor', 'Dr Samuel Okafor, Dr Lena Fischer']);
    expect(await filter('All').getAttribute('aria-pressed')).toBe('true');
    // The filter set at the top of her list, with "New" beside it.
    const top = await page.locator('.sidebar__top button, .sidebar-filters button').allInnerTexts();
    expect(top.map((text) => text.trim())).toEqual([
      expect.stringMatching(/^New\b/),
      'All',
      'Unread',
      'Urgent',
      expect.stringMatching(/^Awaiting my acknowledgement\s+\d+$/),
      'Patients',
    ]);

    await filter('Unread').click();
    await expect.poll(titles).toEqual(['Dr Lena Fischer', 'Dr Samuel Okafor']);
    expect(await filter('Unread').getAttribute('aria-pressed')).toBe('true');
    expect(await filter('All').getAttribute('aria-pressed')).toBe('false');

    await filter('Urgent').click();
    await expect.poll(titles).toEqual(['Dr Lena Fischer']);
    await checkScreen(page, 'shell-filter-urgent');

    await filter('All').click();
    await expect.poll(async () => (await titles()).length).toBe(3);

    // "New" at the top takes her to the staff search, whatever is above it.
    await page.getByRole('button', { name: 'New conversation' }).click();
    const query = page.getByLabel('Find staff by name, role or department');
    await expect.poll(() => query.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await inView(query)).toBe(true);
  });

  it('never scrolls as a page: header, connection state and Send stay in view; the timeline scrolls itself', async () => {
    await list()
      .getByRole('button', { name: /^Dr Samuel Okafor(?!,)/ })
      .click();
    await heading().waitFor();
    await expect.poll(() => log().getByRole('article').count(), { timeout: 30_000 }).toBeGreaterThan(5);

    expect((await pageOverflow()).down).toBeLessThanOrEqual(1);
    expect(await inView(heading())).toBe(true);
    expect(await inView(page.getByTestId('connection-state'))).toBe(true);
    expect(await inView(send())).toBe(true);
    expect(await inView(page.getByLabel('Message', { exact: true }))).toBe(true);
    // 40 messages do not fit: the log scrolls, and only the log.
    const scroll = await log().evaluate((el) => ({ height: el.scrollHeight, shown: el.clientHeight }));
    expect(scroll.height).toBeGreaterThan(scroll.shown * 1.5);
    await log().evaluate((el) => el.scrollTo(0, 0));
    await expect.poll(() => log().evaluate((el) => el.scrollTop)).toBe(0);
    expect(await page.evaluate(() => document.scrollingElement!.scrollTop)).toBe(0);
    expect(await inView(heading())).toBe(true);
    expect(await inView(send())).toBe(true);
    await log().evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await checkScreen(page, 'shell', ['1280x800', 'dark', 'forced-colors', '1920x1080']);

    await page.emulateMedia({ forcedColors: 'active' });
    expect(await inView(send())).toBe(true);
    await page.emulateMedia({ forcedColors: null });
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await pageOverflow()).toEqual({ down: 0, across: 0 });
    expect(await inView(send())).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('contact details open in a side panel beside the conversation, the composer still in view', async () => {
    await page.getByRole('button', { name: 'Contact details' }).click();
    const panel = page.getByRole('complementary', { name: 'Contact details' });
    await panel.getByTestId('safety-number').first().waitFor();
    const [side, timeline] = await Promise.all([panel.boundingBox(), log().boundingBox()]);
    expect(side!.x).toBeGreaterThanOrEqual(timeline!.x + timeline!.width);
    expect(await inView(send())).toBe(true);
    expect((await pageOverflow()).down).toBeLessThanOrEqual(1);
    await checkScreen(page, 'shell-contact-details');
    await panel.getByRole('button', { name: 'Close contact details' }).click();
    expect(await panel.count()).toBe(0);
  });
});

describe('at 320 CSS px wide (1280x800 at 400% zoom)', () => {
  it('shows the open conversation alone, composer in view, nothing to scroll sideways', async () => {
    await page.setViewportSize({ width: 320, height: 800 });
    expect((await pageOverflow()).across).toBeLessThanOrEqual(0);
    expect(await page.getByRole('navigation', { name: 'Conversations' }).isVisible()).toBe(false);
    expect(await inView(heading())).toBe(true);
    expect(await inView(page.getByTestId('connection-state'))).toBe(true);
    expect(await inView(send())).toBe(true);
    await checkScreen(page, 'shell-conversation', ['320x800']);
  });

  it('"Conversations" goes back to the list, which fills the width; a conversation opens in its place', async () => {
    await page.getByRole('button', { name: 'Conversations', exact: true }).click();
    const nav = page.getByRole('navigation', { name: 'Conversations' });
    await expect.poll(() => nav.isVisible()).toBe(true);
    expect(await heading().count()).toBe(0);
    const width = (await nav.boundingBox())!.width;
    expect(width).toBeGreaterThan(280);
    expect((await pageOverflow()).across).toBeLessThanOrEqual(0);
    await checkScreen(page, 'shell-list', ['320x800']);

    await list()
      .getByRole('button', { name: /^Dr Lena Fischer/ })
      .click();
    await heading().waitFor();
    expect(await nav.isVisible()).toBe(false);
    await log().getByText(URGENT).waitFor({ timeout: 30_000 });
    expect((await pageOverflow()).across).toBeLessThanOrEqual(0);
    expect(await inView(send())).toBe(true);

    // Settings at this width too: one column, nothing sideways.
    await page.getByRole('button', { name: 'Conversations', exact: true }).click();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    expect((await pageOverflow()).across).toBeLessThanOrEqual(0);
    await checkScreen(page, 'shell-settings', ['320x800']);
  });

  it('at 320x200 (a 1280x800 window at 400%) the page scrolls one way only and the composer is reachable', async () => {
    await page.getByRole('button', { name: 'Conversations', exact: true }).click();
    await list()
      .getByRole('button', { name: /^Dr Samuel Okafor(?!,)/ })
      .click();
    await heading().waitFor();
    await page.setViewportSize({ width: 320, height: 200 });
    expect((await pageOverflow()).across).toBeLessThanOrEqual(0);
    await send().scrollIntoViewIfNeeded();
    expect(await inView(send())).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
