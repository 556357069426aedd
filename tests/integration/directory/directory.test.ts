// The key directory as the app sees it, against the real hub and IdP, with device keys in the real OS
// keychain and pins in a real encrypted profile store: trust on first use, a key swapped by someone with
// the hub's database, a tampered self-signature, and revocation seen by the device and by its contacts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLog } from '../../../src/main/core/audit';
import { fromBase64, randomBytes, toBase64 } from '../../../src/main/core/crypto';
import {
  acceptKeyChange,
  contactDevices,
  registerOwnDevice,
  revokeOwnDevice,
  type ContactDevice,
} from '../../../src/main/core/directory';
import { onOwnDeviceRevoked, type OwnDeviceRevoked } from '../../../src/main/core/revocation';
import { AppError } from '../../../src/main/core/errors';
import type { HubClient } from '../../../src/main/core/hub';
import { createOsKeychain, type Keychain } from '../../../src/main/core/keychain';
import {
  enrolDevice,
  fingerprint,
  loadDevice,
  safetyNumber,
  signDirectoryEntry,
  type LoadedDevice,
} from '../../../src/main/core/keys';
import { openProfileStore, type ProfileStore } from '../../../src/main/core/store';
import { createTrustService, type TrustService } from '../../../src/main/core/trust';
import { HubMethod } from '../../../src/shared/hub-protocol';
import {
  editHubDatabase,
  startStack,
  swapDeviceKeys,
  userId,
  type Stack,
} from '../../stack/hub/hub-test-kit';
import { testClient, waitFor } from '../hub-client/helpers';

const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';

