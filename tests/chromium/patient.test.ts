// A safe patient context, as Dr Asha Rao meets it on WARD3B-PC01 (her hospital's MRNs are seven digits,
// machine policy mrnPattern '^[0-9]{7}$'). An MRN typed without a name holds the message and says what is
// missing; the patient goes on as one chip with a ✕, and is gone after sending, so her next message to
// Dr Okafor is not tagged by mistake. Her ward group becomes a patient conversation: one banner at the top,
// no pill on each message, a message about another patient still marked. The patient view lists everything
// about the MRN across both conversations.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { ConversationView, MessageView } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import {
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';
const FISCHER = 'dr.lena.fischer';
const petrov = { mrn: '0042817', name: 'Mr John Petrov' };
const okoye = { mrn: '0091234', name: 'Mrs Ada Okoye' };

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let rao: Core;
let okafor: Core;
let fischer: Core;
let direct: string;
let ward: string;
let page: Page;

const messagesOf = (core: Core, conversationId: string) =>
  must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
const composer = () => page.getByRole('form', { name: 'Write a message' });
const chip = () => page.getByTestId('patient-chip');
/** The open conversation's messages (the list's preview can show the same text). */
const messageLog = () => page.getByRole('log', { name: 'Messages' });

async function tagPatient(p: { mrn: string; name: string }): Promise<void> {
  await composer().getByRole('button', { name: 'Tag a patient' }).click();
  await composer().getByLabel('Patient MRN').fill(p.mrn);
  await composer().getByLabel('Patient name').fill(p.name);
  await composer().getByRole('button', { name: 'Add patient' }).click();
  await chip().waitFor();
}
async function sendText(text: string): Promise<void> {
  await composer().getByLabel('Message').fill(text);
  await composer().getByRole('button', { name: 'Send' }).click();
}
async function openConversation(name: RegExp, heading: RegExp): Promise<void> {
  await page.getByRole('button', { name }).first().click();
  await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
}

