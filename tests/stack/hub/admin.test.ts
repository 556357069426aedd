// The hub's admin path for remote wipe (docs/hub-protocol.md, docs/remote-wipe.md): IT posts a signed
// revocation with the admin token; the hub revokes the device, pushes DeviceRevoked with the signature, and
// hands the signed revocation to the device when it reconnects (GetRevocation). The hub checks no signature.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../../src/main/core/crypto';
import { generateAdminKeyPair, signRevocation, verifyRevocation } from '../../../src/main/core/revocation';
import { HubEvent, HubMethod, Revocation } from '../../../src/shared/hub-protocol';
import {
  b64,
  call,
  connect,
  deviceSession,
  nextEvent,
  recordEvents,
  refusal,
  startStack,
  type Stack,
} from './hub-test-kit';

let stack: Stack;
let itKey: { publicKey: string; secretKey: Uint8Array };

beforeAll(async () => {
  stack = await startStack();
  const pair = await generateAdminKeyPair();
  itKey = { publicKey: pair.publicKey, secretKey: fromBase64(pair.secretKey, 64)! };
}, 180_000);
afterAll(async () => stack?.close());

function post(
  body: unknown,
  token: string | null = stack.hub.adminToken,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.hub.origin}/admin/revocations`,
      {
        method: 'POST',
        ca: readFileSync(stack.tls.caCertPath),
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        let answer = '';
        res.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(answer) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const signed = (userId: string, deviceId: string) =>
  signRevocation({ userId, deviceId, revokedAt: new Date().toISOString() }, itKey.secretKey);

describe('POST /admin/revocations', () => {
  it('refuses without the admin token, or with a user access token, and changes nothing', async () => {
    const device = await deviceSession(stack, 'dr.asha.rao');
    try {
      const revocation = await signed(device.userId, device.deviceId);
      expect(await post(revocation, null)).toMatchObject({ status: 401, json: { code: 'unauthenticated' } });
      expect(await post(revocation, 'x'.repeat(43))).toMatchObject({
        status: 401,
        json: { code: 'unauthenticated' },
      });
      expect(await post(revocation, await stack.token('dr.asha.rao'))).toMatchObject({ status: 401 });
      // The device still works.
      expect(await call(device.connection, HubMethod.ListConversations, {})).toEqual({ conversations: [] });
    } finally {
      await device.connection.stop();
    }
  });

  it('refuses malformed revocations and unknown devices with typed errors', async () => {
    const device = await deviceSession(stack, 'dr.asha.rao');
    try {
      const good = await signed(device.userId, device.deviceId);
      const cases: [unknown, number, string][] = [
        ['not json', 400, 'invalid'],
        [[good], 400, 'invalid'],
        [{ ...good, signature: b64(63) }, 400, 'invalid'],
        [{ ...good, signature: b64(2048) }, 413, 'too_large'],
        [{ ...good, revokedAt: 'yesterday' }, 400, 'invalid'],
        [{ ...good, deviceId: 'bad id' }, 400, 'invalid'],
        [{ ...good, userId: undefined }, 400, 'invalid'],
        [{ ...good, deviceId: 'no-such-device' }, 404, 'not_found'],
        // A device named under another user is as unknown as a missing one.
        [{ ...good, userId: 'someone-else' }, 404, 'not_found'],
        [JSON.stringify({ ...good, pad: 'x'.repeat(20_000) }), 413, 'too_large'],
      ];
      for (const [body, status, code] of cases) {
        expect(await post(body), JSON.stringify(body).slice(0, 80)).toMatchObject({ status, json: { code } });
      }
      expect(await call(device.connection, HubMethod.ListConversations, {})).toEqual({ conversations: [] });
    } finally {
      await device.connection.stop();
    }
  });

  it('revokes the device and pushes DeviceRevoked with the signature, which the device can verify', async () => {
    const device = await deviceSession(stack, 'dr.samuel.okafor');
    const peer = await deviceSession(stack, 'dr.samuel.okafor');
    try {
      const revocation = await signed(device.userId, device.deviceId);
      const pushed = nextEvent(device.connection, HubEvent.DeviceRevoked);
      const announced = nextEvent(
        peer.connection,
        HubEvent.DirectoryChanged,
        (e) => e.deviceId === device.deviceId,
      );
      const answer = await post(revocation);
      expect(answer).toMatchObject({
        status: 200,
        json: { created: true, revocation, device: { deviceId: device.deviceId, revoked: true } },
      });
      const event = await pushed;
      expect(event).toEqual({ ...revocation });
      expect(await announced).toMatchObject({ change: 'revoked' });
      const verdict = await verifyRevocation(
        {
          userId: event.userId,
          deviceId: event.deviceId,
          revokedAt: event.revokedAt,
          signature: event.signature,
        },
        { userId: device.userId, deviceId: device.deviceId },
        [itKey.publicKey],
      );
      expect(verdict.valid).toBe(true);
      expect(await refusal(device.connection, HubMethod.ListConversations, {})).toBe('device_revoked');
      // Posting the same revocation again changes nothing and pushes nothing.
      expect(await post(revocation)).toMatchObject({ status: 200, json: { created: false } });
    } finally {
      await device.connection.stop();
      await peer.connection.stop();
    }
  });

  it('a device revoked without a signature gets the signed revocation pushed when IT signs one later', async () => {
    const device = await deviceSession(stack, 'dr.asha.rao');
    try {
      const unsigned = nextEvent(device.connection, HubEvent.DeviceRevoked);
      await call(device.connection, HubMethod.RevokeDevice, { deviceId: device.deviceId });
      expect(await unsigned).not.toHaveProperty('signature');
      const events = recordEvents(device.connection, HubEvent.DeviceRevoked);
      const revocation = await signed(device.userId, device.deviceId);
      expect(await post(revocation)).toMatchObject({ status: 200, json: { created: true } });
      await expect.poll(() => events.length).toBe(1);
      expect(events[0]).toEqual({ ...revocation });
    } finally {
      await device.connection.stop();
    }
  });
});

describe('GetRevocation', () => {
  it('hands the signed revocation to the device that reconnects, before any device session, even after a restart', async () => {
    const device = await deviceSession(stack, 'dr.lena.fischer');
    await device.connection.stop();
    const revocation = await signed(device.userId, device.deviceId);
    expect(await post(revocation)).toMatchObject({ status: 200 });
    await stack.hub.restart();

    const again = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
    try {
      expect(await refusal(again, HubMethod.Hello, { deviceId: device.deviceId })).toBe('device_revoked');
      const answer = await call(again, HubMethod.GetRevocation, { deviceId: device.deviceId });
      expect(answer).toEqual({ revocation });
      expect(Revocation.parse(answer.revocation)).toEqual(revocation);
    } finally {
      await again.stop();
    }
  });

  it('answers null for a device revoked without a signature or not revoked; refuses other users’ devices', async () => {
    const asha = await deviceSession(stack, 'dr.asha.rao');
    const spare = await deviceSession(stack, 'dr.asha.rao');
    const meera = await deviceSession(stack, 'opd.meera.nair');
    try {
      expect(await call(asha.connection, HubMethod.GetRevocation, { deviceId: spare.deviceId })).toEqual({
        revocation: null,
      });
      await call(asha.connection, HubMethod.RevokeDevice, { deviceId: spare.deviceId });
      expect(await call(asha.connection, HubMethod.GetRevocation, { deviceId: spare.deviceId })).toEqual({
        revocation: null,
      });
      expect(await refusal(meera.connection, HubMethod.GetRevocation, { deviceId: asha.deviceId })).toBe(
        'forbidden',
      );
      expect(await refusal(meera.connection, HubMethod.GetRevocation, { deviceId: 'no-such-device' })).toBe(
        'not_found',
      );
      expect(await refusal(meera.connection, HubMethod.GetRevocation, {})).toBe('invalid');
    } finally {
      for (const s of [asha, spare, meera]) await s.connection.stop();
    }
  });
});
