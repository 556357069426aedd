// A conversation as it happens, between a colleague's core and Dr Rao's screen. Typing: shown while he writes,
// gone when he stops or goes quiet; her own typing reaches him, ending when she sends. New messages: followed
// while she is at the end; while she reads further up, the view stays put, says there is something new below,
// and nothing counts as read until she has been down to it. A clicked notification opens its conversation.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventPayload } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { must } from '../support/workstation';
import { checkScreen, pairOnScreen, type PairOnScreen } from './harness';

let pair: PairOnScreen;

beforeAll(async () => {
  pair = await pairOnScreen();
}, 180_000);
afterAll(async () => pair?.close());

const indicator = () => pair.page.locator('.typing');
const samuelTypes = (typing: boolean) =>
  must(pair.samuel, 'messages.typing', { conversationId: pair.conversationId, typing });

it('shows who is typing, and clears it when they stop', async () => {
  await samuelTypes(true);
  await expect.poll(() => indicator().innerText(), { timeout: 30_000 }).toBe('Dr Samuel Okafor is typing…');
  expect(await indicator().getAttribute('aria-live')).toBe('polite');
  await checkScreen(pair.page, 'typing');
  await samuelTypes(false);
  await expect.poll(() => indicator().innerText(), { timeout: 10_000 }).toBe('');
});

it('forgets a colleague who went quiet mid-sentence (no "stopped" ever came)', async () => {
  await samuelTypes(true);
  await expect.poll(() => indicator().innerText(), { timeout: 30_000 }).toContain('is typing…');
  await expect.poll(() => indicator().innerText(), { timeout: 20_000 }).toBe('');
});

it('tells the colleague while Dr Rao types, and that she stopped once she sends', async () => {
  const seen: EventPayload<'messages.typing'>[] = [];
  const stop = pair.samuel.events.subscribe((name, payload) => {
    if (name === 'messages.typing') seen.push(payload as EventPayload<'messages.typing'>);
  });
  try {
    await pair.page.getByLabel('Message', { exact: true }).pressSequentially('On my way', { delay: 20 });
    const asha = userId(pair.ws.stack, 'dr.asha.rao');
    await expect
      .poll(() => seen, { timeout: 30_000 })
      .toContainEqual({ conversationId: pair.conversationId, userId: asha, typing: true });
    await pair.page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(() => seen.at(-1), { timeout: 30_000 })
      .toEqual({
        conversationId: pair.conversationId,
        userId: asha,
        typing: false,
      });
    // One "typing" for a short burst of keys, not one per key.
    expect(seen.filter((e) => e.typing)).toHaveLength(1);
  } finally {
    stop();
  }
});

it('keeps her place while she reads further up, says there is something new, and counts it read once seen', async () => {
  const { page, samuel, conversationId } = pair;
  const log = page.getByRole('log', { name: 'Messages' });
  const send = (text: string) =>
    must(samuel, 'messages.send', { conversationId, text, urgent: false, ackRequired: false, patient: null });
  for (let n = 1; n <= 20; n++) await send(`Obs round ${n}: stable`);
  // At the end, each arrival is followed and read at once.
  await expect.poll(() => log.innerText(), { timeout: 30_000 }).toContain('Obs round 20: stable');
  const unread = page.getByRole('button', { name: /Dr Samuel Okafor/ }).getByLabel(/unread/);
  await expect.poll(() => unread.count(), { timeout: 10_000 }).toBe(0);

  await page.locator('.message-scroller').evaluate((el) => el.scrollTo(0, 0));
  await expect.poll(() => log.innerText()).toContain('Obs round 1: stable');
  await send('Bed 9 febrile, please review');
  const newBelow = page.getByRole('button', { name: 'New messages below' });
  await newBelow.waitFor({ timeout: 30_000 });
  expect(await page.locator('.message-scroller').evaluate((el) => el.scrollTop)).toBe(0);
  expect(await log.innerText()).not.toContain('Bed 9 febrile');
  await expect.poll(() => unread.getAttribute('aria-label'), { timeout: 10_000 }).toBe('1 unread');
  await checkScreen(page, 'new-messages-below');

  await newBelow.click();
  await expect.poll(() => log.innerText(), { timeout: 10_000 }).toContain('Bed 9 febrile, please review');
  expect(await newBelow.count()).toBe(0);
  await expect.poll(() => unread.count(), { timeout: 10_000 }).toBe(0);
});

it('opens the conversation whose notification was clicked, after the PIN when the screen was locked', async () => {
  const { asha, page, conversationId } = pair;
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const conversationHeading = page.getByRole('heading', { level: 2, name: 'Dr Samuel Okafor' });
  await expect.poll(() => conversationHeading.count()).toBe(0);
  await must(asha, 'session.setPin', { pin: '2468' });
  await must(asha, 'session.lock');
  await page.getByRole('heading', { name: 'Locked — Dr Asha Rao' }).waitFor({ timeout: 10_000 });
  // What the main process emits when the OS notification is clicked (Electron's Notification is not here).
  asha.events.emit('conversations.open', { conversationId });
  expect(await conversationHeading.count()).toBe(0);
  await page.getByLabel('PIN').fill('2468');
  await page.getByLabel('PIN').press('Enter');
  await conversationHeading.waitFor({ timeout: 10_000 });
});
