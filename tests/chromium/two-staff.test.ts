// The whole clinical flow in Chromium, for two staff on their own workstations: Dr Asha Rao (a doctor on the
// ward) and Meera Nair (admin at the outpatient desk, who does everything from the keyboard alone). The real
// renderer over real cores, the real IdP's login page, hub, document gateway and OS keychain. Every screen
// is photographed into test-results/screenshots and checked with axe-core.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { OsNotification } from '../../src/main/core/notifications';
import type { MessageView } from '../../src/shared/contract';
import { minimalPdf } from '../integration/documents/fixtures';
import type { RunningGateway } from '../stack/gateway';
import { controlledClock, timersOf } from '../support/controlled-clock';
import { must, startWorkstation, withDocumentGateway, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer, signInButton, tabTo } from './harness';

let ws: Workstation;
let gateway: RunningGateway;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let doctorCore: Core;
let adminCore: Core;
let doctor: Page;
let admin: Page;
const doctorNotifications: OsNotification[] = [];
const cspViolations: string[][] = [];
const shots: string[] = [];
let nextFile: string | null = null;
const files = mkdtempSync(join(tmpdir(), 'cm-two-staff-'));
/** The doctor's idle lock and re-notifications run on this: the test says when a minute has passed. */
const doctorClock = controlledClock();

const check = async (page: Page, name: string) =>
  void shots.push(...(await checkScreen(page, `e2e-${name}`)));

const workspaceOf = (page: Page) => page.locator('#workspace-heading');
/** Signs `username` in on the doctor's computer through the IdP's page; the app then names them. */
async function doctorSignsIn(username: string, displayName: string): Promise<void> {
  ws.login.next(ws.credentials(username));
  await signInButton(doctor).click();
  await workspaceOf(doctor).waitFor({ timeout: 60_000 });
  expect(await doctor.getByRole('banner').innerText()).toContain(displayName);
}

beforeAll(async () => {
  ws = await startWorkstation();
  // The hospital's policy for both desks: urgent messages re-notify every minute.
  const started = await withDocumentGateway(ws, { urgentRenotifyMinutes: 1, idleLockMaxMinutes: 10 });
  gateway = started.gateway;
  doctorCore = ws.newCore({
    policyFile: started.policyFile,
    notify: (n) => doctorNotifications.push(n),
    timers: timersOf(doctorClock),
  });
  adminCore = ws.newCore({ policyFile: started.policyFile, pickFile: async () => nextFile });
  server = await serveRenderer();
  browser = await launchChromium();
  for (const [core, set] of [
    [doctorCore, (p: Page) => (doctor = p)],
    [adminCore, (p: Page) => (admin = p)],
  ] as const) {
    const opened = await openApp(browser, core, server.url);
    set(opened.page);
    cspViolations.push(opened.cspViolations);
  }
}, 180_000);
afterAll(async () => {
  console.info(`two-staff screenshots:\n${shots.join('\n')}`);
  await browser?.close();
  await server?.close();
  await ws?.close();
  await gateway?.close();
});

