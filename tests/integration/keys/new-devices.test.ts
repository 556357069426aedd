// No silent devices (docs/key-design.md, "New devices"), against the real hub made hostile. A device the hub
// adds for Dr Okafor — self-signed by an attacker's key — is never used silently: under newDeviceTrust
// "notice" every conversation with him says so, under "verify" nothing reaches it (no user key it signed is
// sealed to, his own PC does not release his key to it, its envelopes are quarantined) until someone
// compares safety numbers and accepts it, and then it works. Dr Rao's own other PC is told when her account
// signs in somewhere new. Envelopes from a device this PC knows as revoked, or from a device outside the
// verified directory, injected into the hub's store, are quarantined with their reason, never valid.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodiumModule from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { fromBase64, toBase64 } from '../../../src/main/core/crypto';
import { createConversationKey, sealEnvelopeV2, type MessagePayload } from '../../../src/main/core/envelope';
import {
  enrolDevice,
  loadDevice,
  signDirectoryEntry,
  signRegistrationProof,
  type LoadedDevice,
} from '../../../src/main/core/keys';
import { signUserKey } from '../../../src/main/core/user-keys';
import type {
  ContactDevice,
  DeviceNoticeView,
  SessionState,
  UserKeyStatusView,
} from '../../../src/shared/contract';
import { appendEnvelopes, call, connect, editHubDatabase, userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
  messagePage,
} from '../../support/workstation';

const RAO = 'dr.asha.rao';
const OKAFOR = 'dr.samuel.okafor';
const LENA = 'dr.lena.fischer';

const payload = (text: string): MessagePayload => ({
  v: 1,
  kind: 'text',
  text,
  urgent: false,
  ackRequired: false,
  patient: null,
});
const send = (core: Core, conversationId: string, text: string) =>
  ask<{ envelopeId: string }>(core, 'messages.send', {
    conversationId,
    text,
    urgent: false,
    ackRequired: false,
    patient: null,
  });
const notices = (core: Core, conversationId: string) =>
  must<DeviceNoticeView[]>(core, 'conversations.deviceNotices', { conversationId });
const devicesOf = (core: Core, user: string) =>
  must<ContactDevice[]>(core, 'keys.contactDevices', { userIds: [user] });
const createConversation = async (core: Core, kind: 'direct' | 'group', memberIds: string[]) =>
  (await must<{ conversationId: string }>(core, 'conversations.create', { kind, memberIds })).conversationId;

function profileIdOf(core: Core): string {
  return (core.session.current() as Extract<SessionState, { status: 'active' }>).profile.profileId;
}
const deviceOf = (ws: Workstation, core: Core) => loadDevice(ws.keychain, profileIdOf(core));
const auditOf = (core: Core) => core.session.active().audit.list({ limit: 10_000 });

/** An attacker's device for `user`: real keys in a scratch keychain profile, a valid self-signed named entry. */
async function attackerDevice(ws: Workstation, user: string, name: string): Promise<LoadedDevice> {
  const profileId = `attacker-${randomUUID()}`;
  await enrolDevice(ws.keychain, { profileId, userId: user, deviceName: name });
  return loadDevice(ws.keychain, profileId);
}

