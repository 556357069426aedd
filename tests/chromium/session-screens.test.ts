// The session screens end to end: the built renderer in Chromium, a real core in this process, the real IdP
// (its login page driven by the workstation's own browser), the real hub and the OS keychain.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;

beforeAll(async () => {
  ws = await startWorkstation();
  server = await serveRenderer();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

const shots: string[] = [];
const check = async (page: Page, name: string) => void shots.push(...(await checkScreen(page, name)));

describe('the session screens in Chromium, through the real core', () => {
  let core: Core;

  it('signs in, sets a PIN, locks, unlocks, switches user and resumes behind the lock', async () => {
    core = ws.newCore();
    const { page, cspViolations } = await openApp(browser, core, server.url);

    // Nobody has used this computer: no profiles, only "Sign in".
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: /^Continue as/ }).count()).toBe(0);
    await page.getByRole('heading', { name: 'This workstation' }).waitFor();
    await check(page, 'session-sign-in-empty');

    ws.login.next(ws.credentials('dr.asha.rao'));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The workspace (src/renderer/src/workspace) names its top heading #workspace-heading.
    const workspace = page.locator('#workspace-heading');
    await workspace.waitFor({ timeout: 60_000 });
    expect(await page.getByRole('banner').innerText()).toContain('Dr Asha Rao');
    expect(ws.login.opened).toBe(1);
    await check(page, 'session-active');

    // Set PIN from the header.
    await page.getByText('Set PIN', { exact: true }).click();
    const newPin = page.getByLabel('New PIN');
    await newPin.fill('12');
    await page.getByRole('button', { name: 'Save PIN' }).click();
    await page.getByRole('alert').filter({ hasText: 'A PIN is 4 to 8 digits.' }).waitFor();
    await newPin.fill('2468');
    await page.getByRole('button', { name: 'Save PIN' }).click();
    await page.getByRole('status').filter({ hasText: 'PIN saved.' }).waitFor();
    await page.getByText('Change PIN', { exact: true }).waitFor();
    await check(page, 'session-set-pin');

    // Lock: the lock screen replaces everything of the app.
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('heading', { name: 'Locked — Dr Asha Rao' }).waitFor();
    expect(await workspace.count()).toBe(0);
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Lock', exact: true }).count()).toBe(0);
    const pin = page.getByLabel('PIN', { exact: true });
    expect(await pin.getAttribute('type')).toBe('password');
    expect(await pin.getAttribute('inputmode')).toBe('numeric');
    expect(await pin.getAttribute('autocomplete')).toBe('off');
    await page.getByText('5 attempts left').waitFor();
    await check(page, 'session-locked');

    // A wrong PIN: an error naming the attempts left, and the field is cleared for another try.
    await pin.fill('0000');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong PIN. 4 attempts left' }).waitFor();
    await page.getByText('4 attempts left before a full sign-in is needed.').waitFor();
    expect(await pin.inputValue()).toBe('');
    expect(await workspace.count()).toBe(0);
    await check(page, 'session-locked-wrong-pin');

    // The right PIN, typed and submitted with the keyboard.
    await pin.fill('2468');
    await pin.press('Enter');
    await workspace.waitFor();

    // Lock, then switch user: the sign-in screen now lists Asha's profile.
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('button', { name: 'Switch user' }).click();
    const continueAsAsha = page.getByRole('button', { name: 'Continue as Dr Asha Rao' });
    await continueAsAsha.waitFor();
    expect(await page.getByText('dr.asha.rao', { exact: true }).count()).toBe(1);
    expect(await workspace.count()).toBe(0);
    await check(page, 'session-sign-in-profiles');

    // Continuing as Asha resumes her session behind the lock, without a new login page.
    const opened = ws.login.opened;
    await continueAsAsha.click();
    await page.getByRole('heading', { name: 'Locked — Dr Asha Rao' }).waitFor({ timeout: 60_000 });
    expect(ws.login.opened).toBe(opened);
    expect(await workspace.count()).toBe(0);
    await check(page, 'session-resumed-locked');
    await page.getByLabel('PIN', { exact: true }).fill('2468');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await workspace.waitFor();
    expect(ws.login.opened).toBe(opened);

    expect(cspViolations).toEqual([]);
    console.info(`session screenshots:\n${shots.join('\n')}`);
    await page.context().close();
  });
});
