// The hub now requires Clinical Messenger 0.2.0 (docs/updates.md). Dr Samuel Okafor's ED-PC01 is updated;
// Dr Asha Rao's WARD3B-PC01 still runs 0.1.0. Her app shows a blocking "Update required" screen that names
// both versions and offers no way to write, while the conversation with Samuel stays readable on it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { ask, eventually, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let asha: Core;
let page: Page;
let conversationId: string;
const lines = ['Bed 12 obs are stable.', 'Please review the potassium result when you can.'];

beforeAll(async () => {
  ws = await startWorkstation({ hub: { minimumClientVersion: '0.2.0' } });
  const samuel = await signedIn(ws, 'dr.samuel.okafor', { appVersion: '0.2.0', deviceName: 'ED-PC01' });
  asha = await signedIn(ws, 'dr.asha.rao', { appVersion: '0.1.0', deviceName: 'WARD3B-PC01' });
  ({ conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.asha.rao')],
  }));
  for (const text of lines)
    await must(samuel, 'messages.send', {
      conversationId,
      text,
      urgent: false,
      ackRequired: false,
      patient: null,
    });
  await eventually(
    'Asha has both messages',
    async () =>
      (await must<MessageView[]>(asha, 'messages.page', { conversationId, limit: 10 })).length ===
      lines.length,
  );
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, asha, server.url));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('a workstation below the hub minimum version', () => {
  it('shows the blocking update-required screen instead of the workspace', async () => {
    await page.getByRole('heading', { name: 'Update required' }).waitFor();
    const notice = page.getByRole('alert').filter({ hasText: 'Update required' });
    await expect.poll(() => notice.innerText()).toMatch(/runs Clinical Messenger 0\.1\.0/);
    expect(await notice.innerText()).toMatch(/requires version 0\.2\.0 or later/);
    expect(await page.locator('#workspace-heading').count()).toBe(0);
    expect(await page.getByRole('textbox').count()).toBe(0);
  });

  it('keeps the history on this computer readable', async () => {
    await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
    const list = page.getByRole('list', { name: 'Messages (read only)' });
    for (const text of lines) await list.getByText(text).waitFor();
    await checkScreen(page, 'update-required');
  });

  it('and the core refuses to send from it', async () => {
    const result = await ask(asha, 'messages.send', {
      conversationId,
      text: 'Seen, thanks.',
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'update_required' } });
  });
});
