// Device last sign-in (lastSeenAt) and expiry: a device not bound for deviceExpiryDays is revoked when it is
// next bound, and a version 1 database gains the new columns and tables without expiring its devices.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_PROTOCOL_VERSION, HubEvent, HubMethod } from '../../../src/shared/hub-protocol';
import {
  b64,
  call,
  connect,
  deviceSession,
  editHubDatabase,
  newDeviceRequest,
  nextEvent,
  refusal,
  register,
  registration,
  startStack,
  userId,
  type Stack,
} from './hub-test-kit';

const EXPIRY_DAYS = 30;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function health(stack: Stack): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.hub.origin}/health`, { ca: readFileSync(stack.tls.caCertPath) }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hub device lifecycle', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ deviceExpiryDays: EXPIRY_DAYS });
  }, 180_000);
  afterAll(async () => stack?.close());

  it('answers protocol version 2 on /health and Hello', async () => {
    expect(HUB_PROTOCOL_VERSION).toBe(2);
    expect(await health(stack)).toEqual({ status: 'ok', protocolVersion: 2 });
  });

  it('records the last sign-in whenever a connection binds the device', async () => {
    const token = await stack.token('dr.asha.rao');
    const request = newDeviceRequest();
    const first = await connect(stack.hub.url, token);
    const asha = userId(stack, 'dr.asha.rao');
    const { device: registered } = await register(first, asha, request);
    await first.stop();
    expect(registered.lastSeenAt).not.toBeNull();
    expect(registered.lastSeenAt! >= registered.registeredAt).toBe(true);

    await pause(20);
    const second = await connect(stack.hub.url, token);
    await call(second, HubMethod.Hello, { deviceId: request.deviceId });
    const { devices } = await call(second, HubMethod.ListDevices, { userIds: [registered.userId] });
    await second.stop();
    const seen = devices.find((d) => d.deviceId === request.deviceId)!;
    expect(seen.lastSeenAt! > registered.lastSeenAt!).toBe(true);

    // Re-registering (identically) binds too, and answers the record with the new sign-in.
    await pause(20);
    const third = await connect(stack.hub.url, token);
    const again = await register(third, asha, request);
    await third.stop();
    expect(again.created).toBe(false);
    expect(again.device.lastSeenAt! > seen.lastSeenAt!).toBe(true);
    expect(again.device.registeredAt).toBe(registered.registeredAt);
  });

  it('revokes a device unused for deviceExpiryDays when it is next bound, and tells its peers', async () => {
    const old = await deviceSession(stack, 'dr.lena.fischer');
    const neverSeen = await deviceSession(stack, 'dr.lena.fischer');
    const recent = await deviceSession(stack, 'dr.lena.fischer');
    const reRegistered = newDeviceRequest();
    const plain = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
    await register(plain, old.userId, reRegistered);
    await plain.stop();
    const meera = await deviceSession(stack, 'opd.meera.nair');
    await call(meera.connection, HubMethod.CreateConversation, { kind: 'direct', memberIds: [old.userId] });
    await Promise.all([old, neverSeen, recent, meera].map((s) => s.connection.stop()));

    await editHubDatabase(stack, (db) => {
      const set = db.prepare('UPDATE devices SET last_seen_at = ?, registered_at = ? WHERE device_id = ?');
      set.run(daysAgo(EXPIRY_DAYS + 1), daysAgo(200), old.deviceId);
      set.run(null, daysAgo(EXPIRY_DAYS + 1), neverSeen.deviceId);
      set.run(daysAgo(EXPIRY_DAYS - 1), daysAgo(200), recent.deviceId);
      set.run(daysAgo(EXPIRY_DAYS + 5), daysAgo(200), reRegistered.deviceId);
    });

    const peer = await connect(stack.hub.url, await stack.token('opd.meera.nair'));
    const lena = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
    try {
      await call(peer, HubMethod.Hello, { deviceId: meera.deviceId });
      const peerSaw = nextEvent(peer, HubEvent.DirectoryChanged, (e) => e.deviceId === old.deviceId);
      expect(await refusal(lena, HubMethod.Hello, { deviceId: old.deviceId })).toBe('device_revoked');
      expect(await peerSaw).toMatchObject({ userId: old.userId, change: 'revoked' });
      expect(await refusal(lena, HubMethod.Hello, { deviceId: neverSeen.deviceId })).toBe('device_revoked');
      expect(
        await refusal(lena, HubMethod.RegisterDevice, await registration(lena, old.userId, reRegistered)),
      ).toBe('device_revoked');
      expect(await refusal(lena, HubMethod.Hello, { deviceId: old.deviceId })).toBe('device_revoked');

      const { devices } = await call(peer, HubMethod.ListDevices, { userIds: [old.userId] });
      const byId = new Map(devices.map((d) => [d.deviceId, d]));
      for (const id of [old.deviceId, neverSeen.deviceId, reRegistered.deviceId])
        expect(byId.get(id)).toMatchObject({ revoked: true });
      expect(byId.get(recent.deviceId)).toMatchObject({ revoked: false });

      // A device used within the window binds and carries on.
      expect((await call(lena, HubMethod.Hello, { deviceId: recent.deviceId })).deviceId).toBe(
        recent.deviceId,
      );
      await call(lena, HubMethod.ListConversations, {});
    } finally {
      await Promise.all([peer.stop(), lena.stop()]);
    }
  });

  it('migrates a version 1 database: devices get lastSeenAt, key tables appear, expiry counts from the upgrade', async () => {
    const veteran = await deviceSession(stack, 'dr.samuel.okafor');
    const idle = await deviceSession(stack, 'dr.samuel.okafor');
    await Promise.all([veteran.connection.stop(), idle.connection.stop()]);

    // Make it look like version 1 wrote this database, years ago.
    await editHubDatabase(stack, (db) => {
      db.exec(`
        DROP TABLE IF EXISTS user_keys; DROP TABLE IF EXISTS conversation_keys; DROP TABLE IF EXISTS key_releases;
        DROP TABLE IF EXISTS meta; ALTER TABLE devices DROP COLUMN last_seen_at;`);
      db.prepare('UPDATE devices SET registered_at = ? WHERE user_id = ?').run(daysAgo(400), veteran.userId);
    });

    const c = await connect(stack.hub.url, await stack.token('dr.samuel.okafor'));
    try {
      expect((await call(c, HubMethod.Hello, { deviceId: veteran.deviceId })).deviceId).toBe(
        veteran.deviceId,
      );
      const { devices } = await call(c, HubMethod.ListDevices, { userIds: [veteran.userId] });
      expect(devices.find((d) => d.deviceId === veteran.deviceId)!.lastSeenAt).not.toBeNull();
      expect(devices.find((d) => d.deviceId === idle.deviceId)).toMatchObject({
        lastSeenAt: null,
        revoked: false,
      });
      const { userKey } = await call(c, HubMethod.PublishUserKey, {
        epoch: 1,
        publicKey: b64(32),
        createdAt: new Date().toISOString(),
        signerDeviceId: veteran.deviceId,
        signature: b64(64),
      });
      expect(userKey.epoch).toBe(1);
    } finally {
      await c.stop();
    }
  });
});
