// Issue 13, damaged local state and refused sign-ins, end to end through the IPC contract on WARD3B-PC01:
// the real IdP (login page driven in Chromium), the real hub, the real OS keychain, real encrypted SQLite.
// A refused sign-in changes nothing; a damaged profile is refused with profile_damaged and kept for IT; the
// way out is starting the profile over, which takes a full sign-in and revokes the old device on the hub first.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { openProfileRegistry } from '../../../src/main/core/profiles';
import type { SessionState } from '../../../src/shared/contract';
import { HubMethod } from '../../../src/shared/hub-protocol';
import { call, connect, userId, type Stack } from '../../stack/hub/hub-test-kit';
import { ask, connected, must, startWorkstation, type Workstation } from '../../support/workstation';

const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
const PIN = '2468';

let ws: Workstation;
let stack: Stack;
let appDataDir: string;
let policyFile: string;
let profileId: string;

const newCore = (policy = policyFile): Core => ws.newCore({ appDataDir, policyFile: policy });
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const storeFile = () => openProfileRegistry(appDataDir).paths(profileId).storeFile;

async function secrets(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const account of (await ws.keychain.list()).sort())
    if (account.startsWith(`${profileId}/`)) out[account] = (await ws.keychain.get(account)) ?? '';
  return out;
}

async function hubDevice(deviceId: string): Promise<{ revoked: boolean } | undefined> {
  const hub = await connect(stack.hub.url, await stack.token(ASHA));
  try {
    const { devices } = await call(hub, HubMethod.ListDevices, { userIds: [userId(stack, ASHA)] });
    return devices.find((d) => d.deviceId === deviceId);
  } finally {
    await hub.stop();
  }
}

const deviceOf = (state: SessionState): string => {
  if (state.status !== 'active') throw new Error(`expected active, got ${state.status}`);
  return state.device.deviceId;
};

beforeAll(async () => {
  ws = await startWorkstation();
  stack = ws.stack;
  appDataDir = mkdtempSync(join(tmpdir(), 'cm-damaged-'));
  policyFile = ws.policyFile(appDataDir);
}, 180_000);

afterAll(async () => ws?.close());

describe('a refused session.signIn leaves the session as it was', () => {
  let core: Core;
  let device: string;

  it('Dr Rao is signed in and working', async () => {
    core = newCore();
    ws.login.next(ws.credentials(ASHA));
    const state = await must(core, 'session.signIn', {});
    device = deviceOf(state);
    profileId = state.status === 'active' ? state.profile.profileId : '';
    await must(core, 'session.setPin', { pin: PIN });
    await connected(core);
  });

  it('an unknown profile is refused and her active session stays open', async () => {
    expect(await ask(core, 'session.signIn', { profileId: randomUUID() })).toMatchObject({
      ok: false,
      error: { code: 'profile_not_found' },
    });
    expect(await must(core, 'session.current')).toMatchObject({
      status: 'active',
      profile: { profileId },
      device: { deviceId: device },
    });
    expect(core.session.active().store.open).toBe(true);
  });

  it('a sign-in cancelled at the hospital page is refused and her active session stays open', async () => {
    ws.login.next('cancel');
    expect(await ask(core, 'session.signIn', {})).toMatchObject({
      ok: false,
      error: { code: 'consent_refused' },
    });
    expect(await must(core, 'session.current')).toMatchObject({ status: 'active', profile: { profileId } });
    await connected(core);
  });

  it('behind the lock, a refused sign-in leaves it locked, and her PIN still opens it', async () => {
    await must(core, 'session.lock');
    expect(await ask(core, 'session.signIn', { profileId: randomUUID() })).toMatchObject({
      ok: false,
      error: { code: 'profile_not_found' },
    });
    expect(await must(core, 'session.current')).toMatchObject({ status: 'locked', pinAvailable: true });
    // Re-enrolling is never reached behind the lock.
    expect(await ask(core, 'session.reenrol')).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await must(core, 'session.unlockWithPin', { pin: PIN })).toMatchObject({
      status: 'active',
      device: { deviceId: device },
    });
    await core.close();
  });
});