describe('key directory (real hub, IdP, keychain and profile store)', () => {
  let stack: Stack;
  let keychain: Keychain;
  let scratch: string;
  let store: ProfileStore;
  let audit: AuditLog;
  let pins: TrustService;
  const clients: HubClient[] = [];
  /** How many times each client finished a (re)connect (device bound, onConnected ran). */
  const connects = new Map<HubClient, number>();
  let asha: { client: HubClient; device: LoadedDevice };
  const samuel: Record<string, { client: HubClient; device: LoadedDevice }> = {};

  /** A device enrolled in the real keychain (its own profile id), registered with the hub by its client. */
  async function enrolled(username: string, profileId: string) {
    const t = testClient(stack, username);
    clients.push(t.client);
    connects.set(t.client, 0);
    t.client.onConnected(() => void connects.set(t.client, (connects.get(t.client) ?? 0) + 1));
    await t.client.start();
    await enrolDevice(keychain, { profileId, userId: userId(stack, username) });
    const device = await loadDevice(keychain, profileId);
    const first = await registerOwnDevice(t.client, device);
    expect(first.created).toBe(true);
    return { client: t.client, device };
  }

  const ashaSees = async (): Promise<Map<string, ContactDevice>> =>
    new Map(
      (await contactDevices(asha.client, pins, [userId(stack, SAMUEL)], asha.device)).map((d) => [
        d.deviceId,
        d,
      ]),
    );

  /** Edits the hub's database (hub stopped), then waits until every client is back. */
  async function withHubDatabase(edit: (db: Database.Database) => void): Promise<void> {
    const before = new Map(connects);
    await editHubDatabase(stack, edit);
    await waitFor('every client reconnected', () =>
      clients.every((c) => (connects.get(c) ?? 0) > (before.get(c) ?? 0)),
    );
  }

  beforeAll(async () => {
    stack = await startStack();
    keychain = createOsKeychain(`Clinical Messenger test ${randomUUID()}`);
    scratch = mkdtempSync(join(tmpdir(), 'cm-directory-'));
    store = openProfileStore({ file: join(scratch, 'asha.db'), key: randomBytes(32) });
    audit = createAuditLog(store);
    pins = createTrustService({ store, audit, selfUserId: userId(stack, ASHA) });
    asha = await enrolled(ASHA, 'asha');
    samuel.main = await enrolled(SAMUEL, 'samuel-main');
    samuel.tablet = await enrolled(SAMUEL, 'samuel-tablet');
    samuel.spare = await enrolled(SAMUEL, 'samuel-spare');
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) await c.stop();
    store?.close();
    if (keychain) for (const account of await keychain.list()) await keychain.delete(account);
    await stack?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('registering again (as after a reconnect) is idempotent and keeps the device bound', async () => {
    const again = await registerOwnDevice(asha.client, asha.device);
    expect(again.created).toBe(false);
    expect(again.device).toMatchObject({ ...signDirectoryEntry(asha.device), userId: asha.device.userId });
    expect(asha.client.boundDeviceId()).toBe(asha.device.deviceId);
    expect((await asha.client.call(HubMethod.Hello, {})).deviceId).toBe(asha.device.deviceId);
  });

  it("shows a contact's devices as 'new' on first sight, then 'trusted', with the same safety number both sides see", async () => {
    const first = await ashaSees();
    expect([...first.keys()].sort()).toEqual(
      [samuel.main!.device.deviceId, samuel.tablet!.device.deviceId, samuel.spare!.device.deviceId].sort(),
    );
    const main = first.get(samuel.main!.device.deviceId)!;
    expect(main).toMatchObject({ userId: userId(stack, SAMUEL), status: 'new', sendAllowed: true });
    expect(main.fingerprint).toBe(fingerprint(samuel.main!.device.signingPublicKey));
    expect(main.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(main.safetyNumber).toBe(safetyNumber(asha.device, samuel.main!.device));

    const second = await ashaSees();
    for (const d of second.values()) expect(d).toMatchObject({ status: 'trusted', sendAllowed: true });

    // Samuel, checking Asha from his main device, sees the same number.
    // The same table is fine: other user ids.
    const samuelsPins = createTrustService({ store, audit, selfUserId: userId(stack, SAMUEL) });
    const fromSamuel = await contactDevices(
      samuel.main!.client,
      samuelsPins,
      [userId(stack, ASHA)],
      samuel.main!.device,
    );
    expect(fromSamuel.find((d) => d.deviceId === asha.device.deviceId)?.safetyNumber).toBe(main.safetyNumber);
  });

  it("flags keys swapped in the hub's database as 'key-changed' until accepted, and a tampered signature as 'invalid-signature'", async () => {
    const before = (await ashaSees()).get(samuel.main!.device.deviceId)!;

    // The attacker's entry: a NEW key pair for Samuel's main device id, correctly self-signed by the new keys.
    await enrolDevice(keychain, {
      profileId: 'attacker',
      userId: userId(stack, SAMUEL),
      createdAt: samuel.main!.device.createdAt,
    });
    const attacker = await loadDevice(keychain, 'attacker');
    const forged = signDirectoryEntry({ ...attacker, deviceId: samuel.main!.device.deviceId });
    // And Samuel's tablet entry with one bit of its self-signature flipped.
    const tabletSignature = fromBase64(signDirectoryEntry(samuel.tablet!.device).selfSignature)!;
    tabletSignature[10]! ^= 0x01;

    await withHubDatabase((db) => {
      const columns = (db.prepare('PRAGMA table_info(devices)').all() as { name: string }[]).map(
        (c) => c.name,
      );
      expect(columns).toEqual(
        expect.arrayContaining(['device_id', 'signing_key', 'encryption_key', 'self_signature']),
      );
      const swapped = { changes: swapDeviceKeys(db, forged) };
      const tampered = db
        .prepare('UPDATE devices SET self_signature = ? WHERE device_id = ?')
        .run(toBase64(tabletSignature), samuel.tablet!.device.deviceId);
      expect([swapped.changes, tampered.changes]).toEqual([1, 1]);
    });

    const seen = await ashaSees();
    const main = seen.get(samuel.main!.device.deviceId)!;
    expect(main).toMatchObject({
      status: 'key-changed',
      sendAllowed: false,
      signingPublicKey: forged.signingPublicKey,
    });
    expect(main.safetyNumber).not.toBe(before.safetyNumber);
    expect(main.fingerprint).toBe(fingerprint(attacker.signingPublicKey));
    expect(pins.isSendAllowed(userId(stack, SAMUEL), samuel.main!.device.deviceId)).toBe(false);
    // Still blocked when looked at again; the pin keeps the old key until the user accepts.
    expect((await ashaSees()).get(samuel.main!.device.deviceId)).toMatchObject({
      status: 'key-changed',
      sendAllowed: false,
    });
    expect(pins.pin(userId(stack, SAMUEL), samuel.main!.device.deviceId)?.signingPublicKey).toBe(
      toBase64(samuel.main!.device.signingPublicKey),
    );

    const tablet = seen.get(samuel.tablet!.device.deviceId)!;
    expect(tablet).toMatchObject({
      status: 'invalid-signature',
      sendAllowed: false,
      safetyNumber: null,
      fingerprint: null,
    });
    expect(seen.get(samuel.spare!.device.deviceId)).toMatchObject({ status: 'trusted', sendAllowed: true });

    // The user compared the new safety number and accepts: audited, then trusted.
    const auditedBefore = audit.list({ limit: 10_000 }).length;
    acceptKeyChange(pins, userId(stack, SAMUEL), samuel.main!.device.deviceId);
    expect(audit.list({ limit: 1 })[0]).toMatchObject({
      kind: 'key-change-accepted',
      details: { userId: userId(stack, SAMUEL), deviceId: samuel.main!.device.deviceId },
    });
    expect(audit.list({ limit: 10_000 })).toHaveLength(auditedBefore + 1);
    expect(audit.verify()).toMatchObject({ ok: true });
    expect((await ashaSees()).get(samuel.main!.device.deviceId)).toMatchObject({
      status: 'trusted',
      sendAllowed: true,
      signingPublicKey: forged.signingPublicKey,
    });
    // Nothing left to accept.
    expect(() => acceptKeyChange(pins, userId(stack, SAMUEL), samuel.main!.device.deviceId)).toThrow(
      AppError,
    );
    // The tampered entry stays untrusted however often it is seen.
    expect((await ashaSees()).get(samuel.tablet!.device.deviceId)).toMatchObject({
      status: 'invalid-signature',
      sendAllowed: false,
    });
  });

  it("a device that revokes itself is told (and signs out); its contacts see it 'revoked'", async () => {
    const spare = samuel.spare!;
    const told: OwnDeviceRevoked[] = [];
    onOwnDeviceRevoked(spare.client, (r) => told.push(r));
    const revoked = await revokeOwnDevice(spare.client, spare.device.deviceId);
    expect(revoked).toMatchObject({ deviceId: spare.device.deviceId, revoked: true });
    await waitFor('DeviceRevoked reached the device', () => told.length > 0);
    // Revoked by its owner: the hub has no IT signature to pass on (so the session only locks, see remote-wipe).
    expect(told).toEqual([
      { deviceId: spare.device.deviceId, via: 'event', revokedAt: revoked.revokedAt, revocation: null },
    ]);

    const seen = (await ashaSees()).get(spare.device.deviceId)!;
    expect(seen).toMatchObject({ status: 'revoked', sendAllowed: false, revokedAt: revoked.revokedAt });
    expect(pins.pin(userId(stack, SAMUEL), spare.device.deviceId)?.revoked).toBe(true);
    // Further calls of that device are refused.
    await expect(spare.client.call(HubMethod.ListConversations, {})).rejects.toMatchObject({
      hubCode: 'device_revoked',
    });
  });

  it('a device revoked while its app was offline learns it on the next connect', async () => {
    const tablet = samuel.tablet!;
    const told: OwnDeviceRevoked[] = [];
    onOwnDeviceRevoked(tablet.client, (r) => told.push(r));
    await tablet.client.stop();
    await revokeOwnDevice(samuel.main!.client, tablet.device.deviceId);
    expect(told).toEqual([]);
    await tablet.client.start();
    await waitFor('revocation found on connect', () => told.length > 0);
    expect(told).toEqual([
      { deviceId: tablet.device.deviceId, via: 'bind', revokedAt: null, revocation: null },
    ]);
    expect(tablet.client.boundDeviceId()).toBeNull();
    // Another device of the same user cannot revoke someone else's device.
    await expect(revokeOwnDevice(samuel.main!.client, asha.device.deviceId)).rejects.toMatchObject({
      hubCode: 'forbidden',
    });
  });
});
