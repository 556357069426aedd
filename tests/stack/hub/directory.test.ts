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
    try {
      expect(await refusal(asha, HubMethod.ListConversations, {})).toBe('device_required');
      const request = newDeviceRequest();
      const { device, created } = await call(asha, HubMethod.RegisterDevice, request);
      expect(created).toBe(true);
      expect(device).toMatchObject({
        ...request,
        userId: userId(stack, 'dr.asha.rao'),
        revoked: false,
        revokedAt: null,
      });
      expect((await call(asha, HubMethod.Hello, {})).deviceId).toBe(request.deviceId);
      await call(asha, HubMethod.ListConversations, {});

      // Identical re-registration is idempotent; other keys under the same id are a conflict.
      expect((await call(asha, HubMethod.RegisterDevice, request)).created).toBe(false);
      expect(await refusal(asha, HubMethod.RegisterDevice, { ...request, signingPublicKey: b64(32) })).toBe(
        'conflict',
      );
      // Someone else's device id cannot be taken over or bound.
      expect(await refusal(samuel, HubMethod.RegisterDevice, request)).toBe('conflict');
      expect(await refusal(samuel, HubMethod.Hello, { deviceId: request.deviceId })).toBe('forbidden');
      expect(await refusal(samuel, HubMethod.Hello, { deviceId: 'dev-never-registered' })).toBe('not_found');

      const { devices } = await call(samuel, HubMethod.ListDevices, {
        userIds: [userId(stack, 'dr.asha.rao')],
      });
      expect(devices.map((d) => d.deviceId)).toContain(request.deviceId);
      expect(devices.find((d) => d.deviceId === request.deviceId)).toMatchObject({
        signingPublicKey: request.signingPublicKey,
        selfSignature: request.selfSignature,
        createdAt: request.createdAt,
      });
    } finally {
      await Promise.all([asha.stop(), samuel.stop()]);
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
