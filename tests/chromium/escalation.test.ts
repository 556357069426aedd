// Deadlines and escalation, as staff see them, against the real hub with the deadline clock driven by the test.
// Dr Asha Rao sends Dr Samuel Okafor an urgent message that needs acknowledgement within 2 minutes; the
// hospital's policy escalates to the on-call role, "Cardiology on call", whose IT-signed roster names Dr Okafor
// on call and Dr Lena Fischer as backup. Her "Awaiting others" shows the time left, his sidebar counts it as
// awaiting him. He does not answer: at the deadline her conversation shows each step as a row between the
// messages (recipients notified again, the message sent quoted to the role's backup, Dr Fischer, her alert); Dr
// Fischer finds it awaiting her acknowledgement, acknowledges it, and both sides' views update; Dr Okafor's
// conversation says Dr Fischer acknowledged it and it leaves his awaiting view. Screenshots (1280x800) and
// axe-core on every screen.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { userId } from '../stack/hub/hub-test-kit';
import { postRosterEntry } from '../stack/hub/roster-admin';
import { signWithTestItKey, testItKey } from '../stack/hub/roster-seed';
import { controlledClock, type ControlledClock } from '../support/controlled-clock';
import { converse, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';
const FISCHER = 'dr.lena.fischer';
const K = 'Bed 12: K+ 6.9 with peaked T waves, please review now';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let clock: ControlledClock;
let rao: Core;
let okafor: Core;
let fischer: Core;
let raoPage: Page;
let okaforPage: Page;
let fischerPage: Page;

const awaitingButton = (page: Page) => page.getByRole('button', { name: /^Awaiting my acknowledgement/ });
const othersList = (page: Page) => page.getByRole('list', { name: /^Awaiting others/ });
const mineList = (page: Page) => page.getByRole('list', { name: /^Awaiting my acknowledgement/ });
/** The conversation's timeline, where the escalation steps stand between the messages. */
const timeline = (page: Page) => page.getByRole('log', { name: 'Messages' });
const stepRows = (page: Page) => timeline(page).getByTestId('escalation-step');
/** The signed reminder and resolution messages' own text: shown only as their step rows, never as bubbles. */
const stepMessageText = /Reminder: this urgent message|no longer awaits your acknowledgement\./;

/** Space between two system rows of the timeline, in CSS pixels. */
async function gapBetween(page: Page, first: number, second: number): Promise<number> {
  const [a, b] = await Promise.all([
    stepRows(page).nth(first).boundingBox(),
    stepRows(page).nth(second).boundingBox(),
  ]);
  return b!.y - (a!.y + a!.height);
}

/** A conversation in the sidebar (the awaiting views name the same colleague). */
const conversationWith = (page: Page, name: RegExp) =>
  page.getByRole('navigation').getByRole('button', { name });

beforeAll(async () => {
  ws = await startWorkstation();
  clock = controlledClock();
  // IT's roster: Dr Okafor is cardiology's on-call doctor tonight, Dr Fischer his backup.
  const onCall = await signWithTestItKey({
    roleId: 'cardiology-on-call',
    name: 'Cardiology on call',
    holders: [userId(ws.stack, OKAFOR)],
    backup: userId(ws.stack, FISCHER),
    serial: 2,
    signedAt: new Date().toISOString(),
  });
  if ((await postRosterEntry(ws.stack, onCall)).status !== 200) throw new Error('roster not posted');
  // The hospital's policy: unacknowledged urgent messages escalate to cardiology's on-call role.
  const policyFile = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-escalation-')), {
    escalationTarget: { kind: 'role', roleId: 'cardiology-on-call' },
    adminSigningKeys: [(await testItKey()).publicKey],
  });
  rao = await signedIn(ws, RAO, { clock, policyFile });
  // The same machine policy on his workstation: it verifies the roster, so it names the role.
  okafor = await signedIn(ws, OKAFOR, { policyFile });
  fischer = await signedIn(ws, FISCHER);
  const { conversationId } = await must<{ conversationId: string }>(rao, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, OKAFOR)],
  });
  await converse(conversationId, [[okafor, 'On the ward until 18:00']], [rao, okafor]);
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page: raoPage } = await openApp(browser, rao, server.url));
  ({ page: okaforPage } = await openApp(browser, okafor, server.url));
  ({ page: fischerPage } = await openApp(browser, fischer, server.url));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('an urgent message nobody acknowledges escalates', () => {
  it('Dr Rao sends it with a 2-minute deadline and sees it awaiting others, with the time left', async () => {
    await conversationWith(raoPage, /Dr Samuel Okafor/).click();
    await raoPage.getByLabel('Message', { exact: true }).fill(K);
    await raoPage.getByLabel('Urgent').check();
    await raoPage.getByLabel('Acknowledgement required').check();
    const within = raoPage.getByLabel('Acknowledge within');
    expect(await within.locator('option').allInnerTexts()).toEqual(['2 min', '5 min', '10 min', '15 min']);
    await within.selectOption('2');
    await checkScreen(raoPage, 'escalation-composer-deadline');
    await raoPage.getByRole('button', { name: 'Send' }).click();

    await awaitingButton(raoPage).click();
    await expect
      .poll(() => othersList(raoPage).innerText(), { timeout: 30_000 })
      .toMatch(/Bed 12: K\+ 6\.9[\s\S]*2 min left; escalates to Cardiology on call/);
    await checkScreen(raoPage, 'escalation-awaiting-others');
  });

  it('Dr Okafor has it awaiting his acknowledgement, counted in the sidebar', async () => {
    await expect.poll(() => awaitingButton(okaforPage).innerText(), { timeout: 60_000 }).toMatch(/1$/);
    await awaitingButton(okaforPage).click();
    await expect
      .poll(() => mineList(okaforPage).innerText(), { timeout: 30_000 })
      .toMatch(/Dr Asha Rao: Bed 12[\s\S]*Acknowledge by \d\d:\d\d; then it escalates to Cardiology on call/);
    await checkScreen(okaforPage, 'escalation-awaiting-mine');
  });

  it('at the deadline her timeline shows each step in place: re-notified, sent quoted to the backup Dr Fischer, alerted', async () => {
    clock.advance(60_000);
    await expect.poll(() => othersList(raoPage).innerText(), { timeout: 30_000 }).toMatch(/1 min left/);
    clock.advance(60_000);
    await conversationWith(raoPage, /Dr Samuel Okafor/).click();
    await expect
      .poll(() => stepRows(raoPage).allInnerTexts(), { timeout: 60_000 })
      .toEqual([
        expect.stringMatching(/^\d\d:\d\d · No acknowledgement by the deadline: escalating$/),
        expect.stringMatching(/Recipients notified again$/),
        expect.stringMatching(/Sent to Dr Lena Fischer \(Cardiology on call\), quoted as you signed it$/),
        expect.stringMatching(/You were alerted$/),
      ]);
    // The steps are rows of the timeline, after her message (nothing is listed above the composer any more).
    expect(await timeline(raoPage).innerText()).toMatch(
      /Bed 12: K\+ 6\.9[\s\S]*No acknowledgement by the deadline/,
    );
    // One row per step: her signed reminder is the "notified again" row, not a bubble of machine text.
    expect(await timeline(raoPage).innerText()).not.toMatch(stepMessageText);
    // The steps read as compact lines of the conversation, not banners spaced a line apart (32 px with the
    // banners' margin; the rows' own padding is 16).
    expect(await gapBetween(raoPage, 0, 1)).toBeLessThan(24);
    await checkScreen(raoPage, 'escalation-steps-sender');
    // Dr Okafor's conversation shows her signed reminder.
    await conversationWith(okaforPage, /Dr Asha Rao/).click();
    await expect
      .poll(() => stepRows(okaforPage).allInnerTexts(), { timeout: 60_000 })
      .toContainEqual(expect.stringMatching(/Dr Asha Rao is waiting for your acknowledgement$/));
    expect(await timeline(okaforPage).innerText()).not.toMatch(stepMessageText);
    await checkScreen(okaforPage, 'escalation-reminder-recipient');
  });

  it('Dr Fischer, the role’s backup, acknowledges the escalated message; both sides see the chain stop', async () => {
    await expect.poll(() => awaitingButton(fischerPage).innerText(), { timeout: 60_000 }).toMatch(/1$/);
    await awaitingButton(fischerPage).click();
    await expect
      .poll(() => mineList(fischerPage).innerText(), { timeout: 30_000 })
      .toMatch(/Dr Asha Rao: Bed 12[\s\S]*Escalated to you: not acknowledged by Dr Samuel Okafor/);
    await checkScreen(fischerPage, 'escalation-awaiting-target');
    await mineList(fischerPage)
      .getByRole('button', { name: /Bed 12/ })
      .click();
    const message = fischerPage.getByRole('article', { name: 'Message from Dr Asha Rao' }).last();
    await expect.poll(() => message.innerText(), { timeout: 30_000 }).toContain('K+ 6.9');
    await message.getByRole('button', { name: 'Acknowledge' }).click();
    await expect
      .poll(() => message.innerText(), { timeout: 30_000 })
      .toMatch(/You acknowledged at \d\d:\d\d/);
    await expect.poll(() => awaitingButton(fischerPage).innerText(), { timeout: 30_000 }).toMatch(/0$/);
    await checkScreen(fischerPage, 'escalation-target-acknowledged');

    await expect
      .poll(() => stepRows(raoPage).allInnerTexts(), { timeout: 60_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/Acknowledged late by Dr Lena Fischer: escalation stopped$/),
          expect.stringMatching(/Those still waiting were told Dr Lena Fischer acknowledged it$/),
        ]),
      );
    expect(await timeline(raoPage).innerText()).not.toMatch(stepMessageText);
    await checkScreen(raoPage, 'escalation-sender-resolved');
    await awaitingButton(raoPage).click();
    await expect
      .poll(() => raoPage.getByRole('heading', { name: /^Awaiting others/ }).innerText(), { timeout: 30_000 })
      .toBe('Awaiting others (0)');
    await checkScreen(raoPage, 'escalation-sender-after-ack');
  });

  it('Dr Okafor’s conversation says Dr Fischer acknowledged it, and it no longer awaits him', async () => {
    await expect
      .poll(() => stepRows(okaforPage).allInnerTexts(), { timeout: 60_000 })
      .toContainEqual(
        expect.stringMatching(
          /^\d\d:\d\d · Acknowledged by Dr Lena Fischer \(Cardiology on call\): no longer awaiting your acknowledgement$/,
        ),
      );
    // The message itself says so, instead of "Acknowledgement required".
    const original = okaforPage
      .getByRole('article', { name: 'Message from Dr Asha Rao' })
      .filter({ hasText: 'K+ 6.9' });
    await expect
      .poll(() => original.locator('.message-status').innerText(), { timeout: 30_000 })
      .toMatch(/^Acknowledged by Dr Lena Fischer \(Cardiology on call\) at \d\d:\d\d$/);
    expect(await timeline(okaforPage).innerText()).not.toMatch(stepMessageText);
    await expect.poll(() => awaitingButton(okaforPage).innerText(), { timeout: 30_000 }).toMatch(/0$/);
    await checkScreen(okaforPage, 'escalation-recipient-resolved');
  });
});