describe('newDeviceTrust "notice" (the default)', () => {
  let ws: Workstation;
  let rao: Core;
  let okafor: Core;
  let direct: string;
  let group: string;
  let withLena: string;

  beforeAll(async () => {
    ws = await startWorkstation();
    rao = await signedIn(ws, RAO, { deviceName: 'WARD3B-PC01' });
    okafor = await signedIn(ws, OKAFOR, { deviceName: 'ED-PC01' });
    const lena = await signedIn(ws, LENA, { deviceName: 'ICU-PC07' });
    direct = await createConversation(rao, 'direct', [userId(ws.stack, OKAFOR)]);
    group = await createConversation(rao, 'group', [userId(ws.stack, OKAFOR), userId(ws.stack, LENA)]);
    withLena = await createConversation(rao, 'direct', [userId(ws.stack, LENA)]);
    await converse(direct, [[okafor, 'Bed 4 troponin back: 12 ng/L']], [rao, okafor]);
    void lena;
  }, 300_000);
  afterAll(async () => ws?.close());

  it('a device the hub adds for a colleague shows in every conversation with him, and is audited', async () => {
    const okaforId = userId(ws.stack, OKAFOR);
    const ghost = await attackerDevice(ws, okaforId, 'WARD3B-PC02');
    const entry = signDirectoryEntry(ghost);
    const at = new Date().toISOString();
    await editHubDatabase(ws.stack, (db) => {
      db.prepare(
        `INSERT INTO devices (device_id, user_id, signing_key, encryption_key, self_signature, created_at,
           registered_at, revoked_at, last_seen_at, device_name) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)`,
      ).run(
        entry.deviceId,
        okaforId,
        entry.signingPublicKey,
        entry.encryptionPublicKey,
        entry.selfSignature,
        entry.createdAt,
        at,
        entry.deviceName,
      );
    });

    const expected = {
      userId: okaforId,
      deviceId: ghost.deviceId,
      deviceName: 'WARD3B-PC02',
      enrolledAt: ghost.createdAt,
      state: 'in-use',
    };
    // Dr Rao's PC reads the directory again when it reconnects to the restarted hub.
    await expect
      .poll(() => notices(rao, direct), { timeout: 60_000 })
      .toEqual([expect.objectContaining(expected)]);
    expect(await notices(rao, group)).toEqual([expect.objectContaining(expected)]);
    expect(await notices(rao, withLena)).toEqual([]);
    // Under "notice" it is used, like any device of his.
    expect((await devicesOf(rao, okaforId)).find((d) => d.deviceId === ghost.deviceId)).toMatchObject({
      deviceName: 'WARD3B-PC02',
      newDevice: true,
      sendAllowed: true,
    });
    // Audited once, with ids and the name only.
    const seen = auditOf(rao).filter(
      (e) => e.kind === 'device-first-seen' && e.details.deviceId === ghost.deviceId,
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]!.details).toEqual({
      userId: okaforId,
      deviceId: ghost.deviceId,
      deviceName: 'WARD3B-PC02',
      newDevice: true,
      accepted: true,
      revoked: false,
    });
  });

  it('her own first PC says "You signed in on WARD3B-PC02", and her colleague sees the new workstation', async () => {
    const raoId = userId(ws.stack, RAO);
    const pc2 = await signedIn(ws, RAO, { deviceName: 'WARD3B-PC02' });
    const pc2Id = (await deviceOf(ws, pc2)).deviceId;
    await expect
      .poll(async () => (await must<UserKeyStatusView>(rao, 'keys.status')).devices, { timeout: 60_000 })
      .toEqual([
        expect.objectContaining({
          userId: raoId,
          deviceId: pc2Id,
          deviceName: 'WARD3B-PC02',
          state: 'in-use',
        }),
      ]);
    // The new PC itself has nothing to warn about: the PCs she had before are its baseline.
    expect((await must<UserKeyStatusView>(pc2, 'keys.status')).devices).toEqual([]);
    await expect
      .poll(async () => (await notices(okafor, direct)).map((n) => [n.userId, n.deviceName]), {
        timeout: 60_000,
      })
      .toContainEqual([raoId, 'WARD3B-PC02']);
  });

  it('quarantines envelopes from a revoked device (signed or stored after the revocation) and from outside the directory', async () => {
    const okaforId = userId(ws.stack, OKAFOR);
    const okaforPc2 = await signedIn(ws, OKAFOR, { deviceName: 'ED-PC02' });
    // His new PC writes in the conversation once its first sync has brought it (under load that takes a while).
    await eventually('his new PC has the conversation with Dr Rao', async () =>
      (await must<{ conversationId: string }[]>(okaforPc2, 'conversations.list')).some(
        (c) => c.conversationId === direct,
      ),
    );
    expect(await send(okaforPc2, direct, 'ECG repeated, unchanged')).toMatchObject({ ok: true });
    await expect
      .poll(
        async () =>
          (await messagePage(rao, direct)).find((m) => m.text === 'ECG repeated, unchanged')?.verdict,
        {
          timeout: 60_000,
        },
      )
      .toBe('valid');
    // A thief holds that workstation's device key (its keychain entry, taken before the revocation).
    const stolen = await deviceOf(ws, okaforPc2);
    const hub = await connect(ws.stack.hub.url, await ws.stack.token(OKAFOR));
    await call(hub, 'Hello', { deviceId: (await deviceOf(ws, okafor)).deviceId });
    const { device: revoked } = await call(hub, 'RevokeDevice', { deviceId: stolen.deviceId });
    await hub.stop();
    await expect
      .poll(
        async () => (await devicesOf(rao, okaforId)).find((d) => d.deviceId === stolen.deviceId)?.status,
        { timeout: 60_000 },
      )
      .toBe('revoked');

    const revokedAt = Date.parse(revoked.revokedAt!);
    const key = { keyId: 'c0'.repeat(16), key: new Uint8Array(randomBytes(32)) };
    const seal = (sender: LoadedDevice, text: string, clientTime: string) =>
      sealEnvelopeV2({
        sender,
        conversationId: direct,
        envelopeId: randomUUID(),
        clientTime,
        prev: [],
        payload: payload(text),
        conversationKey: key,
      });
    const after = await seal(
      stolen,
      'Stop the heparin (sent by a thief)',
      new Date(revokedAt + 1_000).toISOString(),
    );
    // Backdated by the thief's clock, but stored by the hub after the revocation.
    const backdated = await seal(stolen, 'Backdated order', new Date(revokedAt - 60_000).toISOString());
    const outsider = await attackerDevice(ws, okaforId, 'NOT-LISTED');
    const unknown = await seal(
      outsider,
      'From a device the directory never listed',
      new Date().toISOString(),
    );
    const now = new Date().toISOString();
    const seqs = await appendEnvelopes(ws.stack, direct, [
      {
        bytes: after.bytes,
        envelopeId: after.header.envelopeId,
        userId: okaforId,
        deviceId: stolen.deviceId,
        serverTime: now,
      },
      {
        bytes: backdated.bytes,
        envelopeId: backdated.header.envelopeId,
        userId: okaforId,
        deviceId: stolen.deviceId,
        serverTime: now,
      },
      {
        bytes: unknown.bytes,
        envelopeId: unknown.header.envelopeId,
        userId: okaforId,
        deviceId: outsider.deviceId,
        serverTime: now,
      },
    ]);

    const verdicts = async () =>
      (await messagePage(rao, direct))
        .filter((m) => m.seq !== null && seqs.includes(m.seq))
        .sort((a, b) => a.seq! - b.seq!)
        .map((m) => [m.verdict, m.reason, m.text]);
    await expect.poll(verdicts, { timeout: 60_000 }).toEqual([
      ['quarantined', 'device-revoked', null],
      ['quarantined', 'device-revoked', null],
      ['quarantined', 'unknown-sender-device', null],
    ]);
    // What that PC sent before its revocation stays valid.
    expect((await messagePage(rao, direct)).map((m) => m.text)).toContain('ECG repeated, unchanged');
  });
});

