// Issue 15, keyboard-first, with drafts per conversation. Dr Asha Rao on WARD3B-PC01 works from the keyboard
// alone: Ctrl+K finds Dr Samuel Okafor's conversation and puts her in its composer; she acknowledges his
// urgent potassium result, opens his ECG and closes it with Esc; she starts a reply, goes to Dr Lena Fischer's
// conversation and back with Alt+↑/↓, opens Settings and leaves with Esc, locks the screen and unlocks with her
// PIN, and the reply is still there until she sends it. "?" lists the shortcuts. The real renderer in
// Chromium over a real core, hub, IdP, document gateway and OS keychain; the quick switcher and the shortcut
// sheet are photographed at 1280x800 and both pass axe-core.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView } from '../../src/shared/contract';
import { minimalPdf } from '../integration/documents/fixtures';
import type { RunningGateway } from '../stack/gateway';
import { userId } from '../stack/hub/hub-test-kit';
import {
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
} from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer, tabTo } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';
const FISCHER = 'dr.lena.fischer';
const REPLY = 'Bed 4: repeat K+ at 18:00, start insulin-dextrose now';

let ws: Workstation;
let gateway: RunningGateway;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Browser;
let rao: Core;
let withOkafor: string;
let page: Page;
/** drafts.set calls from Dr Rao's renderer: a draft is kept after a pause, not on every keystroke. */
let draftSaves = 0;

const composer = () => page.getByLabel('Message', { exact: true });
const focusedIs = (target: ReturnType<Page['getByRole']>) =>
  target.evaluate((el) => el === document.activeElement);
const heading = (name: string) => page.getByRole('heading', { name, level: 2 });
const titles = () => page.locator('.conversation-item .conversation-title').allInnerTexts();
const keptDraft = async () =>
  (await must<{ text: string }>(rao, 'drafts.get', { conversationId: withOkafor })).text;

/** Alt+↑ or Alt+↓, whichever leads from the open conversation to `title` in the list's current order. */
async function altArrowTo(title: string): Promise<void> {
  const order = await titles();
  const from = order.indexOf((await page.locator('#conversation-heading').innerText()).trim());
  await page.keyboard.press(order.indexOf(title) < from ? 'Alt+ArrowUp' : 'Alt+ArrowDown');
  await heading(title).waitFor();
}

beforeAll(async () => {
  ws = await startWorkstation();
  const started = await withDocumentGateway(ws);
  gateway = started.gateway;
  const ecg = join(mkdtempSync(join(tmpdir(), 'cm-keyboard-')), 'ecg-bed-4.pdf');
  writeFileSync(ecg, minimalPdf('ECG bed 4: peaked T waves'));
  rao = await signedIn(ws, RAO, { policyFile: started.policyFile, deviceName: 'WARD3B-PC01' });
  const okafor = await signedIn(ws, OKAFOR, { policyFile: started.policyFile, pickFile: async () => ecg });
  const fischer = await signedIn(ws, FISCHER);
  const direct = async (to: string) =>
    (
      await must<{ conversationId: string }>(rao, 'conversations.create', {
        kind: 'direct',
        memberIds: [userId(ws.stack, to)],
      })
    ).conversationId;
  withOkafor = await direct(OKAFOR);
  const withFischer = await direct(FISCHER);
  await converse(withFischer, [[fischer, 'ICU bed 2: lactate 3.1, repeat at 16:00']], [rao, fischer]);
  await must(okafor, 'messages.send', {
    conversationId: withOkafor,
    text: 'Bed 4 potassium 6.1, please acknowledge',
    urgent: true,
    ackRequired: true,
    patient: null,
  });
  await must(okafor, 'documents.attach', {
    operationId: randomUUID(),
    conversationId: withOkafor,
    text: 'ECG for bed 4',
    urgent: false,
    ackRequired: false,
    patient: null,
  });
  await eventually('Dr Rao has both of Dr Okafor’s messages', async () => {
    const page = await must<MessageView[]>(rao, 'messages.page', { conversationId: withOkafor, limit: 10 });
    return (
      page.filter((m) => m.verdict === 'valid' && m.senderUserId === userId(ws.stack, OKAFOR)).length === 2
    );
  });
  await must(rao, 'session.setPin', { pin: '4826' });
  const dispatch = rao.dispatcher.dispatch.bind(rao.dispatcher);
  rao.dispatcher.dispatch = (name, args) => {
    if (name === 'drafts.set') draftSaves++;
    return dispatch(name, args);
  };
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, rao, server.url));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
  await gateway?.close();
});

