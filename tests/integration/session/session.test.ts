// Issue 4 end to end through the IPC contract: a real IdP (login page driven in Chromium), the real hub, the
// real OS keychain (gnome-keyring), real encrypted SQLite files.
import { mkdtempSync, readFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { toBase64 } from '../../../src/main/core/crypto';
import type { Keychain } from '../../../src/main/core/keychain';
import {
  enrolDevice,
  loadDevice,
  signDirectoryEntry,
  verifyDirectoryEntry,
} from '../../../src/main/core/keys';
import { openProfileRegistry } from '../../../src/main/core/profiles';
import { openProfileStore, profileStoreKey } from '../../../src/main/core/store';
import type { ContactDevice, SessionState } from '../../../src/shared/contract';
import { HubMethod } from '../../../src/shared/hub-protocol';
import {
  call,
  connect,
  deviceSession,
  editHubDatabase,
  swapDeviceKeys,
  userId,
  type Stack,
} from '../../stack/hub/hub-test-kit';
import { ask, connected, must, startWorkstation, type Workstation } from '../../support/workstation';
import { waitFor } from '../hub-client/helpers';

const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
const TOKEN_TTL_SECONDS = 6;

let ws: Workstation;
let stack: Stack;
let keychain: Keychain;
let login: Workstation['login'];
let appDataDir: string;
let policyFile: string;

const credentials = (username: string) => ws.credentials(username);
/** Every core here shares one workstation folder unless a test says otherwise: profiles live side by side. */
const newCore = (dataDir = appDataDir, machinePolicy = policyFile): Core =>
  ws.newCore({ appDataDir: dataDir, policyFile: machinePolicy });
const expectState = must;

/** Waits until the hub's key directory lists this device (the link registers it after connecting). */
async function registered(username: string, deviceId: string): Promise<void> {
  const hub = await connect(stack.hub.url, await stack.token(username));
  try {
    const listed = async () =>
      (await call(hub, HubMethod.ListDevices, { userIds: [userId(stack, username)] })).devices.some(
        (d) => d.deviceId === deviceId,
      );
    const deadline = Date.now() + 30_000;
    while (!(await listed())) {
      if (Date.now() > deadline) throw new Error(`device ${deviceId} never appeared in the directory`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await hub.stop();
  }
}

beforeAll(async () => {
  ws = await startWorkstation({ accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  ({ stack, keychain, login } = ws);
  appDataDir = mkdtempSync(join(tmpdir(), 'cm-session-'));
  policyFile = ws.policyFile(appDataDir);
}, 180_000);

afterAll(async () => ws?.close());

describe('sign-in and device keys on a shared workstation', () => {
  let core: Core;
  let ashaProfile: string;

  it('first sign-in: keys go to the keychain and the directory entry verifies against them', async () => {
    core = newCore();
    login.next(credentials(ASHA));
    const state = await expectState(core, 'session.signIn', {});
    expect(state).toMatchObject({ status: 'active', profile: { username: ASHA }, pinSet: false });
    if (state.status !== 'active') return;
    ashaProfile = state.profile.profileId;
    expect(login.opened).toBe(1);

    const accounts = await keychain.list();
    expect(accounts).toEqual(
      expect.arrayContaining([
        `${ashaProfile}/device-keys`,
        `${ashaProfile}/store-key`,
        `${ashaProfile}/token-cache-key`,
      ]),
    );
    const device = await loadDevice(keychain, ashaProfile);
    expect(device.deviceId).toBe(state.device.deviceId);

    await connected(core);
    const hub = await connect(stack.hub.url, await stack.token(ASHA));
    try {
      const { devices } = await call(hub, HubMethod.ListDevices, { userIds: [userId(stack, ASHA)] });
      const entry = devices.find((d) => d.deviceId === device.deviceId);
      expect(entry).toBeDefined();
      expect(entry!.signingPublicKey).toBe(toBase64(device.signingPublicKey));
      expect(entry!.encryptionPublicKey).toBe(toBase64(device.encryptionPublicKey));
      expect(await verifyDirectoryEntry(entry!)).toBe(true);
      expect(await verifyDirectoryEntry({ ...entry!, createdAt: new Date(0).toISOString() })).toBe(false);
    } finally {
      await hub.stop();
    }
  });

  it('keeps the token cache on disk encrypted: no token, claim or account name in plaintext', () => {
    const file = openProfileRegistry(appDataDir).paths(ashaProfile).msalCacheFile;
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    expect(bytes.length).toBeGreaterThan(500);
    for (const plain of [
      'eyJ',
      ASHA,
      'RefreshToken',
      'AccessToken',
      'secret',
      stack.idp.clientId,
      userId(stack, ASHA),
    ]) {
      expect(text).not.toContain(plain);
    }
  });

  it('restart: the profile resumes with no new login, behind the lock; the PIN opens it', async () => {
    expect((await expectState(core, 'session.setPin', { pin: '2468' })).status).toBe('active');
    await core.close();
    core = newCore();
    const opened = login.opened;
    const resumed = await expectState(core, 'session.signIn', { profileId: ashaProfile });
    expect(resumed).toMatchObject({ status: 'locked', pinAvailable: true, attemptsLeft: 5 });
    expect(login.opened).toBe(opened);
    expect(await expectState(core, 'session.unlockWithPin', { pin: '2468' })).toMatchObject({
      status: 'active',
    });
    await connected(core);
  });

  it('refreshes the access token silently after it expires', async () => {
    const cacheFile = openProfileRegistry(appDataDir).paths(ashaProfile).msalCacheFile;
    const before = statSync(cacheFile).mtimeMs;
    const opened = login.opened;
    // The hub closes connections whose token expired; the client reconnects with a refreshed one.
    await new Promise((r) => setTimeout(r, (TOKEN_TTL_SECONDS + 2) * 1000));
    await connected(core);
    const devices = await ask<unknown[]>(core, 'keys.contactDevices', { userIds: [userId(stack, SAMUEL)] });
    expect(devices.ok).toBe(true);
    expect(statSync(cacheFile).mtimeMs).toBeGreaterThan(before);
    expect(login.opened).toBe(opened);
  });

  it('caps the idle timeout at the policy maximum; a user may only shorten it', async () => {
    expect(await expectState(core, 'session.setIdleTimeout', { minutes: 60 })).toMatchObject({
      idleLockMinutes: 10,
    });
    expect(await expectState(core, 'session.setIdleTimeout', { minutes: 3 })).toMatchObject({
      idleLockMinutes: 3,
    });
    expect(await ask(core, 'session.setIdleTimeout', { minutes: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
  });

  it('locks out the PIN after the allowed attempts until a full sign-in', async () => {
    expect(await expectState(core, 'session.lock')).toMatchObject({ status: 'locked', pinAvailable: true });
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await ask(core, 'session.unlockWithPin', { pin: '0000' })).toMatchObject({
        ok: false,
        error: { code: 'pin_wrong' },
      });
    }
    expect(await ask(core, 'session.unlockWithPin', { pin: '0000' })).toMatchObject({
      ok: false,
      error: { code: 'pin_locked_out' },
    });
    expect(await ask(core, 'session.unlockWithPin', { pin: '2468' })).toMatchObject({
      ok: false,
      error: { code: 'pin_locked_out' },
    });
    expect(await expectState(core, 'session.current')).toMatchObject({
      status: 'locked',
      pinAvailable: false,
    });
    login.next(credentials(ASHA));
    expect(await expectState(core, 'session.unlockWithSignIn')).toMatchObject({ status: 'active' });
    await expectState(core, 'session.lock');
    expect(await expectState(core, 'session.unlockWithPin', { pin: '2468' })).toMatchObject({
      status: 'active',
    });
  });

  it('keeps two profiles on one OS account apart: separate keys, databases and sign-ins', async () => {
    expect(await expectState(core, 'session.switchUser')).toMatchObject({ status: 'signed-out' });
    login.next(credentials(SAMUEL));
    const samuel = await expectState(core, 'session.signIn', {});
    expect(samuel).toMatchObject({ status: 'active', profile: { username: SAMUEL } });
    if (samuel.status !== 'active') return;
    const samuelProfile = samuel.profile.profileId;
    await registered(SAMUEL, samuel.device.deviceId);
    await expectState(core, 'session.setPin', { pin: '1357' });

    const registry = openProfileRegistry(appDataDir);
    const ashaPaths = registry.paths(ashaProfile);
    expect(registry.paths(samuelProfile).dir).not.toBe(ashaPaths.dir);
    const accounts = await keychain.list();
    expect(accounts.filter((a) => a.startsWith(`${samuelProfile}/`)).length).toBeGreaterThanOrEqual(3);
    expect(accounts.filter((a) => a.startsWith(`${ashaProfile}/`)).length).toBeGreaterThanOrEqual(3);
    // Samuel's store key does not open Asha's database.
    const samuelKey = await profileStoreKey(keychain, samuelProfile);
    expect(() => openProfileStore({ file: ashaPaths.storeFile, key: samuelKey })).toThrow(
      expect.objectContaining({ code: 'store_key_wrong' }),
    );
    // Picking Asha's profile from Samuel's session gives the lock screen, and Samuel's PIN does not open it.
    await expectState(core, 'session.switchUser');
    expect(await expectState(core, 'session.signIn', { profileId: ashaProfile })).toMatchObject({
      status: 'locked',
      profile: { username: ASHA },
    });
    expect(await ask(core, 'session.unlockWithPin', { pin: '1357' })).toMatchObject({
      ok: false,
      error: { code: 'pin_wrong' },
    });
    // Nor can a full sign-in as Samuel open Asha's profile.
    login.next(credentials(SAMUEL));
    expect(await ask(core, 'session.unlockWithSignIn')).toMatchObject({
      ok: false,
      error: { code: 'sign_in_failed' },
    });
    expect(await expectState(core, 'session.unlockWithPin', { pin: '2468' })).toMatchObject({
      status: 'active',
    });
  });

  it('a contact key changed on the hub raises a warning and blocks sending until accepted', async () => {
    const samuelId = userId(stack, SAMUEL);
    const samuelProfile = openProfileRegistry(appDataDir).findByUserId(samuelId)!.profileId;
    const { deviceId: samuelDevice, createdAt } = await loadDevice(keychain, samuelProfile);
    const seen = async () => {
      const result = await ask<ContactDevice[]>(core, 'keys.contactDevices', { userIds: [samuelId] });
      if (!result.ok) throw new Error(result.error.message);
      return result.value.find((d) => d.deviceId === samuelDevice)!;
    };
    // Each device shows when it was enrolled and when it last signed in (the hub's last bind).
    expect(await seen()).toMatchObject({
      status: 'new',
      sendAllowed: true,
      createdAt,
      lastSeenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const trusted = await seen();
    expect(trusted).toMatchObject({
      status: 'trusted',
      sendAllowed: true,
      safetyNumber: expect.stringMatching(/^(\d{5} ){11}\d{5}$/),
    });

    // The hub (or someone with its files) replaces Samuel's keys with a correctly self-signed attacker entry.
    await enrolDevice(keychain, { profileId: 'attacker', userId: samuelId });
    const attacker = await loadDevice(keychain, 'attacker');
    await editHubDatabase(stack, (db) => {
      expect(swapDeviceKeys(db, signDirectoryEntry({ ...attacker, deviceId: samuelDevice, createdAt }))).toBe(
        1,
      );
    });
    await connected(core);
    const changed = await seen();
    expect(changed).toMatchObject({ status: 'key-changed', sendAllowed: false });
    expect(changed.safetyNumber).not.toBe(trusted.safetyNumber);

    const accepted = await ask<ContactDevice[]>(core, 'keys.acceptKeyChange', {
      userId: samuelId,
      deviceId: samuelDevice,
    });
    expect(accepted).toMatchObject({ ok: true });
    expect(await seen()).toMatchObject({ status: 'trusted', sendAllowed: true });
    // The hub gets Samuel's real entry back: the next tests sign him in on this workstation, and his device
    // could not register again over the attacker's keys (it retried, and the tests after waited on it).
    const samuel = await loadDevice(keychain, samuelProfile);
    await editHubDatabase(stack, (db) => {
      expect(swapDeviceKeys(db, signDirectoryEntry(samuel))).toBe(1);
    });
  });

  it('a device revoked without IT’s signature is locked, not wiped: its data and keys stay', async () => {
    await expectState(core, 'session.switchUser');
    const signedIn = await expectState(core, 'session.signIn', {
      profileId: openProfileRegistry(appDataDir).findByUserId(userId(stack, SAMUEL))!.profileId,
    });
    expect(signedIn.status).toBe('locked');
    if (signedIn.status !== 'locked') return;
    const samuelProfile = signedIn.profile.profileId;
    await expectState(core, 'session.unlockWithPin', { pin: '1357' });
    await connected(core);
    const samuelDevice = (await loadDevice(keychain, samuelProfile)).deviceId;
    const samuelDir = openProfileRegistry(appDataDir).paths(samuelProfile).dir;
    const states: SessionState[] = [];
    core.events.subscribe(
      (name, payload) => name === 'session.state' && states.push(payload as SessionState),
    );

    // Samuel revokes this workstation's device from another of his devices: the hub's word, no IT signature
    // (and this machine policy pins no IT key). Only a revocation IT signed wipes (remote-wipe.test.ts).
    const other = await deviceSession(stack, SAMUEL);
    try {
      await call(other.connection, HubMethod.RevokeDevice, { deviceId: samuelDevice });
    } finally {
      await other.connection.stop();
    }
    await waitFor('locked after revocation', () => states.some((s) => s.status === 'locked'));
    const after = await expectState(core, 'session.current');
    expect(after).toMatchObject({
      status: 'locked',
      profile: { username: SAMUEL },
      pinAvailable: false,
      withdrawn: {
        code: 'access_withdrawn',
        message: 'Your access on this workstation was withdrawn by the server. Sign in again.',
      },
    });
    expect(await ask(core, 'session.unlockWithPin', { pin: '1357' })).toMatchObject({
      ok: false,
      error: { code: 'access_withdrawn' },
    });
    expect(
      (await keychain.list()).filter((a) => a.startsWith(`${samuelProfile}/`)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(existsSync(samuelDir)).toBe(true);
    expect(openProfileRegistry(appDataDir).get(samuelProfile)).not.toBeNull();
    // Asha's profile is untouched.
    expect(
      (await keychain.list()).filter((a) => a.startsWith(`${ashaProfile}/`)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(existsSync(openProfileRegistry(appDataDir).paths(ashaProfile).storeFile)).toBe(true);
  });

  it('sign-out forgets the sign-in but keeps the profile; everything is in the audit trail', async () => {
    const ashaProfile = openProfileRegistry(appDataDir).findByUserId(userId(stack, ASHA))!.profileId;
    expect(await expectState(core, 'session.signIn', { profileId: ashaProfile })).toMatchObject({
      status: 'locked',
    });
    await expectState(core, 'session.unlockWithPin', { pin: '2468' });
    // Samuel's locked profile is still on this workstation (only IT's signed revocation erases it).
    expect(await expectState(core, 'session.signOut')).toMatchObject({
      status: 'signed-out',
      profiles: [{ username: ASHA }, { username: SAMUEL }],
    });
    const opened = login.opened;
    login.next(credentials(ASHA));
    expect(await expectState(core, 'session.signIn', { profileId: ashaProfile })).toMatchObject({
      status: 'active',
    });
    expect(login.opened).toBe(opened + 1);
    const { audit } = core.session.active();
    const kinds = new Set(audit.list({ limit: 500 }).map((e) => e.kind));
    for (const kind of [
      'device-enrolled',
      'sign-in',
      'sign-out',
      'lock',
      'unlock',
      'pin-set',
      'pin-failed',
      'pin-lockout',
      'key-change-accepted',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    expect(audit.verify()).toMatchObject({ ok: true });
  });
});

describe('sign-in failures a user can meet leave stored data intact', () => {
  const profilesSnapshot = () => readFileSync(join(appDataDir, 'profiles.json'), 'utf8');

  it('the IdP is unreachable', async () => {
    const before = profilesSnapshot();
    const unreachable = join(appDataDir, 'unreachable-policy.json');
    const policy = JSON.parse(readFileSync(policyFile, 'utf8')) as {
      idp: { authority: string; knownAuthorities: string[] };
    };
    policy.idp.authority = 'https://127.0.0.1:9/clinical-test/';
    policy.idp.knownAuthorities = ['127.0.0.1:9'];
    writeFileSync(unreachable, JSON.stringify(policy));
    const core = newCore(appDataDir, unreachable);
    const opened = login.opened;
    const result = await ask(core, 'session.signIn', {});
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'idp_unreachable', message: expect.stringContaining('cannot be reached') },
    });
    expect(login.opened).toBe(opened);
    expect(profilesSnapshot()).toBe(before);
    expect(await expectState(core, 'session.current')).toMatchObject({
      status: 'signed-out',
      notice: { code: 'idp_unreachable' },
    });
  });

  it('the user cancels at the sign-in page (consent refused)', async () => {
    const before = profilesSnapshot();
    const core = newCore();
    login.next('cancel');
    const opened = login.opened;
    expect(await ask(core, 'session.signIn', {})).toMatchObject({
      ok: false,
      error: { code: 'consent_refused' },
    });
    expect(login.opened).toBe(opened + 1);
    expect(profilesSnapshot()).toBe(before);
  });

  it('the sign-in expired while the IdP cannot be reached: the profile still opens behind the PIN', async () => {
    const ashaProfile = openProfileRegistry(appDataDir).findByUserId(userId(stack, ASHA))!.profileId;
    await stack.idp.close();
    await new Promise((r) => setTimeout(r, (TOKEN_TTL_SECONDS + 1) * 1000));
    const core = newCore();
    const state = await expectState(core, 'session.signIn', { profileId: ashaProfile });
    expect(state).toMatchObject({
      status: 'locked',
      pinAvailable: true,
      notice: { code: 'offline_token_expired', message: expect.stringContaining('stay available') },
    });
    expect(await expectState(core, 'session.unlockWithPin', { pin: '2468' })).toMatchObject({
      status: 'active',
    });
  });
});
