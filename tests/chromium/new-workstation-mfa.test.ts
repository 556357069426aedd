// A new ward PC where the hospital requires multi-factor sign-in before it releases a doctor's key
// (docs/key-design.md): Dr Asha Rao signs in on WARD3B-PC02 with her password only. The key service refuses,
// and her screen says why and what to do; her earlier messages are there but wait for the key (neutral, not
// "could not verify"). She signs in again with her second factor and they open, verified.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { UserKeyStatusView } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import {
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer, signInOnScreen } from './harness';

/** Usernames whose next sign-ins are password only (the IdP reads this list at each sign-in). */
const withoutMfa: string[] = [];
let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let pc01: Core;
let pc02: Core;
let samuel: Core;
let conversationId: string;
let page: Page;

const texts = ['Bed 4, Mr Tan: INR 4.8, warfarin held.', 'Noted, recheck INR in the morning.'];
const log = () => page.getByRole('log', { name: 'Messages' });
const rows = () =>
  log()
    .getByRole('article')
    .evaluateAll((articles) => articles.map((a) => `${a.getAttribute('aria-label')}: ${a.textContent}`));

beforeAll(async () => {
  ws = await startWorkstation({ keyService: { requireMfa: true }, withoutMfa });
  pc01 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC01' });
  samuel = await signedIn(ws, 'dr.samuel.okafor', { deviceName: 'WARD3B-PC07' });
  ({ conversationId } = await must<{ conversationId: string }>(pc01, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
  await eventually('Dr Okafor has the conversation', async () =>
    (await must<{ conversationId: string }[]>(samuel, 'conversations.list')).some(
      (c) => c.conversationId === conversationId,
    ),
  );
  await converse(
    conversationId,
    [
      [samuel, texts[0]!],
      [pc01, texts[1]!],
    ],
    [pc01, samuel],
  );
  server = await serveRenderer();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('a new ward PC that needs multi-factor sign-in to open her history', () => {
  it('password only: the key is refused, she is told what to do, and her messages wait for the key', async () => {
    withoutMfa.push('dr.asha.rao');
    pc02 = ws.newCore({ deviceName: 'WARD3B-PC02' });
    ({ page } = await openApp(browser, pc02, server.url));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signInOnScreen(page, ws, 'dr.asha.rao');

    const refused = page.locator('[data-key-status]');
    await expect.poll(() => refused.count(), { timeout: 60_000 }).toBe(1);
    expect(await refused.getAttribute('role')).toBe('alert');
    const status = await must<UserKeyStatusView>(pc02, 'keys.status');
    expect(status).toMatchObject({ state: 'refused', code: 'mfa_required' });
    expect(await refused.innerText()).toBe(status.message);
    expect(status.message).toMatch(/multi-factor/);

    await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
    // Without the key this PC cannot tell the conversation's signed create entry (Dr Rao's, first) from a
    // message: it waits like the two messages, and leaves the timeline once it opens.
    await expect
      .poll(rows, { timeout: 60_000 })
      .toEqual(
        ['Dr Asha Rao', 'Dr Samuel Okafor', 'Dr Asha Rao'].map((who) =>
          expect.stringMatching(
            new RegExp(
              `^Message from ${who}, waiting for the key: .*Waiting for the key to open this message on this computer…$`,
            ),
          ),
        ),
      );
    expect(await log().innerText()).not.toMatch(/could not verify/i);
    await checkScreen(page, 'new-workstation-mfa-refused');
  }, 180_000);

  it('signed in again with her second factor: the history opens, verified', async () => {
    withoutMfa.splice(0);
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    // "Sign in again": the lock screen's sign-in, through the IdP's page, now with her second factor.
    ws.login.next(ws.credentials('dr.asha.rao'));
    await page.getByRole('button', { name: 'Sign in instead' }).click();
    await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
    // A fresh sign-in with the second factor: the core asks the key service again.
    await expect
      .poll(async () => (await must<UserKeyStatusView>(pc02, 'keys.status')).state, { timeout: 60_000 })
      .toBe('ready');
    await expect.poll(() => page.locator('[data-key-status]').count(), { timeout: 45_000 }).toBe(0);
    await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
    await expect
      .poll(rows, { timeout: 60_000 })
      .toEqual([
        expect.stringMatching(
          new RegExp(`^Message from Dr Samuel Okafor: .*${texts[0]!.replace(/\./g, '\\.')}`),
        ),
        expect.stringMatching(new RegExp(`^Message from Dr Asha Rao: .*${texts[1]!.replace(/\./g, '\\.')}`)),
      ]);
    await checkScreen(page, 'new-workstation-mfa-opened');
  }, 180_000);
});