describe('Dr Rao, keyboard only', () => {
  it('Ctrl+K: a search box over her conversations; arrows choose, Enter opens, the keyboard is in the composer', async () => {
    await page.getByRole('button', { name: /Dr Lena Fischer/ }).waitFor();
    await page.keyboard.press('Control+k');
    const switcher = page.getByRole('dialog', { name: 'Go to a conversation' });
    await switcher.waitFor();
    const search = switcher.getByRole('combobox', { name: 'Conversation name' });
    await expect.poll(() => focusedIs(search)).toBe(true);
    const options = switcher.getByRole('option');
    expect((await options.allInnerTexts()).sort()).toEqual([
      expect.stringMatching(/^Dr Lena Fischer/),
      expect.stringMatching(/^Dr Samuel Okafor/),
    ]);
    // The box keeps the focus; the active option is the one aria-activedescendant names.
    const active = async () => {
      const id = await search.getAttribute('aria-activedescendant');
      return page.locator(`[id="${id}"][aria-selected="true"]`).innerText();
    };
    const first = await active();
    await page.keyboard.press('ArrowDown');
    expect(await active()).not.toBe(first);
    await page.keyboard.press('ArrowUp');
    expect(await active()).toBe(first);
    await page.keyboard.type('okaf');
    await expect.poll(() => options.allInnerTexts()).toEqual([expect.stringMatching(/^Dr Samuel Okafor/)]);
    await checkScreen(page, 'keyboard-quick-switcher');

    await page.keyboard.press('Enter');
    await heading('Dr Samuel Okafor').waitFor();
    expect(await switcher.count()).toBe(0);
    await expect.poll(() => focusedIs(composer())).toBe(true);

    // Esc closes the switcher without going anywhere, and the keyboard is back where it was.
    await page.keyboard.press('Control+k');
    await switcher.waitFor();
    await page.keyboard.press('Escape');
    expect(await switcher.count()).toBe(0);
    await expect.poll(() => focusedIs(composer())).toBe(true);
  });

  it('acknowledges the urgent result, opens the ECG and closes it with Esc', async () => {
    const urgent = page.getByRole('article', { name: 'Message from Dr Samuel Okafor' }).first();
    await tabTo(page, page.getByRole('button', { name: 'Acknowledge', exact: true }), 60, true);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => urgent.innerText(), { timeout: 30_000 })
      .toMatch(/You acknowledged at \d\d[:.]\d\d/);

    const open = page.getByRole('button', { name: 'Open ecg-bed-4.pdf' });
    await tabTo(page, open, 120);
    await page.keyboard.press('Enter');
    await page.getByTestId('verification-badge').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('verification-badge').count()).toBe(0);
    await expect.poll(() => focusedIs(open)).toBe(true);

    // Contact details close with Esc too.
    await tabTo(page, page.getByRole('button', { name: 'Contact details' }), 120, true);
    await page.keyboard.press('Enter');
    await page.getByTestId('safety-number').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('safety-number').count()).toBe(0);
  });

  it('her reply stays with Dr Okafor’s conversation across Alt+↑/↓, Settings and the lock screen', async () => {
    await tabTo(page, composer());
    const before = draftSaves;
    await page.keyboard.type(REPLY);
    await expect.poll(keptDraft).toBe(REPLY);
    // Kept after a pause in typing (or on leaving the box), never once per keystroke.
    expect(draftSaves - before).toBeLessThan(REPLY.length / 4);

    await altArrowTo('Dr Lena Fischer');
    await expect.poll(() => focusedIs(composer())).toBe(true);
    expect(await composer().inputValue()).toBe('');
    await altArrowTo('Dr Samuel Okafor');
    await expect.poll(() => composer().inputValue()).toBe(REPLY);

    await tabTo(page, page.getByRole('button', { name: 'Settings', exact: true }), 120, true);
    await page.keyboard.press('Enter');
    await heading('Settings').waitFor();
    await page.keyboard.press('Escape');
    await heading('Dr Samuel Okafor').waitFor();
    await expect.poll(() => composer().inputValue()).toBe(REPLY);

    // One more line, then straight to Lock: leaving the box keeps it at once.
    await tabTo(page, composer());
    await page.keyboard.press('End');
    await page.keyboard.type(' (ECG seen)');
    await tabTo(page, page.getByRole('button', { name: 'Lock', exact: true }), 120, true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Locked — Dr Asha Rao' }).waitFor();
    await tabTo(page, page.getByLabel('PIN', { exact: true }));
    await page.keyboard.type('4826');
    await page.keyboard.press('Enter');
    await page.locator('#workspace-heading').waitFor();
    // As she would: the switcher is open and has her conversations before she types, and Enter once it shows one.
    await page.keyboard.press('Control+k');
    const switcher = page.getByRole('dialog', { name: 'Go to a conversation' });
    await expect
      .poll(() => focusedIs(switcher.getByRole('combobox', { name: 'Conversation name' })))
      .toBe(true);
    await page.keyboard.type('okafor');
    await expect
      .poll(() => switcher.getByRole('option').allInnerTexts())
      .toEqual([expect.stringMatching(/^Dr Samuel Okafor/)]);
    await page.keyboard.press('Enter');
    await heading('Dr Samuel Okafor').waitFor();
    await expect.poll(() => composer().inputValue()).toBe(`${REPLY} (ECG seen)`);
  });

  it('Ctrl+Enter sends it: the draft is gone from the composer and from the profile', async () => {
    await expect.poll(() => focusedIs(composer())).toBe(true);
    await page.keyboard.press('Control+Enter');
    const mine = page.getByRole('article', { name: 'Message from Dr Asha Rao' });
    await expect
      .poll(() => mine.allInnerTexts(), { timeout: 30_000 })
      .toContainEqual(expect.stringContaining(`${REPLY} (ECG seen)`));
    expect(await composer().inputValue()).toBe('');
    await expect.poll(keptDraft).toBe('');
    await altArrowTo('Dr Lena Fischer');
    await altArrowTo('Dr Samuel Okafor');
    await expect.poll(() => focusedIs(composer())).toBe(true);
    expect(await composer().inputValue()).toBe('');
  });

  it('"?" lists the shortcuts, except in the composer where it is a question mark', async () => {
    await page.keyboard.type('?');
    expect(await composer().inputValue()).toBe('?');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.keyboard.press('Backspace');

    const log = page.getByRole('log', { name: 'Messages' });
    await tabTo(page, log, 60, true);
    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor();
    expect(await sheet.getByRole('row').allInnerTexts()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Ctrl\s+K\s+Go to a conversation/),
        expect.stringMatching(/Alt\s+↓\s+Next conversation/),
        expect.stringMatching(/Esc\s+Close the open panel/),
      ]),
    );
    await expect.poll(() => focusedIs(sheet.getByRole('button', { name: 'Close', exact: true }))).toBe(true);
    await checkScreen(page, 'keyboard-shortcut-sheet');
    // Tab stays inside the sheet.
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedIs(sheet.getByRole('button', { name: 'Close', exact: true }))).toBe(true);
    await page.keyboard.press('Escape');
    expect(await sheet.count()).toBe(0);
    await expect.poll(() => focusedIs(log)).toBe(true);
  });
});
