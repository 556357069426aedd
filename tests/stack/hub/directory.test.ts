// Key directory and staff directory: device registration and binding, listing, revocation pushed to the
// revoked device and to the people who share a conversation with its owner; user search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubEvent, HubMethod } from '../../../src/shared/hub-protocol';
import {
  b64,
  call,
  connect,
  deviceSession,
  newDeviceRequest,
  nextEvent,
  refusal,
  register,
  registration,
  startStack,
  userId,
  type Stack,
} from './hub-test-kit';

describe('hub key and staff directory', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 180_000);
  afterAll(async () => stack?.close());

  it('registers a device, binds the connection to it, and lists it publicly', async () => {
    const asha = await connect(stack.hub.url, await stack.token('dr.asha.rao'));
    const samuel = await connect(stack.hub.url, await stack.token('dr.samuel.okafor'));
    const ashaId = userId(stack, 'dr.asha.rao');
    const samuelId = userId(stack, 'dr.samuel.okafor');
    try {
      expect(await refusal(asha, HubMethod.ListConversations, {})).toBe('device_required');
      const request = newDeviceRequest({ deviceName: 'WARD3B-PC02' });
      const { device, created } = await register(asha, ashaId, request);
      expect(created).toBe(true);
      expect(device).toMatchObject({
        ...request,
        userId: ashaId,
        revoked: false,
        revokedAt: null,
      });
      expect((await call(asha, HubMethod.Hello, {})).deviceId).toBe(request.deviceId);
      await call(asha, HubMethod.ListConversations, {});

      // Identical re-registration is idempotent; other keys (proved) or another name under the same id conflict.
      expect((await register(asha, ashaId, request)).created).toBe(false);
      const rekeyed = newDeviceRequest({ deviceId: request.deviceId, createdAt: request.createdAt });
      expect(await refusal(asha, HubMethod.RegisterDevice, await registration(asha, ashaId, rekeyed))).toBe(
        'conflict',
      );
      const renamed = { ...request, deviceName: 'WARD3B-PC03' };
      expect(await refusal(asha, HubMethod.RegisterDevice, await registration(asha, ashaId, renamed))).toBe(
        'conflict',
      );
      // Someone else's device id cannot be taken over or bound, even with a proof by its own key.
      expect(
        await refusal(samuel, HubMethod.RegisterDevice, await registration(samuel, samuelId, request)),
      ).toBe('conflict');
      expect(await refusal(samuel, HubMethod.Hello, { deviceId: request.deviceId })).toBe('forbidden');
      expect(await refusal(samuel, HubMethod.Hello, { deviceId: 'dev-never-registered' })).toBe('not_found');

      const { devices } = await call(samuel, HubMethod.ListDevices, { userIds: [ashaId] });
      expect(devices.map((d) => d.deviceId)).toContain(request.deviceId);
      expect(devices.find((d) => d.deviceId === request.deviceId)).toMatchObject({
        signingPublicKey: request.signingPublicKey,
        selfSignature: request.selfSignature,
        createdAt: request.createdAt,
        deviceName: 'WARD3B-PC02',
      });
      // A device registered without a name (a version 1 entry, on its own connection) is listed with none.
      const older = await connect(stack.hub.url, await stack.token('dr.asha.rao'));
      const unnamed = newDeviceRequest();
      expect((await register(older, ashaId, unnamed)).device.deviceName).toBeNull();
      await older.stop();
      const again = await call(samuel, HubMethod.ListDevices, { userIds: [ashaId] });
      expect(again.devices.find((d) => d.deviceId === unnamed.deviceId)?.deviceName).toBeNull();
    } finally {
      await Promise.all([asha.stop(), samuel.stop()]);
    }
  });

  it('refuses a registration without a valid proof of possession, and stores nothing', async () => {
    const lena = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
    const other = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
    const lenaId = userId(stack, 'dr.lena.fischer');
    const listed = async () =>
      (await call(other, HubMethod.ListDevices, { userIds: [lenaId] })).devices.map((d) => d.deviceId);
    try {
      const request = newDeviceRequest({ deviceName: 'OPD-DESK-4' });
      const before = await listed();
      const proved = await registration(lena, lenaId, request);
      const { nonce, proof } = proved;
      // No challenge at all, or a nonce the hub never issued: refused.
      const fresh = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
      expect(await refusal(fresh, HubMethod.RegisterDevice, proved)).toBe('invalid_proof');
      await fresh.stop();
      expect(await refusal(lena, HubMethod.RegisterDevice, { ...proved, nonce: b64(32) })).toBe(
        'invalid_proof',
      );
      // The challenge was used by that attempt: the right proof for it no longer registers (single use).
      expect(await refusal(lena, HubMethod.RegisterDevice, { ...request, nonce, proof })).toBe(
        'invalid_proof',
      );
      // A proof by another key (the caller does not hold the entry's key), or for another device id or user.
      const stranger = await registration(lena, lenaId, { ...request, signingPublicKey: b64(32) });
      expect(await refusal(lena, HubMethod.RegisterDevice, stranger)).toBe('invalid_proof');
      const forOtherId = await registration(lena, lenaId, { ...request, deviceId: `dev-${Date.now()}` });
      expect(
        await refusal(lena, HubMethod.RegisterDevice, { ...forOtherId, deviceId: request.deviceId }),
      ).toBe('invalid_proof');
      const asAnotherUser = await registration(lena, userId(stack, 'dr.asha.rao'), request);
      expect(await refusal(lena, HubMethod.RegisterDevice, asAnotherUser)).toBe('invalid_proof');
      // Malformed fields are invalid before any proof is looked at; a bad device name too.
      expect(await refusal(lena, HubMethod.RegisterDevice, { ...proved, proof: 'not base64!' })).toBe(
        'invalid',
      );
      expect(await refusal(lena, HubMethod.RegisterDevice, { ...proved, deviceName: '<script>' })).toBe(
        'invalid',
      );
      expect(await refusal(lena, HubMethod.RegisterDevice, { ...request })).toBe('invalid');
      // Nothing was stored or bound by any of it.
      expect(await listed()).toEqual(before);
      expect(await refusal(lena, HubMethod.ListConversations, {})).toBe('device_required');
      // With a fresh challenge and the device's own key, it registers.
      expect((await register(lena, lenaId, request)).device).toMatchObject({ deviceName: 'OPD-DESK-4' });
      expect(await listed()).toContain(request.deviceId);
    } finally {
      await Promise.all([lena.stop(), other.stop()]);
    }
  });

  it('binds a later connection with Hello({ deviceId })', async () => {
    const first = await deviceSession(stack, 'dr.lena.fischer');
    await first.connection.stop();
    const again = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
    try {
      const hello = await call(again, HubMethod.Hello, { deviceId: first.deviceId });
      expect(hello.deviceId).toBe(first.deviceId);
      expect(hello.userId).toBe(first.userId);
      expect(await refusal(again, HubMethod.Hello, { deviceId: newDeviceRequest().deviceId })).toBe(
        'not_found',
      );
    } finally {
      await again.stop();
    }
  });

  it('searches staff by name, role and department, and gets users by id', async () => {
    const c = await connect(stack.hub.url, await stack.token('opd.meera.nair'));
    try {
      const byRole = await call(c, HubMethod.SearchUsers, { query: 'clinician' });
      expect(byRole.users.map((u) => u.username).sort()).toEqual([
        'dr.asha.rao',
        'dr.lena.fischer',
        'dr.samuel.okafor',
      ]);
      const byDept = await call(c, HubMethod.SearchUsers, { query: 'cardio' });
      expect(byDept.users.map((u) => u.username)).toEqual(['dr.asha.rao']);
      const byName = await call(c, HubMethod.SearchUsers, { query: 'Samuel emergency' });
      expect(byName.users.map((u) => u.displayName)).toEqual(['Dr Samuel Okafor']);
      expect((await call(c, HubMethod.SearchUsers, { query: 'nobody-like-this' })).users).toEqual([]);
      expect((await call(c, HubMethod.SearchUsers, {})).users).toHaveLength(stack.idp.users.length);

      const ids = [userId(stack, 'dr.asha.rao'), 'unknown-user'];
      const { users } = await call(c, HubMethod.GetUsers, { userIds: ids });
      expect(users).toEqual([
        {
          id: ids[0],
          username: 'dr.asha.rao',
          displayName: 'Dr Asha Rao',
          roles: ['clinician'],
          department: 'Cardiology',
        },
      ]);
    } finally {
      await c.stop();
    }
  });

  it('revokes a device: the device is told, its later calls are refused, peers see the directory change', async () => {
    const phone = await deviceSession(stack, 'dr.samuel.okafor');
    const desk = await deviceSession(stack, 'dr.samuel.okafor');
    const meera = await deviceSession(stack, 'opd.meera.nair');
    try {
      const { conversation } = await call(meera.connection, HubMethod.CreateConversation, {
        kind: 'direct',
        memberIds: [phone.userId],
      });
      // Only the owner may revoke.
      expect(await refusal(meera.connection, HubMethod.RevokeDevice, { deviceId: phone.deviceId })).toBe(
        'forbidden',
      );
      expect(await refusal(desk.connection, HubMethod.RevokeDevice, { deviceId: 'dev-unknown' })).toBe(
        'not_found',
      );

      const told = nextEvent(phone.connection, HubEvent.DeviceRevoked);
      const peerSaw = nextEvent(meera.connection, HubEvent.DirectoryChanged, (e) => e.change === 'revoked');
      const { device } = await call(desk.connection, HubMethod.RevokeDevice, { deviceId: phone.deviceId });
      expect(device).toMatchObject({ deviceId: phone.deviceId, revoked: true });
      expect(device.revokedAt).not.toBeNull();
      expect(await told).toEqual({
        deviceId: phone.deviceId,
        userId: phone.userId,
        revokedAt: device.revokedAt,
      });
      expect(await peerSaw).toMatchObject({ userId: phone.userId, deviceId: phone.deviceId });

      // Every later call from the revoked device is refused; its other device carries on.
      expect(await refusal(phone.connection, HubMethod.Sync, {})).toBe('device_revoked');
      expect(await refusal(phone.connection, HubMethod.Hello, {})).toBe('device_revoked');
      expect(
        await refusal(phone.connection, HubMethod.Send, {
          envelopeId: crypto.randomUUID(),
          conversationId: conversation.conversationId,
          senderDeviceId: phone.deviceId,
          payload: b64(16),
        }),
      ).toBe('device_revoked');
      await call(desk.connection, HubMethod.Sync, {});

      // A new connection cannot bind or re-register the revoked device.
      const again = await connect(stack.hub.url, await stack.token('dr.samuel.okafor'));
      try {
        expect(await refusal(again, HubMethod.Hello, { deviceId: phone.deviceId })).toBe('device_revoked');
      } finally {
        await again.stop();
      }
      const listed = await call(meera.connection, HubMethod.ListDevices, { userIds: [phone.userId] });
      expect(listed.devices.find((d) => d.deviceId === phone.deviceId)).toMatchObject({
        revoked: true,
        revokedAt: device.revokedAt,
      });
      expect(listed.devices.find((d) => d.deviceId === desk.deviceId)).toMatchObject({ revoked: false });

      // Revoking again changes nothing.
      expect(
        (await call(desk.connection, HubMethod.RevokeDevice, { deviceId: phone.deviceId })).device,
      ).toEqual(device);
    } finally {
      await Promise.all([phone.connection.stop(), desk.connection.stop(), meera.connection.stop()]);
    }
  });

  it('announces a newly registered device to people who share a conversation', async () => {
    const asha = await deviceSession(stack, 'dr.asha.rao');
    const lena = await deviceSession(stack, 'dr.lena.fischer');
    try {
      await call(asha.connection, HubMethod.CreateConversation, { kind: 'direct', memberIds: [lena.userId] });
      const seen = nextEvent(asha.connection, HubEvent.DirectoryChanged, (e) => e.change === 'registered');
      const extra = await deviceSession(stack, 'dr.lena.fischer');
      expect(await seen).toMatchObject({ userId: lena.userId, deviceId: extra.deviceId });
      await extra.connection.stop();
    } finally {
      await Promise.all([asha.connection.stop(), lena.connection.stop()]);
    }
  });
});
