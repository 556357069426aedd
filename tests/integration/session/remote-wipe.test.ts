// Remote wipe is signed by IT (docs/remote-wipe.md), end to end with the real IdP, hub, keychain and SQLite,
// and IT's own tool (`npm run admin`, driven through its main function): a revocation the hub delivers wipes
// a profile only if IT's pinned key signed it for that user and device; anything else locks the profile and
// keeps its data until the user signs in again.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as admin, type AdminIo } from '../../../tools/admin';
import type { Core } from '../../../src/main/core';
import { createAuditLog, type AuditEvent } from '../../../src/main/core/audit';
import { openProfileRegistry } from '../../../src/main/core/profiles';
import { openProfileStore, profileStoreKey } from '../../../src/main/core/store';
import type { MessageView, SessionState } from '../../../src/shared/contract';
import { HubMethod } from '../../../src/shared/hub-protocol';
import { call, deviceSession, userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  connected,
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
const MEERA = 'opd.meera.nair';
const LENA = 'dr.lena.fischer';
const withdrawnMessage = 'Your access on this workstation was withdrawn by the server. Sign in again.';

let ws: Workstation;
let keysDir: string;
/** IT's key pair (the one the policy pins) and a stranger's, both made with `npm run admin -- keygen`. */
let itKeyFile: string;
let itPublicKey: string;
let strangerKeyFile: string;

function capture(): AdminIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l), env: {} };
}

async function keygen(file: string): Promise<string> {
  const io = capture();
  expect(await admin(['keygen', '--out', file], io)).toBe(0);
  const line = io.lines.find((l) => l.startsWith('Public key: '))!;
  return line.slice('Public key: '.length);
}

/** IT revokes a device with `npm run admin -- revoke`, signed with the given key file. */
async function itRevokes(username: string, deviceId: string, keyFile: string): Promise<string[]> {
  const io = capture();
  const code = await admin(
    [
      'revoke',
      '--user',
      userId(ws.stack, username),
      '--device',
      deviceId,
      '--key',
      keyFile,
      '--hub',
      ws.stack.hub.url,
      '--admin-token-file',
      ws.stack.hub.adminTokenFile,
      '--ca-file',
      ws.stack.tls.caCertPath,
    ],
    io,
  );
  expect(code, io.lines.join('\n')).toBe(0);
  return io.lines;
}

/** A workstation folder whose machine policy pins IT's key (or not). */
function workstation(pinIt = true): { appDataDir: string; policyFile: string } {
  const appDataDir = mkdtempSync(join(tmpdir(), 'cm-remote-wipe-'));
  const policyFile = ws.policyFile(appDataDir, pinIt ? { adminSigningKeys: [itPublicKey] } : {});
  return { appDataDir, policyFile };
}

const current = (core: Core) => must<SessionState>(core, 'session.current');

async function until(core: Core, status: SessionState['status'], notice?: string): Promise<SessionState> {
  await eventually(`session ${status}`, async () => {
    const state = await current(core);
    return state.status === status && (!notice || ('notice' in state && state.notice?.code === notice));
  });
  return current(core);
}

function profileOf(core: Core): { profileId: string; deviceId: string } {
  const engine = core.messaging()!;
  return { profileId: core.session.active().profile.profileId, deviceId: engine.deviceId };
}

async function keychainEntries(profileId: string): Promise<string[]> {
  return (await ws.keychain.list()).filter((a) => a.startsWith(`${profileId}/`));
}

/** The profile's audit trail read from its database directly (the profile is locked, so not through the app). */
async function auditOf(appDataDir: string, profileId: string): Promise<AuditEvent[]> {
  const file = openProfileRegistry(appDataDir).paths(profileId).storeFile;
  const store = openProfileStore({ file, key: await profileStoreKey(ws.keychain, profileId) });
  try {
    return createAuditLog(store).list({ limit: 500 });
  } finally {
    store.close();
  }
}

const texts = async (core: Core, conversationId: string) =>
  (await must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 }))
    .filter((m) => m.verdict === 'valid')
    .map((m) => m.text);

beforeAll(async () => {
  ws = await startWorkstation();
  keysDir = mkdtempSync(join(tmpdir(), 'cm-it-keys-'));
  itKeyFile = join(keysDir, 'it-signing-key.json');
  strangerKeyFile = join(keysDir, 'someone-else.json');
  itPublicKey = await keygen(itKeyFile);
  await keygen(strangerKeyFile);
}, 240_000);
afterAll(async () => ws?.close());

