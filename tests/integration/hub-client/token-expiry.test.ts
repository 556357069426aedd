// A connection whose access token expires is closed by the hub (docs/hub-protocol.md, Authentication): the
// client must come back on its own with a fresh token and its device bound, every time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectedInfo } from '../../../src/main/core/hub';
import { HubMethod } from '../../../src/shared/hub-protocol';
import { newDeviceRequest, registration, startStack, userId, type Stack } from '../../stack/hub/hub-test-kit';
import { testClient, waitFor } from './helpers';

describe('hub client with short-lived tokens', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clockSkewSeconds: 0 }, { accessTokenTtlSeconds: 3 });
  }, 180_000);
  afterAll(async () => stack?.close());

  it('reconnects with a fresh token each time the hub closes the expired session', async () => {
    const t = testClient(stack, 'dr.asha.rao');
    const connected: ConnectedInfo[] = [];
    t.client.onConnected((info) => void connected.push(info));
    try {
      await t.client.start();
      const request = newDeviceRequest();
      await t.client.call(
        HubMethod.RegisterDevice,
        await registration(t.client, userId(stack, 'dr.asha.rao'), request),
      );
      await t.client.bindDevice(request.deviceId);

      // Two expiries in a row: the session is closed and comes back, bound, each time.
      await waitFor('two reconnects after token expiry', () => connected.length >= 3, 60_000);
      expect(connected.slice(1).every((c) => c.reconnected && c.hello.deviceId === request.deviceId)).toBe(
        true,
      );
      expect(t.tokenRequests()).toBeGreaterThanOrEqual(3);
      expect(t.published.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(2);
      await waitFor('connected', () => t.client.state() === 'connected');
      expect((await t.client.call(HubMethod.Hello, {})).deviceId).toBe(request.deviceId);
    } finally {
      await t.client.stop();
    }
  });
});
