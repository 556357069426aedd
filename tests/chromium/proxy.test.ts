// WARD3B-PC01 reaches the hub only through the hospital proxy (proxyUrl in the machine policy). When the
// proxy goes down mid-shift, Dr Asha Rao's banner says the proxy is the problem, so the ward knows to call
// IT rather than wait for the hub.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startConnectProxy, type RunningProxy } from '../stack/proxy';
import { signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

let ws: Workstation;
let proxy: RunningProxy;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let page: Page;

beforeAll(async () => {
  ws = await startWorkstation();
  proxy = await startConnectProxy();
  const policyFile = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-proxy-walk-')), { proxyUrl: proxy.url });
  const asha = await signedIn(ws, 'dr.asha.rao', { policyFile });
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, asha, server.url));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
  await proxy?.close();
});

it('says the hospital proxy cannot be reached while it is down', async () => {
  const banner = page.getByTestId('connection-state');
  await expect.poll(() => banner.innerText(), { timeout: 30_000 }).toBe('Connected');
  expect(proxy.tunnels()).toContain(new URL(ws.stack.hub.url).host);
  await proxy.close();
  await expect
    .poll(() => banner.innerText(), { timeout: 30_000 })
    .toMatch(
      /^(Reconnecting…|Connecting…|Offline) · The hospital proxy cannot be reached; tell IT if this lasts$/,
    );
  await checkScreen(page, 'proxy-down');
});
