// Typing indicators between a colleague's core and Dr Rao's screen: shown while he writes, gone when he stops
// or goes quiet; and her own typing reaches him, ending when she sends.
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