describe('a profile database cut to 0 bytes', () => {
  let before: { file: string; keys: Record<string, string>; oldDevice: string };

  it('is profile_damaged: no new database, no new device keys, the file kept as it is', async () => {
    truncateSync(storeFile(), 0);
    before = {
      file: sha256(storeFile()),
      keys: await secrets(),
      oldDevice: openProfileRegistry(appDataDir).get(profileId)!.deviceId!,
    };
    const core = newCore();
    const opened = ws.login.opened;
    const result = await ask(core, 'session.signIn', { profileId });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'profile_damaged',
        message: expect.stringMatching(/empty[\s\S]*another workstation[\s\S]*IT service desk/),
      },
    });
    expect(ws.login.opened).toBe(opened);
    expect(await must(core, 'session.current')).toMatchObject({
      status: 'signed-out',
      notice: { code: 'profile_damaged' },
      damaged: { profileId, username: ASHA },
    });
    expect(readFileSync(storeFile()).length).toBe(0);
    expect(sha256(storeFile())).toBe(before.file);
    expect(await secrets()).toEqual(before.keys);
    // Trying again does not wear it down into a new profile.
    expect(await ask(core, 'session.signIn', { profileId })).toMatchObject({
      ok: false,
      error: { code: 'profile_damaged' },
    });
    expect(await secrets()).toEqual(before.keys);
    await core.close();
  });

  it('starting over is refused while the hub cannot be reached, and nothing changes', async () => {
    const offline = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-damaged-offline-')), {
      hubUrl: 'https://127.0.0.1:9/hub',
    });
    const core = newCore(offline);
    ws.login.next(ws.credentials(ASHA));
    expect(await ask(core, 'session.startProfileOver', { profileId })).toMatchObject({
      ok: false,
      error: { code: 'hub_unreachable', message: expect.stringContaining('Nothing was changed') },
    });
    expect(sha256(storeFile())).toBe(before.file);
    expect(await secrets()).toEqual(before.keys);
    expect(await hubDevice(before.oldDevice)).toMatchObject({ revoked: false });
    await core.close();
  });

  it('starting over with a colleague’s sign-in is refused, and nothing changes', async () => {
    const core = newCore();
    ws.login.next(ws.credentials(SAMUEL));
    expect(await ask(core, 'session.startProfileOver', { profileId })).toMatchObject({
      ok: false,
      error: { code: 'sign_in_failed' },
    });
    expect(sha256(storeFile())).toBe(before.file);
    expect(await secrets()).toEqual(before.keys);
    await core.close();
  });

  it('starting over: a full sign-in, the old device revoked on the hub, the damaged file set aside, audited', async () => {
    const core = newCore();
    const opened = ws.login.opened;
    ws.login.next(ws.credentials(ASHA));
    const state = await must(core, 'session.startProfileOver', { profileId });
    expect(ws.login.opened).toBe(opened + 1);
    expect(state).toMatchObject({ status: 'active', profile: { profileId }, pinSet: false });
    const fresh = deviceOf(state);
    expect(fresh).not.toBe(before.oldDevice);
    expect(await hubDevice(before.oldDevice)).toMatchObject({ revoked: true });

    const asideRoot = join(appDataDir, 'set-aside');
    const [aside] = readdirSync(asideRoot);
    expect(aside).toMatch(new RegExp(`^${profileId}-`));
    expect(sha256(join(asideRoot, aside!, 'profile.db'))).toBe(before.file);
    const keys = await secrets();
    const keptKey = Object.entries(keys).find(([a]) => a.startsWith(`${profileId}/store-key-set-aside-`));
    expect(keptKey?.[1]).toBe(before.keys[`${profileId}/store-key`]);
    expect(keys[`${profileId}/store-key`]).not.toBe(before.keys[`${profileId}/store-key`]);

    const { audit } = core.session.active();
    const startedOver = audit.list({ limit: 50 }).find((e) => e.kind === 'profile-started-over');
    expect(startedOver?.details).toMatchObject({
      damage: 'database-empty',
      revokedDevices: before.oldDevice,
      dataKept: false,
      setAsideFolder: aside,
    });
    expect(audit.verify()).toMatchObject({ ok: true });
    await connected(core);
    await eventuallyListed(fresh);
    await must(core, 'session.setPin', { pin: PIN });
    await core.close();
  });
});

async function eventuallyListed(deviceId: string): Promise<void> {
  await expect.poll(async () => (await hubDevice(deviceId))?.revoked, { timeout: 30_000 }).toBe(false);
}

describe('device keys deleted from the keychain', () => {
  it('is profile_damaged: no silent re-enrolment, even resumed behind the lock', async () => {
    const device = openProfileRegistry(appDataDir).get(profileId)!.deviceId!;
    await ws.keychain.delete(`${profileId}/device-keys`);
    const core = newCore();
    expect(await ask(core, 'session.signIn', { profileId })).toMatchObject({
      ok: false,
      error: {
        code: 'profile_damaged',
        message: expect.stringContaining('messages on this computer are kept'),
      },
    });
    expect(await ws.keychain.get(`${profileId}/device-keys`)).toBeNull();
    expect(await hubDevice(device)).toMatchObject({ revoked: false });
    expect(await must(core, 'session.current')).toMatchObject({
      status: 'signed-out',
      damaged: { profileId },
    });
    await core.close();
  });

  it('starting over keeps her data and PIN, revokes the old device first, and enrols a new one', async () => {
    const old = openProfileRegistry(appDataDir).get(profileId)!.deviceId!;
    const file = storeFile();
    const core = newCore();
    ws.login.next(ws.credentials(ASHA));
    const state = await must(core, 'session.startProfileOver', { profileId });
    expect(state).toMatchObject({ status: 'active', pinSet: true });
    expect(deviceOf(state)).not.toBe(old);
    expect(await hubDevice(old)).toMatchObject({ revoked: true });
    expect(existsSync(file)).toBe(true);
    const entry = core.session
      .active()
      .audit.list({ limit: 50 })
      .find((e) => e.kind === 'profile-started-over');
    expect(entry?.details).toMatchObject({
      damage: 'device-keys-missing',
      revokedDevices: old,
      dataKept: true,
    });
    await must(core, 'session.lock');
    expect(await must(core, 'session.unlockWithPin', { pin: PIN })).toMatchObject({ status: 'active' });
    await core.close();
  });
});