describe('newDeviceTrust "verify"', () => {
  let ws: Workstation;
  let rao: Core;
  let okafor: Core;
  let conversationId: string;
  let ghost: LoadedDevice;
  let ghostHub: Awaited<ReturnType<typeof connect>>;
  let ghostEpoch: number;

  beforeAll(async () => {
    await sodiumModule.ready;
    ws = await startWorkstation();
    const verify = (name: string) => ({
      policyFile: ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-verify-')), { newDeviceTrust: 'verify' }),
      deviceName: name,
    });
    rao = await signedIn(ws, RAO, verify('WARD3B-PC01'));
    okafor = await signedIn(ws, OKAFOR, verify('ED-PC01'));
    conversationId = await createConversation(rao, 'direct', [userId(ws.stack, OKAFOR)]);
    await converse(conversationId, [[rao, 'Can you see bed 4?']], [rao, okafor]);
  }, 300_000);
  afterAll(async () => {
    await ghostHub?.stop();
    await ws?.close();
  });

  it('holds a ghost device of a colleague: no user key it signed is sealed to, no release, its envelopes quarantined', async () => {
    const okaforId = userId(ws.stack, OKAFOR);
    const raoId = userId(ws.stack, RAO);
    // The attacker registers a device for Dr Okafor through the hub (it proves possession of its own key).
    ghost = await attackerDevice(ws, okaforId, 'WARD3B-PC02');
    ghostHub = await connect(ws.stack.hub.url, await ws.stack.token(OKAFOR));
    const { nonce } = await call(ghostHub, 'GetRegistrationChallenge', {});
    const { deviceName, ...entry } = signDirectoryEntry(ghost);
    await call(ghostHub, 'RegisterDevice', {
      ...entry,
      deviceName: deviceName!,
      nonce,
      proof: signRegistrationProof(ghost, nonce)!,
    });
    // It publishes a new user key for him, a conversation key for both, and a message under it.
    const current = (await call(ghostHub, 'GetUserKeys', { userIds: [okaforId, raoId] })).userKeys;
    ghostEpoch = current.find((k) => k.userId === okaforId)!.epoch + 1;
    const ghostUserKey = sodiumModule.crypto_box_keypair();
    const record = signUserKey(ghost, {
      epoch: ghostEpoch,
      publicKey: ghostUserKey.publicKey,
      createdAt: new Date().toISOString(),
    });
    await call(ghostHub, 'PublishUserKey', {
      epoch: record.epoch,
      publicKey: record.publicKey,
      createdAt: record.createdAt,
      signerDeviceId: record.signerDeviceId,
      signature: record.signature,
    });
    const raoKey = current.find((k) => k.userId === raoId)!;
    const { key, grant } = await createConversationKey({
      sender: ghost,
      conversationId,
      recipients: [
        { userId: raoId, epoch: raoKey.epoch, publicKey: fromBase64(raoKey.publicKey, 32)! },
        { userId: okaforId, epoch: ghostEpoch, publicKey: ghostUserKey.publicKey },
      ],
      compliance: null,
    });
    await call(ghostHub, 'PublishConversationKey', grant);
    const forged = await sealEnvelopeV2({
      sender: ghost,
      conversationId,
      envelopeId: randomUUID(),
      clientTime: new Date().toISOString(),
      prev: [],
      payload: payload('Discharge bed 4 now (from the ghost)'),
      conversationKey: { keyId: grant.keyId, key },
    });
    await call(ghostHub, 'Send', {
      envelopeId: forged.header.envelopeId,
      conversationId,
      senderDeviceId: ghost.deviceId,
      payload: toBase64(forged.bytes),
      keyId: grant.keyId,
    });

    // Dr Rao's PC: the device waits, the conversation says so, its message is held back.
    await expect
      .poll(async () => (await devicesOf(rao, okaforId)).find((d) => d.deviceId === ghost.deviceId)?.status, {
        timeout: 60_000,
      })
      .toBe('unaccepted');
    expect(await notices(rao, conversationId)).toEqual([
      expect.objectContaining({
        deviceId: ghost.deviceId,
        deviceName: 'WARD3B-PC02',
        state: 'awaiting-acceptance',
      }),
    ]);
    const ghostMessage = async () =>
      (await messagePage(rao, conversationId)).find((m) => m.envelopeId === forged.header.envelopeId);
    await expect
      .poll(async () => (await ghostMessage())?.reason, { timeout: 60_000 })
      .toBe('device-not-accepted');
    expect((await ghostMessage())!.verdict).toBe('quarantined');
    expect((await ghostMessage())!.text).toBeNull();
    // Sending is refused with a clear reason: nothing is sealed to the key the ghost signed.
    const refused = await send(rao, conversationId, 'Hold the discharge');
    expect(refused.ok ? null : refused.error.code).toBe('device_not_accepted');
    const grantsForGhostKey = async () =>
      (await call(ghostHub, 'GetConversationKeys', { conversationId })).conversationKeys.filter(
        (k) =>
          k.senderUserId === raoId &&
          k.recipients.some((r) => r.userId === okaforId && r.epoch === ghostEpoch),
      );
    expect(await grantsForGhostKey()).toEqual([]);

    // Dr Okafor's own PC: "You signed in on WARD3B-PC02…", and his key is not released to it.
    await expect
      .poll(async () => (await must<UserKeyStatusView>(okafor, 'keys.status')).devices, { timeout: 60_000 })
      .toEqual([
        expect.objectContaining({
          deviceId: ghost.deviceId,
          deviceName: 'WARD3B-PC02',
          state: 'awaiting-acceptance',
        }),
      ]);
    await okafor.messaging()!.idle();
    expect((await call(ghostHub, 'GetKeyReleases', {})).releases).toEqual([]);
    expect(
      auditOf(okafor).filter(
        (e) => e.kind === 'user-key-released' && e.details.toDeviceId === ghost.deviceId,
      ),
    ).toEqual([]);
  });

  it('once accepted after comparing safety numbers, the device works: its message opens, keys reach it', async () => {
    const okaforId = userId(ws.stack, OKAFOR);
    const raoId = userId(ws.stack, RAO);
    const seen = (await devicesOf(rao, okaforId)).find((d) => d.deviceId === ghost.deviceId)!;
    expect(seen.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    const accepted = await must<ContactDevice[]>(rao, 'keys.acceptNewDevice', {
      userId: okaforId,
      deviceId: ghost.deviceId,
    });
    expect(accepted.find((d) => d.deviceId === ghost.deviceId)).toMatchObject({
      status: 'trusted',
      sendAllowed: true,
    });
    expect(auditOf(rao)[0]).toMatchObject({
      kind: 'device-accepted',
      details: { userId: okaforId, deviceId: ghost.deviceId, deviceName: 'WARD3B-PC02' },
    });
    await expect
      .poll(
        async () =>
          (await messagePage(rao, conversationId)).find(
            (m) => m.text === 'Discharge bed 4 now (from the ghost)',
          )?.verdict,
        { timeout: 60_000 },
      )
      .toBe('valid');
    expect((await notices(rao, conversationId))[0]).toMatchObject({ state: 'accepted' });
    // A message to him now goes: the hub takes it only under a key sealed to his newest user key, the one the
    // accepted device signed (here the conversation key that device granted, now a verified grant).
    expect((await send(rao, conversationId, 'Discharge confirmed')).ok).toBe(true);
    await eventually('the message reached the hub', async () =>
      (await messagePage(rao, conversationId)).some(
        (m) => m.text === 'Discharge confirmed' && m.seq !== null,
      ),
    );
    const grants = (await call(ghostHub, 'GetConversationKeys', { conversationId })).conversationKeys;
    expect(
      grants.some((k) =>
        [
          [raoId, null],
          [okaforId, ghostEpoch],
        ].every(([u, e]) => k.recipients.some((r) => r.userId === u && (e === null || r.epoch === e))),
      ),
    ).toBe(true);

    // His own PC accepts it too: his key epochs are released to it.
    await must(okafor, 'keys.acceptNewDevice', { userId: okaforId, deviceId: ghost.deviceId });
    await expect
      .poll(async () => (await call(ghostHub, 'GetKeyReleases', {})).releases.length, { timeout: 30_000 })
      .toBe(1);
  });
});
