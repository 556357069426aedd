// No silent devices and signed acknowledgements, as staff see them (docs/threat-model.md). Dr Samuel Okafor
// signs in on a new workstation, WARD3B-PC02. Dr Asha Rao's PC (newDeviceTrust "notice") says so in their
// conversation. Dr Lena Fischer's PC (newDeviceTrust "verify") says so too, holds back what that workstation
// sends until she compares the safety number and accepts it in contact details, and then opens it. Then
// Dr Rao acknowledges an urgent message: her screen says "You acknowledged at HH:MM" with no button, and so
// does her second workstation, from the signed entry alone. Last, someone with her access token revokes that
// second workstation through the hub: with no IT signature it only locks, says why, and keeps her data.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView, UserKeyStatusView } from '../../src/shared/contract';
import { HubMethod } from '../../src/shared/hub-protocol';
import { call, deviceSession, userId } from '../stack/hub/hub-test-kit';
import {
  connected,
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

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let rao: Core;
let fischer: Core;
let okafor: Core;
let okaforPc02: Core;
let withRao: string;
let withFischer: string;
let raoPage: Page;
let raoPc03: Core;
let raoPc03Page: Page;
let fischerPage: Page;

const send = (core: Core, conversationId: string, text: string, urgent = false) =>
  must<{ envelopeId: string }>(core, 'messages.send', {
    conversationId,
    text,
    urgent,
    ackRequired: urgent,
    patient: null,
  });
const messagesOf = (core: Core, conversationId: string) =>
  must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
const notice = (page: Page) => page.getByTestId('device-notice');

/** Opens `core`'s app in Chromium on its conversation with Dr Okafor. */
async function openOnOkafor(core: Core): Promise<Page> {
  const { page } = await openApp(browser, core, server.url);
  await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
  await page.getByRole('heading', { name: 'Dr Samuel Okafor', level: 2 }).waitFor();
  return page;
}

beforeAll(async () => {
  ws = await startWorkstation();
  // One hospital's "verify" machine policy on Dr Fischer's and Dr Okafor's PCs; Dr Rao's PC keeps the default.
  const verify = (deviceName: string) => ({
    policyFile: ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-verify-')), { newDeviceTrust: 'verify' }),
    deviceName,
  });
  rao = await signedIn(ws, RAO, { deviceName: 'WARD3B-PC01' });
  fischer = await signedIn(ws, FISCHER, verify('ICU-PC07'));
  okafor = await signedIn(ws, OKAFOR, verify('ED-PC01'));
  const direct = async (core: Core) =>
    (
      await must<{ conversationId: string }>(core, 'conversations.create', {
        kind: 'direct',
        memberIds: [userId(ws.stack, OKAFOR)],
      })
    ).conversationId;
  withRao = await direct(rao);
  withFischer = await direct(fischer);
  await converse(withRao, [[okafor, 'Bed 4 troponin back: 12 ng/L']], [rao, okafor]);
  await converse(withFischer, [[okafor, 'ICU bed 2: lactate 3.1, repeat at 16:00']], [fischer, okafor]);
  server = await serveRenderer();
  browser = await launchChromium();
  raoPage = await openOnOkafor(rao);
  fischerPage = await openOnOkafor(fischer);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('a colleague signs in on a new workstation', () => {
  it('"notice": the conversation says who, where and when, and the workstation is used', async () => {
    // Dr Okafor's first sign-in on WARD3B-PC02 (his key reaches it only once his own PC accepts it, below).
    okaforPc02 = ws.newCore({
      policyFile: ws.policyFileOf(okafor),
      deviceName: 'WARD3B-PC02',
    });
    ws.login.next(ws.credentials(OKAFOR));
    expect((await must(okaforPc02, 'session.signIn', {})).status).toBe('active');
    await connected(okaforPc02);

    await expect
      .poll(() => notice(raoPage).allInnerTexts(), { timeout: 60_000 })
      .toEqual([
        expect.stringMatching(
          /^Dr Samuel Okafor signed in on a new workstation, WARD3B-PC02, at \d\d:\d\d\. If Dr Samuel Okafor did not, tell IT\.$/,
        ),
      ]);
    expect(await notice(raoPage).getAttribute('class')).toContain('alert--info');
    await checkScreen(raoPage, 'trust-new-workstation-notice');
  });

  it('"verify": held until Dr Fischer compares the safety number and accepts it in contact details', async () => {
    await expect
      .poll(() => notice(fischerPage).innerText(), { timeout: 60_000 })
      .toMatch(
        /^Dr Samuel Okafor signed in on a new workstation, WARD3B-PC02, at \d\d:\d\d\. Nothing of this conversation reaches it until someone compares the safety number with Dr Samuel Okafor and accepts it in contact details\.$/,
      );
    expect(await notice(fischerPage).getAttribute('class')).toContain('alert--warning');
    await checkScreen(fischerPage, 'trust-verify-held-notice');

    // His own first PC tells him and holds his key back; he accepts his new workstation there.
    const okaforId = userId(ws.stack, OKAFOR);
    let pc02Id = '';
    await eventually('ED-PC01 lists WARD3B-PC02', async () => {
      const status = await must<UserKeyStatusView>(okafor, 'keys.status');
      pc02Id = status.devices.find((d) => d.deviceName === 'WARD3B-PC02')?.deviceId ?? '';
      return pc02Id !== '';
    });
    await must(okafor, 'keys.acceptNewDevice', { userId: okaforId, deviceId: pc02Id });
    await eventually(
      'WARD3B-PC02 holds his key',
      async () => okaforPc02.messaging()?.userKeyStatus().status.state === 'ready',
    );

    // What WARD3B-PC02 sends is held on Dr Fischer's PC, and says why and what to do.
    const text = 'Seen the lactate, will review at 16:00';
    const { envelopeId } = await send(okaforPc02, withFischer, text);
    await eventually('the hub numbered it', async () =>
      (await messagesOf(okaforPc02, withFischer)).some((m) => m.envelopeId === envelopeId && m.seq !== null),
    );
    const held = fischerPage.getByRole('article', {
      name: 'Message from Dr Samuel Okafor, held until a new workstation is accepted',
    });
    await held.waitFor({ timeout: 60_000 });
    expect(await held.innerText()).not.toContain(text);
    expect(await fischerPage.getByText(text).count()).toBe(0);
    const listed = fischerPage.getByRole('button', { name: /^Dr Samuel Okafor/ }).first();
    expect(await listed.innerText()).toContain('Held: sent from a new workstation');
    await checkScreen(fischerPage, 'trust-verify-held-message');

    // Contact details: the workstation, its safety number, and the accept button.
    await fischerPage.getByRole('button', { name: 'Contact details' }).click();
    const contact = fischerPage.getByRole('group', { name: 'Dr Samuel Okafor' });
    const entry = contact.getByRole('listitem').filter({ hasText: 'WARD3B-PC02' });
    expect(await entry.innerText()).toContain(
      'New device: nothing is sent to it until you compare the safety number and accept it',
    );
    expect(await entry.getByTestId('safety-number').innerText()).toMatch(/^(\d{5} ){11}\d{5}$/);
    await checkScreen(fischerPage, 'trust-verify-contact-details');
    await entry.getByRole('button', { name: 'Accept WARD3B-PC02 of Dr Samuel Okafor' }).click();
    await expect.poll(() => entry.innerText(), { timeout: 30_000 }).toContain('Key on record');
    expect(await entry.getByRole('button').count()).toBe(0);
    await fischerPage.getByRole('button', { name: 'Close contact details' }).click();

    // Accepted: the held message opens, verified, and the notice says it was accepted.
    const opened = fischerPage.getByRole('article', { name: 'Message from Dr Samuel Okafor' }).last();
    await expect.poll(() => opened.innerText(), { timeout: 60_000 }).toContain(text);
    expect(await held.count()).toBe(0);
    expect(await notice(fischerPage).innerText()).toMatch(
      /WARD3B-PC02, at \d\d:\d\d\. It was accepted after comparing safety numbers\.$/,
    );
    await checkScreen(fischerPage, 'trust-verify-accepted');
  });
});

describe('the acknowledger sees her own acknowledgement, on each workstation she uses', () => {
  it('"You acknowledged at HH:MM", no button, on WARD3B-PC01 and on her second workstation', async () => {
    await send(okafor, withRao, 'Bed 4: K+ 6.9, please review now', true);
    const urgent = raoPage.getByRole('article', { name: 'Message from Dr Samuel Okafor' }).last();
    await expect.poll(() => urgent.innerText(), { timeout: 60_000 }).toContain('K+ 6.9');
    expect(await urgent.innerText()).toContain('Acknowledgement required');
    await urgent.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => urgent.innerText(), { timeout: 30_000 }).toMatch(/You acknowledged at \d\d:\d\d/);
    expect(await urgent.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await checkScreen(raoPage, 'trust-ack-own-view');

    // The sender's PC holds her signed entry, verified.
    const raoId = userId(ws.stack, RAO);
    await expect
      .poll(
        async () =>
          (await messagesOf(okafor, withRao)).find((m) => m.text?.includes('K+ 6.9'))?.acknowledgements,
        { timeout: 60_000 },
      )
      .toEqual([expect.objectContaining({ userId: raoId, own: false })]);

    // Her second workstation opens the history and shows the same, from the signed entry.
    raoPc03 = await signedIn(ws, RAO, { deviceName: 'WARD3B-PC03' });
    const second = await openOnOkafor(raoPc03);
    const there = second.getByRole('article', { name: 'Message from Dr Samuel Okafor' }).last();
    await expect.poll(() => there.innerText(), { timeout: 60_000 }).toMatch(/You acknowledged at \d\d:\d\d/);
    expect(await there.innerText()).toContain('K+ 6.9');
    expect(await there.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await checkScreen(second, 'trust-ack-second-workstation');
    raoPc03Page = second;
  });
});

describe("a revocation the hub sends without IT's signature", () => {
  it('locks WARD3B-PC03 with "access withdrawn", keeps its data, and signing in again carries on', async () => {
    // Someone holding Dr Rao's access token (or the hub itself) revokes her second workstation.
    const thief = await deviceSession(ws.stack, RAO);
    try {
      await call(thief.connection, HubMethod.RevokeDevice, { deviceId: raoPc03.messaging()!.deviceId });
    } finally {
      await thief.connection.stop();
    }
    const page = raoPc03Page;
    await page.getByRole('heading', { name: 'Locked — Dr Asha Rao' }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('alert').innerText()).toBe(
      'Your access on this workstation was withdrawn by the server. Sign in again.',
    );
    expect(await page.getByLabel('PIN', { exact: true }).count()).toBe(0);
    await checkScreen(page, 'trust-access-withdrawn');

    ws.login.next(ws.credentials(RAO));
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
    const kept = page.getByRole('article', { name: 'Message from Dr Samuel Okafor' }).last();
    await expect.poll(() => kept.innerText(), { timeout: 60_000 }).toMatch(/You acknowledged at \d\d:\d\d/);
  });
});
