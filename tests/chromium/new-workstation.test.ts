// A doctor moving between two ward PCs (docs/key-design.md): Dr Asha Rao writes with Dr Samuel Okafor on
// WARD3B-PC01, then signs in on WARD3B-PC02, a workstation she has never used. The hospital's key-release
// service gives PC02 her key, so the whole conversation opens there, every message verified; and PC01, where
// she is still signed in, tells her that her messages were opened on WARD3B-PC02, and when.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView, UserKeyStatusView } from '../../src/shared/contract';
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

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let pc01: Core;
let pc02: Core;
let samuel: Core;
let conversationId: string;
let onPc01: Page;
let onPc02: Page;
const cspViolations: string[][] = [];

const history = [
  ['samuel', 'Bed 12, Mrs Lakshmi Iyer: troponin rising, 48 then 112 ng/L.'],
  ['asha', 'Thanks. Repeat ECG and start the ACS pathway, I will review at 14:30.'],
  ['samuel', 'ECG done: new T-wave inversion in V2-V4.'],
  ['asha', 'Cardiology informed. Keep her nil by mouth for the angiogram.'],
] as const;

const log = (page: Page) => page.getByRole('log', { name: 'Messages' });
const keyNotices = (page: Page) => page.getByTestId('key-notices');
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

beforeAll(async () => {
  ws = await startWorkstation({ keyService: {} });
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
    history.map(([who, text]) => [who === 'asha' ? pc01 : samuel, text] as const),
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

describe('a doctor moving between two ward PCs', () => {
  it('on WARD3B-PC01, the conversation with Dr Okafor, and no notice about other computers', async () => {
    const opened = await openApp(browser, pc01, server.url);
    onPc01 = opened.page;
    cspViolations.push(opened.cspViolations);
    await onPc01.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
    await expect.poll(() => log(onPc01).innerText(), { timeout: 30_000 }).toContain(history[3][1]);
    const status = await must<UserKeyStatusView>(pc01, 'keys.status');
    expect(status.state).toBe('ready');
    expect(await keyNotices(onPc01).innerText()).toBe('');
  });

  it('on WARD3B-PC02, after signing in, every earlier message opens, verified', async () => {
    pc02 = ws.newCore({ deviceName: 'WARD3B-PC02' });
    const opened = await openApp(browser, pc02, server.url);
    onPc02 = opened.page;
    cspViolations.push(opened.cspViolations);
    await onPc02.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signInOnScreen(onPc02, ws, 'dr.asha.rao');
    expect(await onPc02.getByRole('banner').innerText()).toContain('Dr Asha Rao');

    const conversation = onPc02.getByRole('button', { name: /Dr Samuel Okafor/ });
    await conversation.waitFor({ timeout: 60_000 });
    await conversation.click();
    const rows = () =>
      log(onPc02)
        .getByRole('article')
        .evaluateAll((articles) => articles.map((a) => `${a.getAttribute('aria-label')}: ${a.textContent}`));
    await expect
      .poll(rows, { timeout: 60_000 })
      .toEqual(
        history.map(([who, text]) =>
          expect.stringMatching(
            new RegExp(
              `^Message from ${who === 'asha' ? 'Dr Asha Rao' : 'Dr Samuel Okafor'}: .*${escape(text)}`,
            ),
          ),
        ),
      );
    const text = await log(onPc02).innerText();
    expect(text).not.toMatch(/could not verify|Waiting for the key/i);
    // The core agrees: every message is valid on this workstation, none waits for a key.
    const page = await must<MessageView[]>(pc02, 'messages.page', { conversationId, limit: 50 });
    expect(page.map((m) => [m.verdict, m.reason])).toEqual(history.map(() => ['valid', null]));

    const status = await must<UserKeyStatusView>(pc02, 'keys.status');
    expect(status).toMatchObject({ state: 'ready', message: null, code: null });
    // Its own release is known here, but is nothing to warn about on this computer.
    expect(status.releases).toContainEqual(
      expect.objectContaining({ deviceName: 'WARD3B-PC02', thisDevice: true }),
    );
    // Shown while the key was on its way ("Getting your key for this computer…"), gone once it is here.
    await expect.poll(() => keyNotices(onPc02).innerText(), { timeout: 40_000 }).toBe('');
    await checkScreen(onPc02, 'new-workstation-history');

    // She writes from the new workstation; Dr Okafor reads it as from her.
    await onPc02.getByLabel('Message', { exact: true }).fill('On the ward now, reviewing Mrs Iyer.');
    await onPc02.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(
        async () =>
          (await must<MessageView[]>(samuel, 'messages.page', { conversationId, limit: 1 }))[0]?.text ?? null,
        { timeout: 30_000 },
      )
      .toBe('On the ward now, reviewing Mrs Iyer.');
  }, 180_000);

  it('on WARD3B-PC01, the notice that her messages were opened on WARD3B-PC02, until dismissed', async () => {
    const release = (await must<UserKeyStatusView>(pc02, 'keys.status')).releases.find((r) => r.thisDevice)!;
    const expected = `Your messages were opened on WARD3B-PC02 at ${clock.format(new Date(release.releasedAt))}. If this was not you, tell IT.`;
    const notice = keyNotices(onPc01).getByRole('listitem');
    // PC01 stays signed in and connected throughout: the core must learn of the release without reconnecting.
    await expect
      .poll(
        async () =>
          (await must<UserKeyStatusView>(pc01, 'keys.status')).releases.map((r) => [
            r.deviceName,
            r.thisDevice,
          ]),
        { timeout: 60_000 },
      )
      .toContainEqual(['WARD3B-PC02', false]);
    await expect.poll(() => notice.innerText().catch(() => ''), { timeout: 45_000 }).toContain(expected);
    expect(await keyNotices(onPc01).innerText()).toMatch(/opened on WARD3B-PC02 at \d{2}:\d{2}\./);
    expect(await keyNotices(onPc01).getAttribute('aria-live')).toBe('polite');
    await checkScreen(onPc01, 'new-workstation-release-notice');

    // Reached from the keyboard, and gone once dismissed.
    const dismiss = keyNotices(onPc01).getByRole('button', { name: 'Dismiss' });
    for (let i = 0; i < 60 && !(await dismiss.evaluate((el) => el === document.activeElement)); i++) {
      await onPc01.keyboard.press('Tab');
    }
    expect(await dismiss.evaluate((el) => el === document.activeElement)).toBe(true);
    await onPc01.keyboard.press('Enter');
    await expect.poll(() => keyNotices(onPc01).innerText(), { timeout: 10_000 }).toBe('');
    expect(await log(onPc01).innerText()).toContain('On the ward now, reviewing Mrs Iyer.');
    expect(cspViolations.flat()).toEqual([]);
  }, 120_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