describe('a doctor and an OPD admin, end to end', () => {
  it('each signs in on the IdP login page and enrols this computer’s keys', async () => {
    await doctor.getByRole('heading', { name: 'Sign in' }).waitFor();
    await check(doctor, 'sign-in');

    await doctorSignsIn('dr.asha.rao', 'Dr Asha Rao');
    await check(doctor, 'workspace-empty');

    // The admin, from the keyboard alone.
    ws.login.next(ws.credentials('opd.meera.nair'));
    await tabTo(admin, admin.getByRole('button', { name: 'Sign in', exact: true }));
    await admin.keyboard.press('Enter');
    await workspaceOf(admin).waitFor({ timeout: 60_000 });
    expect(ws.login.opened).toBe(2);

    // Enrolled: settings show this computer's own key fingerprint, the same one the session reports.
    await tabTo(admin, admin.getByRole('button', { name: 'Settings' }));
    await admin.keyboard.press('Enter');
    const fingerprint = await admin.getByTestId('own-fingerprint').innerText();
    const session = await must(adminCore, 'session.current');
    expect(session.status === 'active' && session.device.fingerprint).toBe(fingerprint);
    await check(admin, 'settings');
  });

  it('they find each other in the directory, exchange messages and compare safety numbers', async () => {
    // Meera searches the directory, sees Dr Rao online, starts the conversation and writes.
    await tabTo(admin, admin.getByLabel('Find staff by name, role or department'));
    await admin.keyboard.type('Rao');
    await admin.keyboard.press('Enter');
    const found = admin.getByRole('list', { name: 'Staff found' });
    await expect.poll(() => found.innerText(), { timeout: 30_000 }).toMatch(/Dr Asha Rao.*Online/);
    await check(admin, 'directory-search');
    await tabTo(admin, admin.getByRole('button', { name: 'Message Dr Asha Rao' }));
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { name: 'Dr Asha Rao', level: 2 }).waitFor();
    await tabTo(admin, admin.getByLabel('Message', { exact: true }));
    await admin.keyboard.type(
      'New referral from OPD: Mr Ravi Kumar, chest pain on exertion. Can you see him today?',
    );
    await admin.keyboard.press('Control+Enter');
    const adminSent = admin.getByRole('article', { name: 'Message from Meera Nair' });
    await expect.poll(() => adminSent.innerText(), { timeout: 30_000 }).toContain('New referral from OPD');

    // Dr Rao sees it unread in her list, opens it and replies.
    const item = doctor.getByRole('button', { name: /Meera Nair/ });
    await expect.poll(() => item.getByLabel('1 unread').count(), { timeout: 30_000 }).toBe(1);
    expect(await item.innerText()).toContain('New referral from OPD');
    await check(doctor, 'conversation-list');
    await item.click();
    await doctor.getByRole('article', { name: 'Message from Meera Nair' }).waitFor();
    expect(await doctor.getByText('Today', { exact: true }).count()).toBe(1);
    await doctor.getByLabel('Message', { exact: true }).fill('Yes, send him to cardiology clinic at 3 pm.');
    await doctor.getByRole('button', { name: 'Send' }).click();
    const reply = admin.getByRole('article', { name: 'Message from Dr Asha Rao' });
    await expect.poll(() => reply.innerText(), { timeout: 30_000 }).toContain('cardiology clinic at 3 pm');
    await expect.poll(() => adminSent.innerText(), { timeout: 30_000 }).toContain('Read');
    await check(doctor, 'conversation');

    // Meera finds the reply again by searching her messages.
    await tabTo(admin, admin.getByLabel('Search messages'));
    await admin.keyboard.type('cardiology');
    await admin.keyboard.press('Enter');
    const hits = admin.getByRole('list', { name: 'Messages found' });
    await expect.poll(() => hits.innerText(), { timeout: 10_000 }).toContain('Dr Asha Rao: Yes, send him');
    await check(admin, 'message-search');

    // Both open the contact details: the safety numbers they read out to each other are the same.
    await doctor.getByRole('button', { name: 'Contact details' }).click();
    const doctorNumber = await doctor.getByTestId('safety-number').innerText();
    expect(doctorNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    await check(doctor, 'contact-details');
    await tabTo(admin, admin.getByRole('button', { name: 'Contact details' }));
    await admin.keyboard.press('Enter');
    expect(await admin.getByTestId('safety-number').innerText()).toBe(doctorNumber);
    expect(await admin.getByRole('group', { name: 'Dr Asha Rao' }).innerText()).toContain('Online');
    await tabTo(admin, admin.getByRole('button', { name: 'Close contact details' }));
    await admin.keyboard.press('Enter');
  });

  it('a referral PDF opens for the doctor only after verification, with the badge', async () => {
    nextFile = join(files, 'referral.pdf');
    writeFileSync(nextFile, minimalPdf('Referral: Ravi Kumar, exertional chest pain'));
    await tabTo(admin, admin.getByRole('button', { name: 'Attach document' }));
    await admin.keyboard.press('Enter');
    const open = doctor.getByRole('button', { name: 'Open referral.pdf' });
    await expect.poll(() => open.count(), { timeout: 30_000 }).toBe(1);
    await open.click();
    await doctor.getByTestId('verification-badge').waitFor({ timeout: 30_000 });
    await doctor.getByRole('img', { name: 'Page 1 of referral.pdf' }).waitFor();
    await doctor.getByText('Verification details').click();
    expect(await doctor.locator('.document-details').innerText()).toMatch(/CID\s+baf[a-z0-9]+/);
    await check(doctor, 'document-verified');
    await doctor.getByRole('button', { name: 'Close document' }).click();
  });

  it('a block corrupted on the gateway: the doctor sees the failed check and no document', async () => {
    nextFile = join(files, 'ecg.pdf');
    writeFileSync(nextFile, minimalPdf('ECG: sinus rhythm, 72 bpm'));
    await tabTo(admin, admin.getByRole('button', { name: 'Attach document' }));
    await admin.keyboard.press('Enter');
    const open = doctor.getByRole('button', { name: 'Open ecg.pdf' });
    await expect.poll(() => open.count(), { timeout: 30_000 }).toBe(1);
    const conversationId = doctorCore.messaging()!.messages.listConversations()[0]!.conversationId;
    const [newest] = await must<MessageView[]>(doctorCore, 'messages.page', { conversationId, limit: 1 });
    const cid = newest!.document!.cid;
    await gateway.corruptBlock!(cid);
    await open.click();
    const failure = doctor.getByTestId('verification-failure');
    await failure.waitFor({ timeout: 30_000 });
    expect(await failure.innerText()).toContain(cid);
    expect(await doctor.getByTestId('pdf-pages').count()).toBe(0);
    expect(await doctor.getByTestId('verification-badge').count()).toBe(0);
    await check(doctor, 'document-failed');
    await doctor.getByRole('button', { name: 'Close document' }).click();
  });

  it('an urgent message re-notifies until read; the idle screen locks; the PIN unlocks', async () => {
    // Dr Rao sets a PIN, shortens her idle lock to one minute, and leaves the settings screen open.
    await doctor.getByText('Set PIN', { exact: true }).click();
    await doctor.getByLabel('New PIN').fill('4826');
    await doctor.getByRole('button', { name: 'Save PIN' }).click();
    await doctor.getByRole('status').filter({ hasText: 'PIN saved.' }).waitFor();
    await doctor.getByRole('button', { name: 'Settings' }).click();
    await doctor.getByLabel('Lock this computer after I have been away for').selectOption('1');
    await doctor.getByText('Saved.', { exact: true }).waitFor();
    await check(doctor, 'settings-idle-lock');
    const seen = doctorNotifications.length;

    await tabTo(admin, admin.getByLabel('Message', { exact: true }));
    await admin.keyboard.type('Mr Kumar collapsed in the OPD waiting area, please come now');
    await tabTo(admin, admin.getByLabel('Urgent'));
    await admin.keyboard.press('Space');
    await tabTo(admin, admin.getByLabel('Acknowledgement required'));
    await admin.keyboard.press('Space');
    await tabTo(admin, admin.getByRole('button', { name: 'Tag a patient' }));
    await admin.keyboard.press('Enter');
    // Opening the patient fields puts the keyboard in the MRN field.
    await expect
      .poll(() => admin.getByLabel('Patient MRN').evaluate((el) => el === document.activeElement))
      .toBe(true);
    await admin.keyboard.type('MRN-771204');
    await tabTo(admin, admin.getByLabel('Patient name'));
    await admin.keyboard.type('Ravi Kumar');
    await tabTo(admin, admin.getByRole('button', { name: 'Add patient' }));
    await admin.keyboard.press('Enter');
    await admin.getByRole('button', { name: 'Remove patient Ravi Kumar' }).waitFor();
    await tabTo(admin, admin.getByRole('button', { name: 'Send', exact: true }));
    await admin.keyboard.press('Enter');

    // The first notification names the sender and nothing else; while unread it comes again, a minute on.
    const urgent = { title: 'Meera Nair', body: 'Urgent: New secure message', urgent: true };
    await expect.poll(() => doctorNotifications.length, { timeout: 30_000 }).toBe(seen + 1);
    expect(doctorNotifications.at(-1)).toMatchObject(urgent);
    // Nobody touches Dr Rao's computer for a minute: it locks itself, and the message notifies again.
    doctorClock.advance(60_000);
    const locked = doctor.getByRole('heading', { name: 'Locked — Dr Asha Rao' });
    await locked.waitFor({ timeout: 30_000 });
    expect(await workspaceOf(doctor).count()).toBe(0);
    await check(doctor, 'locked-idle');
    await expect.poll(() => doctorNotifications.length, { timeout: 30_000 }).toBe(seen + 2);
    expect(doctorNotifications.at(-1)).toMatchObject(urgent);
    expect(JSON.stringify(doctorNotifications)).not.toMatch(/Kumar|MRN|collapsed|referral/i);

    // Back at the desk: the PIN opens the app again; she reads and acknowledges.
    await doctor.getByLabel('PIN', { exact: true }).fill('4826');
    await doctor.keyboard.press('Enter');
    await workspaceOf(doctor).waitFor();
    await doctor.getByRole('button', { name: /Meera Nair/ }).click();
    const message = doctor.getByRole('article', { name: 'Message from Meera Nair' }).last();
    await expect.poll(() => message.innerText(), { timeout: 30_000 }).toContain('please come now');
    expect(await message.innerText()).toContain('Patient Ravi Kumar · MRN-771204');
    await doctor.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    // Her own screen says so, from the signed entry in her store, and offers the button no more.
    await expect
      .poll(() => message.innerText(), { timeout: 30_000 })
      .toMatch(/You acknowledged at \d\d[:.]\d\d/);
    expect(await message.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    const sent = admin.getByRole('article', { name: 'Message from Meera Nair' }).last();
    await expect.poll(() => sent.innerText(), { timeout: 30_000 }).toMatch(/Acknowledged by Dr Asha Rao at/);
    await check(admin, 'acknowledged');
  }, 300_000);

  it('switch user: another doctor signs in on the same computer and sees none of it', async () => {
    await doctor.getByRole('button', { name: 'Lock', exact: true }).click();
    await doctor.getByRole('button', { name: 'Switch user' }).click();
    await doctor.getByRole('button', { name: 'Continue as Dr Asha Rao' }).waitFor();
    await check(doctor, 'switch-user');
    await doctorSignsIn('dr.lena.fischer', 'Dr Lena Fischer');
    await doctor.getByText('No conversations yet.').waitFor();
    expect(await doctor.getByText('Meera Nair').count()).toBe(0);
    await check(doctor, 'other-user');
  });

  it('follows the OS high-contrast and reduced-motion settings', async () => {
    await admin.emulateMedia({ forcedColors: 'active', reducedMotion: 'reduce', colorScheme: 'dark' });
    const button = admin.getByRole('button', { name: 'Settings' });
    expect(await button.evaluate((el) => getComputedStyle(el).transitionDuration)).toMatch(/^0s(, 0s)*$/);
    // High contrast drops box-shadows: the keyboard focus must still show, as a system-coloured outline.
    await tabTo(admin, button);
    const focus = await button.evaluate((el) => {
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, color: style.outlineColor };
    });
    expect(focus.style).toBe('solid');
    expect(focus.color).not.toBe('rgba(0, 0, 0, 0)');
    await check(admin, 'high-contrast');
    expect(cspViolations.flat()).toEqual([]);
  });
});