describe('remote wipe is signed by IT', () => {
  let ashaPlace: { appDataDir: string; policyFile: string };
  let asha: Core;
  let samuel: Core;
  let samuelPlace: { appDataDir: string; policyFile: string };
  let conversationId: string;

  it('a revocation without a signature locks the profile, keeps its data, and a new sign-in carries on', async () => {
    ashaPlace = workstation();
    samuelPlace = workstation();
    asha = await signedIn(ws, ASHA, ashaPlace);
    samuel = await signedIn(ws, SAMUEL, samuelPlace);
    ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'direct',
      memberIds: [userId(ws.stack, SAMUEL)],
    }));
    await converse(conversationId, [[samuel, 'Bed 4: potassium 6.1, repeat at 14:00']], [asha, samuel]);
    await must(asha, 'session.setPin', { pin: '2468' });
    const { profileId, deviceId } = profileOf(asha);

    // Someone holding Asha's access token (or the hub itself) revokes this workstation: no IT signature.
    const other = await deviceSession(ws.stack, ASHA);
    try {
      await call(other.connection, HubMethod.RevokeDevice, { deviceId });
    } finally {
      await other.connection.stop();
    }
    expect(await until(asha, 'locked')).toMatchObject({
      status: 'locked',
      pinAvailable: false,
      attemptsLeft: null,
      withdrawn: { code: 'access_withdrawn', message: withdrawnMessage },
    });
    // The PIN no longer opens it; nothing was erased.
    expect(await ask(asha, 'session.unlockWithPin', { pin: '2468' })).toMatchObject({
      ok: false,
      error: { code: 'access_withdrawn', message: withdrawnMessage },
    });
    expect((await keychainEntries(profileId)).length).toBeGreaterThanOrEqual(3);
    expect(existsSync(openProfileRegistry(ashaPlace.appDataDir).paths(profileId).storeFile)).toBe(true);
    const audit = await auditOf(ashaPlace.appDataDir, profileId);
    expect(audit.find((e) => e.kind === 'revocation-unsigned')).toMatchObject({
      details: { deviceId, reason: 'unsigned', via: 'event' },
    });
    expect(audit.some((e) => e.kind === 'device-revoked')).toBe(false);

    // A restart does not let the PIN back in either.
    await asha.close();
    asha = ws.newCore(ashaPlace);
    expect(await must(asha, 'session.signIn', { profileId })).toMatchObject({
      status: 'locked',
      pinAvailable: false,
      withdrawn: { code: 'access_withdrawn' },
    });

    // Signing in again opens the same profile on a new device of this workstation, with every message.
    ws.login.next(ws.credentials(ASHA));
    const back = await must(asha, 'session.unlockWithSignIn');
    expect(back).toMatchObject({ status: 'active', profile: { profileId } });
    if (back.status !== 'active') return;
    expect(back.device.deviceId).not.toBe(deviceId);
    expect(await texts(asha, conversationId)).toEqual(['Bed 4: potassium 6.1, repeat at 14:00']);
    const kinds = asha.session
      .active()
      .audit.list({ limit: 500 })
      .map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['revocation-unsigned', 'unlock', 'device-enrolled']));
    expect(asha.session.active().audit.verify()).toMatchObject({ ok: true });
    await connected(asha);
    await converse(conversationId, [[samuel, 'Potassium now 5.2']], [asha, samuel]);
    expect((await texts(asha, conversationId)).sort()).toEqual([
      'Bed 4: potassium 6.1, repeat at 14:00',
      'Potassium now 5.2',
    ]);
  });

  it('a revocation signed by another key only locks; the same one signed by the pinned IT key wipes', async () => {
    const { profileId, deviceId } = profileOf(samuel);
    const dir = openProfileRegistry(samuelPlace.appDataDir).paths(profileId).dir;

    await itRevokes(SAMUEL, deviceId, strangerKeyFile);
    expect(await until(samuel, 'locked')).toMatchObject({ withdrawn: { code: 'access_withdrawn' } });
    expect((await keychainEntries(profileId)).length).toBeGreaterThanOrEqual(3);
    expect(existsSync(dir)).toBe(true);
    expect(
      (await auditOf(samuelPlace.appDataDir, profileId)).find((e) => e.kind === 'revocation-unsigned'),
    ).toMatchObject({ details: { deviceId, reason: 'signature-invalid', via: 'event' } });

    // IT signs it with the key the policy pins: the locked workstation hears it and erases the profile.
    const said = await itRevokes(SAMUEL, deviceId, itKeyFile);
    expect(said.join('\n')).toContain('accepted by the hub');
    expect(await until(samuel, 'signed-out', 'device_revoked')).toMatchObject({
      status: 'signed-out',
      profiles: [],
      notice: { code: 'device_revoked', message: expect.stringContaining('erased') },
    });
    expect(await keychainEntries(profileId)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('a workstation that was off when IT revoked it is wiped when it next connects', async () => {
    const place = workstation();
    const meera = await signedIn(ws, MEERA, place);
    const { profileId, deviceId } = profileOf(meera);
    await meera.close();

    await itRevokes(MEERA, deviceId, itKeyFile);
    expect((await keychainEntries(profileId)).length).toBeGreaterThanOrEqual(3);

    // Next morning the app starts and resumes the profile; the hub refuses the device and hands over IT's
    // signed revocation (GetRevocation), which verifies: the profile goes.
    const again = ws.newCore(place);
    expect(await must(again, 'session.signIn', { profileId })).toMatchObject({ status: 'locked' });
    expect(await until(again, 'signed-out', 'device_revoked')).toMatchObject({ profiles: [] });
    expect(await keychainEntries(profileId)).toEqual([]);
    expect(existsSync(openProfileRegistry(place.appDataDir).paths(profileId).dir)).toBe(false);
  });
});

describe('a workstation whose machine policy pins no IT key', () => {
  let place: { appDataDir: string; policyFile: string };
  let lena: Core;
  beforeAll(async () => {
    place = workstation(false);
    lena = await signedIn(ws, LENA, place);
  }, 120_000);

  it('IT’s tool refuses a missing or wrong admin token, a plain-http hub, a damaged key file: nothing revoked', async () => {
    const { deviceId } = profileOf(lena);
    const target = ['--user', userId(ws.stack, LENA), '--device', deviceId];
    const tail = ['--hub', ws.stack.hub.url, '--ca-file', ws.stack.tls.caCertPath];
    const run = async (argv: string[], token: string | null) => {
      const io = capture();
      if (token !== null) io.env.CM_ADMIN_TOKEN = token;
      return { code: await admin(argv, io), said: io.lines.join('\n') };
    };

    expect(await run(['revoke', ...target, '--key', itKeyFile, ...tail], null)).toMatchObject({
      code: 2,
      said: expect.stringContaining('an admin token is needed'),
    });
    expect(
      await run(['revoke', ...target, '--key', itKeyFile, ...tail], 'not-the-admin-token-of-this-hub-at-all'),
    ).toMatchObject({ code: 1, said: expect.stringMatching(/refused.*HTTP 401, unauthenticated/) });
    const plainHttp = [
      '--hub',
      ws.stack.hub.url.replace('https:', 'http:'),
      '--ca-file',
      ws.stack.tls.caCertPath,
    ];
    expect(
      await run(['revoke', ...target, '--key', itKeyFile, ...plainHttp], ws.stack.hub.adminToken),
    ).toMatchObject({
      code: 2,
      said: expect.stringContaining('https://'),
    });
    expect(
      await run(['revoke', ...target, '--key', place.policyFile, ...tail], ws.stack.hub.adminToken),
    ).toMatchObject({ code: 2, said: expect.stringContaining('not an IT signing key file') });
    expect(
      await run(
        ['revoke', '--user', 'no-such-user', '--device', deviceId, '--key', itKeyFile, ...tail],
        ws.stack.hub.adminToken,
      ),
    ).toMatchObject({ code: 1, said: expect.stringMatching(/HTTP 404, not_found/) });
    expect(await run(['wipe', ...target], ws.stack.hub.adminToken)).toMatchObject({
      code: 2,
      said: expect.stringContaining("unknown command 'wipe'"),
    });

    // Lena's workstation noticed none of it.
    await connected(lena);
    expect(await current(lena)).toMatchObject({ status: 'active' });
  });

  it('even a revocation properly signed by IT only locks the profile', async () => {
    const { profileId, deviceId } = profileOf(lena);
    await itRevokes(LENA, deviceId, itKeyFile);
    expect(await until(lena, 'locked')).toMatchObject({ withdrawn: { code: 'access_withdrawn' } });
    expect((await keychainEntries(profileId)).length).toBeGreaterThanOrEqual(3);
    expect(
      (await auditOf(place.appDataDir, profileId)).find((e) => e.kind === 'revocation-unsigned'),
    ).toMatchObject({ details: { deviceId, reason: 'no-pinned-keys' } });
  });
});
