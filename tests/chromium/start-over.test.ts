// A damaged profile as Dr Asha Rao sees it on WARD3B-PC01 (issue 13, docs/damaged-profiles.md). Her profile's
// database was cut to 0 bytes (a disk fault, a crash mid-copy). "Continue as Dr Asha Rao" does not quietly make
// a new profile: the screen says her profile cannot be opened, what she can do and that the files are kept for
// IT. Starting over says first what it will do and lose, then takes a full sign-in (not the PIN), retires the
// old device on the hub, and opens a fresh workspace where her conversation with Dr Samuel Okafor comes back
// from the server through the hospital's key service.
import { mkdtempSync, readdirSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { openProfileRegistry } from '../../src/main/core/profiles';
import { HubMethod } from '../../src/shared/hub-protocol';
import { call, connect, userId } from '../stack/hub/hub-test-kit';
import { converse, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';

let ws: Workstation;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let appDataDir: string;
let policyFile: string;
let profileId: string;
let oldDevice: string;

async function raoDevices(): Promise<{ deviceId: string; revoked: boolean }[]> {
  const hub = await connect(ws.stack.hub.url, await ws.stack.token(RAO));
  try {
    return (await call(hub, HubMethod.ListDevices, { userIds: [userId(ws.stack, RAO)] })).devices;
  } finally {
    await hub.stop();
  }
}

beforeAll(async () => {
  ws = await startWorkstation({ keyService: {} });
  appDataDir = mkdtempSync(join(tmpdir(), 'cm-start-over-'));
  policyFile = ws.policyFile(appDataDir);
  const rao = await signedIn(ws, RAO, { appDataDir, policyFile });
  const okafor = await signedIn(ws, OKAFOR);
  const { conversationId } = await must<{ conversationId: string }>(rao, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, OKAFOR)],
  });
  await converse(
    conversationId,
    [
      [okafor, 'Bed 9 troponin is back, please review'],
      [rao, 'Reviewing now'],
    ],
    [rao, okafor],
  );
  const state = await must(rao, 'session.current');
  if (state.status !== 'active') throw new Error(`expected active, got ${state.status}`);
  profileId = state.profile.profileId;
  oldDevice = state.device.deviceId;
  await must(rao, 'session.setPin', { pin: '2468' });
  await rao.close();
  truncateSync(openProfileRegistry(appDataDir).paths(profileId).storeFile, 0);
  browser = await launchChromium();
  server = await serveRenderer();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.close();
});

describe('a damaged profile on the sign-in screen', () => {
  let core: Core;

  it('says her profile cannot be opened and what to do, and makes no new profile', async () => {
    core = ws.newCore({ appDataDir, policyFile });
    const { page, cspViolations } = await openApp(browser, core, server.url);
    await page.getByRole('button', { name: 'Continue as Dr Asha Rao' }).click();
    const panel = page.getByRole('region', {
      name: 'Dr Asha Rao’s profile cannot be opened on this computer',
    });
    await panel.waitFor();
    await expect(panel.textContent()).resolves.toMatch(
      /signing in on another workstation[\s\S]*IT service desk/,
    );
    expect(
      openProfileRegistry(appDataDir)
        .list()
        .map((p) => p.profileId),
    ).toEqual([profileId]);
    expect((await raoDevices()).find((d) => d.deviceId === oldDevice)).toMatchObject({ revoked: false });
    await checkScreen(page, 'start-over-1-damaged');

    await panel.getByRole('button', { name: 'Start this profile over…' }).click();
    await expect(panel.textContent()).resolves.toMatch(
      /full sign-in as dr\.asha\.rao[\s\S]*retires this computer’s old device[\s\S]*loses[\s\S]*keeps the damaged files aside for IT/,
    );
    await checkScreen(page, 'start-over-2-what-it-does');

    ws.login.next(ws.credentials(RAO));
    await panel.getByRole('button', { name: 'Sign in and start over' }).click();
    await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
    expect((await raoDevices()).find((d) => d.deviceId === oldDevice)).toMatchObject({ revoked: true });
    expect(readdirSync(join(appDataDir, 'set-aside'))).toEqual([expect.stringMatching(`^${profileId}-`)]);

    // History comes back from the hub: the key service releases her user key to the new device.
    await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
    await page.getByText('Bed 9 troponin is back, please review').waitFor({ timeout: 60_000 });
    await checkScreen(page, 'start-over-3-history-back');
    expect(cspViolations).toEqual([]);
  });
});
