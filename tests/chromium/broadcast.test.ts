// An announcement as staff see it. Dr Asha Rao tells three colleagues that Ward 3B admissions now go through
// the bed bureau. She writes it on the New announcement screen: the radiology registrar on call (Dr Fischer, by
// IT's signed roster), the Ward 3B nurse in charge (nobody holds it: she is told before sending and takes its
// backup, Dr Okafor, with one click) and Meera Nair from the directory. She lands on a card with its counts
// ("0 of 3 read, 0 acknowledged") and the list of who has not acknowledged; on Dr Okafor's screen it is a card
// labelled Announcement, with an Acknowledge button and no composer. As each of the three reads and
// acknowledges, her counts rise and the list shrinks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { ConversationView, MessageView } from '../../src/shared/contract';
import { testItKey } from '../stack/hub/roster-seed';
import { eventually, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const NOTICE = 'From 14:00 Ward 3B admissions go through the bed bureau, ext 4410. Please acknowledge.';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let rao: Core;
let okafor: Core;
let nair: Core;
let fischer: Core;
let conversationId: string;
let seq: number;
let raoPage: Page;

const summary = (page: Page) => page.locator('.broadcast-counts__summary strong').innerText();
const notYet = (page: Page) => page.getByTestId('broadcast-not-yet').innerText();

async function openAnnouncement(core: Core): Promise<Page> {
  const { page } = await openApp(browser, core, server.url);
  await page.getByRole('button', { name: /Announcement/ }).click();
  await page.getByTestId('announcement-card').first().waitFor();
  return page;
}

beforeAll(async () => {
  ws = await startWorkstation();
  // Her workstation trusts IT's roster key, so the roster's roles can be chosen.
  const policyFile = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-broadcast-walk-')), {
    adminSigningKeys: [(await testItKey()).publicKey],
  });
  rao = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC01', policyFile });
  okafor = await signedIn(ws, 'dr.samuel.okafor', { deviceName: 'ED-PC01' });
  nair = await signedIn(ws, 'opd.meera.nair', { deviceName: 'OPD-DESK2' });
  fischer = await signedIn(ws, 'dr.lena.fischer', { deviceName: 'RAD-PC03' });
  server = await serveRenderer();
  browser = await launchChromium();
  ({ page: raoPage } = await openApp(browser, rao, server.url));
  await raoPage.locator('#workspace-heading').waitFor();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('an announcement to three colleagues', () => {
  it('Dr Rao writes it on the New announcement screen, told before sending whom each role reaches', async () => {
    await raoPage.getByRole('button', { name: 'New announcement' }).click();
    const screen = raoPage.getByRole('region', { name: 'New announcement' });
    await expect
      .poll(() => raoPage.evaluate(() => document.activeElement?.id))
      .toBe('new-announcement-heading');
    const refusal = () => screen.locator('.alert--error').innerText();
    const send = screen.getByRole('button', { name: 'Send announcement' });

    await send.click();
    await expect
      .poll(refusal)
      .toBe('Choose at least one role, group or colleague to announce to. Nothing was sent.');

    await screen.getByRole('button', { name: 'Add Radiology registrar on call' }).click();
    const chosen = screen.getByRole('list', { name: 'Chosen recipients' });
    await expect.poll(() => chosen.innerText()).toContain('Radiology registrar on call: Dr Lena Fischer');
    await screen.getByRole('button', { name: 'Add Ward 3B nurse in charge' }).click();
    const unstaffed = screen.locator('.announcement-role--refused');
    await expect
      .poll(() => unstaffed.innerText())
      .toContain(
        'Nobody holds Ward 3B nurse in charge now; backup: Dr Samuel Okafor. Nothing will be sent until you choose.',
      );
    await screen.locator('#announcement-text').click();
    await raoPage.keyboard.type(NOTICE);
    await send.click();
    await expect
      .poll(refusal)
      .toBe(
        'Ward 3B nurse in charge reaches nobody now: send to its backup or remove it under Recipients. Nothing was sent.',
      );
    const announcements = async () =>
      (await must<ConversationView[]>(rao, 'conversations.list')).filter((c) => c.kind === 'announcement');
    expect(await announcements()).toEqual([]);
    await checkScreen(raoPage, 'broadcast-new-announcement-backup-offered');

    await screen.getByRole('button', { name: 'Send to the backup, Dr Samuel Okafor, instead' }).click();
    await screen.getByLabel('Find colleagues by name, role or department').focus();
    await raoPage.keyboard.type('Meera');
    await raoPage.keyboard.press('Enter');
    await screen.getByRole('button', { name: 'Add Meera Nair' }).press('Enter');
    await screen.getByRole('checkbox', { name: 'Acknowledgement required' }).press('Space');
    await expect.poll(() => screen.getByTestId('announcement-reach').innerText()).toBe('Goes to 3 people');
    expect(await chosen.innerText()).toMatch(
      /Radiology registrar on call: Dr Lena Fischer[\s\S]*Dr Samuel Okafor[\s\S]*Meera Nair/,
    );
    await expect(screen.getByLabel('Acknowledge within').isVisible()).resolves.toBe(true);
    await expect.poll(() => screen.locator('.alert--error').count()).toBe(0); // the refusal no longer applies
    await checkScreen(raoPage, 'broadcast-new-announcement-ready');

    await send.click();
    await raoPage.getByTestId('announcement-card').first().waitFor();
    const [announcement] = await announcements();
    conversationId = announcement!.conversationId;
    for (const core of [rao, okafor, nair, fischer])
      await eventually('the announcement is on every computer', async () => {
        const m = (await must<MessageView[]>(core, 'messages.page', { conversationId, limit: 50 })).find(
          (x) => x.text === NOTICE,
        );
        if (m?.seq == null || m.verdict !== 'valid') return false;
        seq = m.seq;
        return true;
      });
  });

  it('shows Dr Rao a card with its counts, and who has not acknowledged', async () => {
    await expect.poll(() => summary(raoPage), { timeout: 30_000 }).toBe('0 of 3 read, 0 acknowledged');
    await expect
      .poll(() => raoPage.locator('.broadcast-counts__summary').innerText(), { timeout: 30_000 })
      .toContain('3 of 3 delivered (reported by the server)');
    await raoPage.getByRole('button', { name: 'Who has not acknowledged' }).click();
    expect(await notYet(raoPage)).toBe(
      'Not acknowledged yet (3): Dr Samuel Okafor, Meera Nair, Dr Lena Fischer',
    );
    await checkScreen(raoPage, 'broadcast-sender-none-yet');
  });

  it('shows Dr Okafor an announcement card with Acknowledge and no composer', async () => {
    const page = await openAnnouncement(okafor);
    await page.getByRole('heading', { name: 'Announcement from Dr Asha Rao', level: 2 }).waitFor();
    await expect(page.getByRole('button', { name: /Announcement/ }).innerText()).resolves.toContain(
      'Announcement',
    );
    expect(await page.getByTestId('announcement-note').innerText()).toBe(
      'This is an announcement from Dr Asha Rao. Only the sender posts here; to reply, message Dr Asha Rao directly.',
    );
    expect(await page.getByRole('form', { name: 'Write a message' }).count()).toBe(0);
    expect(await raoPage.getByRole('form', { name: 'Write a message' }).count()).toBe(1);
    await checkScreen(page, 'broadcast-recipient-card');
    // Opening it marks it read (the server reports that to Dr Rao); then he acknowledges.
    await expect.poll(() => summary(raoPage), { timeout: 30_000 }).toBe('1 of 3 read, 0 acknowledged');
    await page.getByTestId('announcement-card').getByRole('button', { name: 'Acknowledge' }).click();
    await expect
      .poll(() => page.getByTestId('announcement-card').first().innerText(), { timeout: 30_000 })
      .toContain('You acknowledged at');
    await checkScreen(page, 'broadcast-recipient-acknowledged');
    await page.context().close();
  });

  it('raises Dr Rao\'s counts as each reads and acknowledges, and the "who has not" list shrinks', async () => {
    await expect.poll(() => summary(raoPage), { timeout: 30_000 }).toBe('1 of 3 read, 1 acknowledged');
    await expect
      .poll(() => notYet(raoPage), { timeout: 30_000 })
      .toBe('Not acknowledged yet (2): Meera Nair, Dr Lena Fischer');
    await checkScreen(raoPage, 'broadcast-sender-one-acknowledged');

    await must(nair, 'messages.markRead', { conversationId, uptoSeq: seq });
    await expect.poll(() => summary(raoPage), { timeout: 30_000 }).toBe('2 of 3 read, 1 acknowledged');
    await must(nair, 'messages.acknowledge', { conversationId, seq });
    await expect.poll(() => summary(raoPage), { timeout: 30_000 }).toBe('2 of 3 read, 2 acknowledged');
    await expect
      .poll(() => notYet(raoPage), { timeout: 30_000 })
      .toBe('Not acknowledged yet (1): Dr Lena Fischer');
    await checkScreen(raoPage, 'broadcast-sender-two-acknowledged');

    // Dr Fischer acknowledges from her phone-less radiology PC without a read receipt first: a signed
    // acknowledgement counts as read too.
    await must(fischer, 'messages.acknowledge', { conversationId, seq });
    await expect.poll(() => summary(raoPage), { timeout: 30_000 }).toBe('3 of 3 read, 3 acknowledged');
    await expect.poll(() => notYet(raoPage), { timeout: 30_000 }).toBe('Everyone has acknowledged it.');
    await raoPage.getByRole('button', { name: 'Who has not read' }).click();
    await expect.poll(() => notYet(raoPage), { timeout: 30_000 }).toBe('Everyone has read it.');
    await checkScreen(raoPage, 'broadcast-sender-all-acknowledged');
  });
});