beforeAll(async () => {
  ws = await startWorkstation();
  const hospital = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-patient-')), { mrnPattern: '^[0-9]{7}$' });
  rao = await signedIn(ws, RAO, { deviceName: 'WARD3B-PC01', policyFile: hospital });
  okafor = await signedIn(ws, OKAFOR);
  fischer = await signedIn(ws, FISCHER);
  ({ conversationId: direct } = await must<{ conversationId: string }>(rao, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, OKAFOR)],
  }));
  ({ conversationId: ward } = await must<{ conversationId: string }>(rao, 'conversations.create', {
    kind: 'group',
    memberIds: [userId(ws.stack, OKAFOR), userId(ws.stack, FISCHER)],
  }));
  await converse(direct, [[okafor, 'Bed 12 bloods are back']], [rao, okafor]);
  await converse(ward, [[fischer, 'Ward 3B handover at 19:30']], [rao, okafor, fischer]);
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, rao, server.url));
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('the patient chip', () => {
  it('an MRN without a name is refused with a message, and nothing is sent', async () => {
    await openConversation(/^Dr Samuel Okafor(?!,)/, /^Dr Samuel Okafor$/);
    await composer().getByRole('button', { name: 'Tag a patient' }).click();
    await composer().getByLabel('Patient MRN').fill(petrov.mrn);
    await sendText('Bed 12 potassium 6.9, please review now');
    await expect
      .poll(() => composer().getByRole('alert').innerText())
      .toMatch(/name is missing: a patient tag needs both the MRN and the name\. Nothing was sent\./);
    expect((await messagesOf(rao, direct)).map((m) => m.text)).toEqual(['Bed 12 bloods are back']);
    await checkScreen(page, 'patient-mrn-without-name');

    // An MRN not in the hospital's format is refused the same way.
    await composer().getByLabel('Patient MRN').fill('42-817');
    await composer().getByLabel('Patient name').fill(petrov.name);
    await composer().getByRole('button', { name: 'Add patient' }).click();
    await expect
      .poll(() => composer().getByRole('alert').innerText())
      .toMatch(/not in this hospital's format/);
  });

  it('holds the patient as one chip with a ✕, and clears it after sending', async () => {
    await composer().getByLabel('Patient MRN').fill(petrov.mrn);
    await composer().getByRole('button', { name: 'Add patient' }).click();
    await chip().waitFor();
    expect(await chip().innerText()).toContain('Patient Mr John Petrov · 0042817');
    await expect.poll(() => composer().getByRole('alert').count()).toBe(0);
    // The ✕ is an icon alone: its words show as a tooltip on keyboard focus and on hover.
    const remove = composer().getByRole('button', { name: 'Remove patient Mr John Petrov' });
    const tooltip = page.getByRole('tooltip', { name: 'Remove patient Mr John Petrov' });
    await remove.focus();
    await tooltip.waitFor();
    await checkScreen(page, 'patient-chip');
    await page.keyboard.press('Escape');
    await tooltip.waitFor({ state: 'detached' });
    await page.mouse.move(0, 0);
    await remove.hover();
    await tooltip.waitFor();
    await page.mouse.move(0, 0);

    await composer().getByLabel('Message').fill('Bed 12 potassium 6.9, please review now');
    await composer().getByRole('button', { name: 'Send' }).click();
    await messageLog().getByText('Patient Mr John Petrov · 0042817', { exact: true }).waitFor();
    await expect.poll(() => chip().count()).toBe(0);
    await composer().getByRole('button', { name: 'Tag a patient' }).waitFor();
    expect(await composer().getByLabel('Message').inputValue()).toBe('');

    // The next message, about something else, goes untagged.
    await sendText('Also: pharmacy closes at 8');
    await eventually(
      'both are sent',
      async () => (await messagesOf(rao, direct)).filter((m) => m.own && m.seq !== null).length === 2,
    );
    const sent = (await messagesOf(rao, direct)).filter((m) => m.own);
    expect(Object.fromEntries(sent.map((m) => [m.text, m.patient]))).toEqual({
      'Bed 12 potassium 6.9, please review now': petrov,
      'Also: pharmacy closes at 8': null,
    });
    await checkScreen(page, 'patient-chip-cleared');
  });
});

describe('a patient conversation', () => {
  it('shows one banner and no pills; the chip stays the patient; another patient is marked', async () => {
    await openConversation(/Dr Lena Fischer/, /Dr Lena Fischer/);
    await tagPatient(petrov);
    await composer().getByRole('button', { name: 'Make this a patient conversation' }).click();
    await page.getByTestId('patient-banner').waitFor();
    await eventually('Dr Okafor folds it too', async () =>
      (await must<ConversationView[]>(okafor, 'conversations.list')).some(
        (c) => c.conversationId === ward && c.patient?.mrn === petrov.mrn,
      ),
    );

    await sendText('Petrov: calcium gluconate given at 14:10');
    await messageLog().getByText('Petrov: calcium gluconate given at 14:10').waitFor();
    // In a patient conversation the chip comes back as the patient after sending.
    await expect.poll(() => chip().innerText()).toContain('Mr John Petrov');
    await sendText('Petrov: repeat U&E at 18:00');
    await messageLog().getByText('Petrov: repeat U&E at 18:00').waitFor();

    await composer().getByRole('button', { name: 'Remove patient Mr John Petrov' }).click();
    await tagPatient(okoye);
    await sendText('Okoye: discharge letter ready for signing');
    await messageLog().getByText('Different patient: Mrs Ada Okoye · 0091234').waitFor();

    expect(await page.getByTestId('patient-banner').count()).toBe(1);
    expect(await page.getByTestId('patient-banner').innerText()).toContain('Mr John Petrov · MRN 0042817');
    const timeline = page.locator('.message');
    expect(await timeline.getByText(/^Patient Mr John Petrov/).count()).toBe(0);
    expect(await timeline.getByText(/Different patient: Mrs Ada Okoye/).count()).toBe(1);
    await checkScreen(page, 'patient-conversation-banner');
  });
});

describe('the patient view', () => {
  it('lists every message about the MRN across conversations, newest first', async () => {
    await page.getByRole('button', { name: /Everything about Mr John Petrov/ }).click();
    const list = page.getByRole('list', { name: 'Messages and documents about MRN 0042817' });
    await expect
      .poll(() => list.getByRole('listitem').allInnerTexts())
      .toEqual([
        expect.stringContaining('Petrov: repeat U&E at 18:00'),
        expect.stringContaining('Petrov: calcium gluconate given at 14:10'),
        expect.stringContaining('Bed 12 potassium 6.9, please review now'),
      ]);
    expect(await page.getByRole('status').filter({ hasText: 'tagged with MRN' }).innerText()).toBe(
      '3 items tagged with MRN 0042817 on this computer',
    );
    await checkScreen(page, 'patient-view');

    // From the sidebar, searched by MRN; an item opens its conversation.
    await page.getByRole('button', { name: 'Patients' }).click();
    await page.getByRole('search').getByLabel('MRN').fill(okoye.mrn);
    await page.getByRole('search').getByRole('button', { name: 'Find' }).click();
    const okoyeList = page.getByRole('list', { name: 'Messages and documents about MRN 0091234' });
    await expect.poll(() => okoyeList.getByRole('listitem').count()).toBe(1);
    await okoyeList.getByRole('button').click();
    await page.getByTestId('patient-banner').waitFor();
  });
});
