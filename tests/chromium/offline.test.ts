// The hub goes away mid-shift (kill -9): the banner says so and counts what waits to be sent, the message
// written meanwhile shows as sending, and once the hub is back it goes out by itself and arrives.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { eventually, must, twoClinicians, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let conversationId: string;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let page: Page;

beforeAll(async () => {
  ({ ws, asha, samuel } = await twoClinicians());
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
  server = await serveRenderer();
  browser = await launchChromium();
  page = (await openApp(browser, asha, server.url)).page;
  await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

it('shows the outage and the queued message, and sends it once the hub is back', async () => {
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
