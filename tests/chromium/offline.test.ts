// The hub goes away mid-shift (kill -9): the banner says so and counts what waits to be sent, the message
// written meanwhile shows as sending, and once the hub is back it goes out by itself and arrives.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MessageView } from '../../src/shared/contract';
import { eventually, must } from '../support/workstation';
import { checkScreen, pairOnScreen, type PairOnScreen } from './harness';

let pair: PairOnScreen;

beforeAll(async () => {
  pair = await pairOnScreen();
}, 180_000);
afterAll(async () => pair?.close());

it('shows the outage and the queued message, and sends it once the hub is back', async () => {
  const { ws, samuel, conversationId, page } = pair;
  const banner = page.getByTestId('connection-state');
  await expect.poll(() => banner.innerText(), { timeout: 30_000 }).toBe('Connected');
  await ws.stack.hub.kill('SIGKILL');
  await expect.poll(() => banner.innerText(), { timeout: 30_000 }).toMatch(/^(Reconnecting…|Offline)$/);

  await page.getByLabel('Message', { exact: true }).fill('Bed 7 family asking for an update');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect
    .poll(() => banner.innerText(), { timeout: 30_000 })
    .toMatch(/^(Reconnecting…|Offline) · 1 message waiting to send$/);
  const message = page.getByRole('article', { name: 'Message from Dr Asha Rao' });
  expect(await message.innerText()).toContain('Sending…');
  await checkScreen(page, 'offline-queued');

  await ws.stack.hub.restart();
  await expect.poll(() => banner.innerText(), { timeout: 60_000 }).toBe('Connected');
  await expect.poll(() => message.innerText(), { timeout: 30_000 }).toMatch(/Delivered|Read|Sent/);
  await eventually('Samuel has the message', async () => {
    const got = await must<MessageView[]>(samuel, 'messages.page', { conversationId, limit: 10 });
    return got.some((m) => m.text === 'Bed 7 family asking for an update');
  });
});
