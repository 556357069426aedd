// Rostering, as staff see it, against the real hub (docs/roster.md). Meera Nair at OPD desk 2 messages
// "Cardiology on call": it reaches Dr Asha Rao, and her timeline says "To: Cardiology on call (Dr Asha Rao)".
// IT hands the role to Dr Samuel Okafor; the role list follows, and the next message to the same role reaches
// him alone, needing his acknowledgement within 10 minutes. Then "Ward 3B nurse in charge", which nobody
// holds: she is told before anything is sent and offered the backup. Screenshots and axe-core on every screen.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { ConversationView, MessageView } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { postRosterEntry } from '../stack/hub/roster-admin';
import { signWithTestItKey, testItKey } from '../stack/hub/roster-seed';
import { must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const FIRST = 'Bed 12 chest pain, troponin rising, please review';
const SECOND = 'Bed 14 new AF, rate 150, please review';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let rao: Core;
let okafor: Core;
let meera: Core;
let page: Page;

async function received(core: Core): Promise<string[]> {
  const conversations = await must<ConversationView[]>(core, 'conversations.list');
  const pages = await Promise.all(
    conversations.map((c) =>
      must<MessageView[]>(core, 'messages.page', { conversationId: c.conversationId, limit: 50 }),
    ),
  );
  return pages
    .flat()
    .filter((m) => m.verdict === 'valid')
    .map((m) => m.text ?? '');
}

const roleList = () => page.getByRole('list', { name: 'Roles' });
const timeline = () => page.locator('.message-to-role');

/** With `ackWithinMinutes`: "Acknowledgement required" ticked and that deadline chosen. */
async function messageRole(name: string, text: string, ackWithinMinutes?: number): Promise<void> {
  await page.getByLabel('Find a role').fill(name.split(' ')[0]!);
  await page.getByRole('button', { name: `Message ${name}` }).click();
  await page.getByLabel(`Message to ${name}`).fill(text);
  if (ackWithinMinutes !== undefined) {
    const form = page.locator('.role-compose');
    await form.getByLabel('Acknowledgement required').check();
    await form.getByLabel('Acknowledge within').selectOption(String(ackWithinMinutes));
  }
  await page.getByRole('button', { name: `Send to ${name}` }).click();
}

beforeAll(async () => {
  ws = await startWorkstation();
  const pinned = async () => ({
    policyFile: ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-roles-walk-')), {
      adminSigningKeys: [(await testItKey()).publicKey],
    }),
  });
  rao = await signedIn(ws, 'dr.asha.rao', await pinned());
  okafor = await signedIn(ws, 'dr.samuel.okafor', await pinned());
  meera = await signedIn(ws, 'opd.meera.nair', await pinned());
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page } = await openApp(browser, meera, server.url));
  await page.locator('#workspace-heading').waitFor();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('messaging a role', () => {
  it('lists the roster with holders and backups', async () => {
    await expect
      .poll(() => roleList().locator('li').allInnerTexts(), { timeout: 30_000 })
      .toEqual([
        expect.stringMatching(/^Cardiology on call · Dr Asha Rao · backup Dr Samuel Okafor/),
        expect.stringMatching(/^OPD desk 2 · Meera Nair/),
        expect.stringMatching(/^Radiology registrar on call · Dr Lena Fischer · backup Dr Samuel Okafor/),
        expect.stringMatching(/^Ward 3B nurse in charge · Nobody on the roster · backup Dr Samuel Okafor/),
      ]);
    await checkScreen(page, 'roles-roster');
  });

  it('"Cardiology on call" reaches Dr Rao, and the timeline says so', async () => {
    await messageRole('Cardiology on call', FIRST);
    await expect
      .poll(() => timeline().allInnerTexts(), { timeout: 30_000 })
      .toEqual(['To: Cardiology on call (Dr Asha Rao)']);
    await expect.poll(() => received(rao), { timeout: 60_000 }).toContain(FIRST);
    await checkScreen(page, 'roles-sent-to-rao');
  });

  it('after IT changes the roster, the next message to the same role reaches Dr Okafor alone', async () => {
    const handover = await signWithTestItKey({
      roleId: 'cardiology-on-call',
      name: 'Cardiology on call',
      holders: [userId(ws.stack, 'dr.samuel.okafor')],
      backup: userId(ws.stack, 'dr.asha.rao'),
      serial: 2,
      signedAt: new Date().toISOString(),
    });
    expect((await postRosterEntry(ws.stack, handover)).status).toBe(200);
    await page.getByLabel('Find a role').fill('');
    await expect
      .poll(() => roleList().locator('li').first().innerText(), { timeout: 30_000 })
      .toMatch(/^Cardiology on call · Dr Samuel Okafor · backup Dr Asha Rao/);
    await checkScreen(page, 'roles-roster-changed');

    await messageRole('Cardiology on call', SECOND, 10);
    await expect
      .poll(() => timeline().allInnerTexts(), { timeout: 30_000 })
      .toEqual(['To: Cardiology on call (Dr Samuel Okafor)']);
    await expect.poll(() => received(okafor), { timeout: 60_000 }).toContain(SECOND);
    expect(await received(okafor)).not.toContain(FIRST);
    expect(await received(rao)).not.toContain(SECOND);
    // Sent needing acknowledgement within 10 minutes: it waits for Dr Okafor's, with the signed deadline.
    await expect
      .poll(
        async () =>
          (await must<Array<{ text: string; deadlineAt: string | null }>>(okafor, 'escalations.awaitingMine'))
            .filter((m) => m.text === SECOND)
            .map((m) => m.deadlineAt !== null),
        { timeout: 30_000 },
      )
      .toEqual([true]);
    await checkScreen(page, 'roles-sent-to-okafor');
  });

  it('"Ward 3B nurse in charge" is nobody: told before sending, the backup offered, and then reached', async () => {
    const before = await received(okafor);
    await messageRole('Ward 3B nurse in charge', 'Bay 2 patient fell, please assess');
    const alert = page.locator('.role-unstaffed');
    await expect
      .poll(() => alert.innerText(), { timeout: 30_000 })
      .toContain('Nobody holds Ward 3B nurse in charge now; backup: Dr Samuel Okafor. Nothing was sent.');
    expect(await received(okafor)).toEqual(before);
    await checkScreen(page, 'roles-unstaffed-backup-offered');

    await page.getByRole('button', { name: 'Send to the backup, Dr Samuel Okafor' }).click();
    await expect
      .poll(() => received(okafor), { timeout: 60_000 })
      .toContain('Bay 2 patient fell, please assess');
    await expect
      .poll(() => timeline().allInnerTexts(), { timeout: 30_000 })
      .toContain('To: Ward 3B nurse in charge (Dr Samuel Okafor) · sent to the backup');
    await checkScreen(page, 'roles-sent-to-backup');
  });
});
