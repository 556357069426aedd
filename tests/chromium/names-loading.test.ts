// Dr Asha Rao's list opens before the staff directory has answered (held back here by fault injection): her
// conversation with Dr Samuel Okafor is titled "Loading…", never "Unknown sender", which in a secure messenger
// reads as a warning. Once the core answers, his name shows. The real renderer in Chromium over a real core.
import type { Browser } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { callChannel } from '../../src/shared/contract/names';
import { userId } from '../stack/hub/hub-test-kit';
import { must, twoClinicians, type Workstation } from '../support/workstation';
import { launchChromium, openApp, serveRenderer } from './harness';

let ws: Workstation | undefined;
let server: Awaited<ReturnType<typeof serveRenderer>> | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

it('titles a conversation "Loading…" until the directory answers, then by name', async () => {
  const pair = await twoClinicians();
  ws = pair.ws;
  await must(pair.asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  });
  server = await serveRenderer();
  browser = await launchChromium();
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const { page } = await openApp(browser, pair.asha, server.url, {}, (channel) =>
    channel === callChannel('directory.search') ? held : Promise.resolve(),
  );
  const titles = () => page.locator('.conversation-list .conversation-title').allInnerTexts();
  await expect.poll(titles, { timeout: 30_000 }).toEqual(['Loading…']);
  expect(await page.locator('body').innerText()).not.toContain('Unknown sender');
  release();
  await expect.poll(titles, { timeout: 30_000 }).toEqual(['Dr Samuel Okafor']);
}, 180_000);
