// The hub client against the real reference hub and IdP: typed, validated calls; typed refusals; surviving
// a hub killed with SIGKILL and a hub that is down when the app starts, with the device bound again.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/main/core/errors';
import { HubCallError, type ConnectedInfo, type HubClient } from '../../../src/main/core/hub';
import { HUB_PROTOCOL_VERSION, HubEvent, HubMethod, type Envelope } from '../../../src/shared/hub-protocol';
import {
  b64,
  newDeviceRequest,
  registration,
  startStack,
  userId,
  withProof,
  type Stack,
} from '../../stack/hub/hub-test-kit';
import { testClient, waitFor, type TestClient } from './helpers';

async function refusedWith(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('the call succeeded but should have failed');
}

describe('hub client (real hub, real IdP)', () => {
  let stack: Stack;
  const clients: HubClient[] = [];
  const open = (username: string): TestClient => {
    const t = testClient(stack, username);
    clients.push(t.client);
    return t;
  };
  /** A connected client for the user with a freshly registered device bound. */
  const deviceClient = async (username: string) => {
    const t = open(username);
    await t.client.start();
    const request = newDeviceRequest();
    await t.client.call(
      HubMethod.RegisterDevice,
      await registration(t.client, userId(stack, username), request),
    );
    await t.client.bindDevice(request.deviceId);
    return { ...t, deviceId: request.deviceId };
  };

  beforeAll(async () => {
    stack = await startStack();
  }, 180_000);
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
  });
  afterAll(async () => stack?.close());

  it('connects with a real token, binds the device with Hello, and returns validated results', async () => {
    const asha = open('dr.asha.rao');
    expect(asha.client.state()).toBe('offline');
    await asha.client.start();
    expect(asha.client.state()).toBe('connected');
    expect(asha.published).toEqual(['connecting', 'connected']);
    expect(asha.tokenRequests()).toBeGreaterThanOrEqual(1);
    expect(asha.client.hello()).toMatchObject({
      protocolVersion: HUB_PROTOCOL_VERSION,
      userId: userId(stack, 'dr.asha.rao'),
    });

    // Before a device is bound, device calls are refused with a typed error.
    const required = await refusedWith(asha.client.call(HubMethod.ListConversations, {}));
    expect(required).toBeInstanceOf(HubCallError);
    expect((required as HubCallError).hubCode).toBe('device_required');

    const request = newDeviceRequest();
    const registered = await asha.client.call(
      HubMethod.RegisterDevice,
      await registration(asha.client, userId(stack, 'dr.asha.rao'), request),
    );
    expect(registered).toMatchObject({
      created: true,
      device: { deviceId: request.deviceId, revoked: false },
    });
    const hello = await asha.client.bindDevice(request.deviceId);
    expect(hello?.deviceId).toBe(request.deviceId);
    expect(asha.client.boundDeviceId()).toBe(request.deviceId);

    const { users } = await asha.client.call(HubMethod.SearchUsers, { query: 'okafor' });
    expect(users.map((u) => u.username)).toEqual(['dr.samuel.okafor']);
    const { conversation, created } = await asha.client.call(HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [userId(stack, 'dr.samuel.okafor')],
    });
    expect(created).toBe(true);
    const sent = await asha.client.call(HubMethod.Send, {
      envelopeId: randomUUID(),
      conversationId: conversation.conversationId,
      senderDeviceId: request.deviceId,
      payload: b64(64),
    });
    expect(sent).toMatchObject({ conversationId: conversation.conversationId, seq: 1, duplicate: false });
    expect(asha.violations).toEqual([]);
  });

  it('a hub refusal arrives as HubCallError with its code; nothing reaches the hub while offline', async () => {
    const samuel = await deviceClient('dr.samuel.okafor');
    const meera = await deviceClient('opd.meera.nair');
    const { conversation } = await samuel.client.call(HubMethod.CreateConversation, {
      kind: 'group',
      conversationId: randomUUID(),
      memberIds: [userId(stack, 'dr.lena.fischer')],
    });
    // Meera is not a member of Samuel's group.
    const refused = await refusedWith(
      meera.client.call(HubMethod.Send, {
        envelopeId: randomUUID(),
        conversationId: conversation.conversationId,
        senderDeviceId: meera.deviceId,
        payload: b64(32),
      }),
    );
    expect(refused).toBeInstanceOf(HubCallError);
    expect(refused).toMatchObject({ code: 'hub_refused', hubCode: 'forbidden', method: 'Send' });
    // The refusal left the connection usable.
    expect((await meera.client.call(HubMethod.ListConversations, {})).conversations).toEqual([]);
    const invalid = await refusedWith(meera.client.call(HubMethod.GetUsers, { userIds: ['bad id!'] }));
    expect((invalid as HubCallError).hubCode).toBe('invalid');

    await meera.client.stop();
    expect(meera.client.state()).toBe('offline');
    expect((await refusedWith(meera.client.call(HubMethod.ListConversations, {}))).code).toBe(
      'hub_unreachable',
    );
    // No token, no payload in the logs.
    const token = await stack.token('opd.meera.nair');
    expect(meera.logs.text()).not.toContain(token.slice(0, 40));
    expect(meera.logs.text()).not.toContain('eyJ');
  });

  it('after kill -9 and restart it reconnects by itself, binds the device again and runs onConnected', async () => {
    const asha = await deviceClient('dr.asha.rao');
    const lena = await deviceClient('dr.lena.fischer');
    const { conversation } = await lena.client.call(HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [userId(stack, 'dr.asha.rao')],
    });
    const connected: ConnectedInfo[] = [];
    asha.client.onConnected((info) => void connected.push(info));
    const envelopes: Envelope[] = [];
    asha.client.on(HubEvent.Envelope, (e) => void envelopes.push(e));
    const tokensBefore = asha.tokenRequests();
    const published = asha.published.length;

    await stack.hub.kill('SIGKILL');
    await waitFor('asha reconnecting', () => asha.client.state() === 'reconnecting');
    expect(asha.published.slice(published)).toContain('reconnecting');
    expect((await refusedWith(asha.client.call(HubMethod.ListConversations, {}))).code).toBe(
      'hub_unreachable',
    );

    await stack.hub.restart();
    // No call from the test: the client gets back on its own.
    await waitFor('asha connected again', () => asha.client.state() === 'connected');
    await waitFor('onConnected ran', () => connected.length >= 1);
    expect(connected[0]).toMatchObject({ reconnected: true, hello: { deviceId: asha.deviceId } });
    expect(asha.published.slice(published)).toEqual(['reconnecting', 'connected']);
    expect(asha.tokenRequests()).toBeGreaterThan(tokensBefore);

    // The device session is back: device-only calls work, and events reach the device again.
    expect((await asha.client.call(HubMethod.Hello, {})).deviceId).toBe(asha.deviceId);
    const listed = await asha.client.call(HubMethod.ListConversations, {});
    expect(listed.conversations.map((c) => c.conversationId)).toContain(conversation.conversationId);
    await waitFor('lena connected again', () => lena.client.state() === 'connected');
    const envelopeId = randomUUID();
    await lena.client.call(HubMethod.Send, {
      envelopeId,
      conversationId: conversation.conversationId,
      senderDeviceId: lena.deviceId,
      payload: b64(48),
    });
    await waitFor('the envelope event', () => envelopes.some((e) => e.envelopeId === envelopeId));
    expect(asha.violations).toEqual([]);
  });

  it('a connect step cut short by the connection dropping is not logged as a failure; a broken step is', async () => {
    const asha = await deviceClient('dr.asha.rao');
    let round = 0;
    asha.client.onConnected(() => {
      if (round === 1) throw new Error('a step with a bug');
    });
    asha.client.onConnected(async () => {
      if (round++ !== 1) return;
      // The hub goes away in the middle of the step: the call fails as unreachable.
      await stack.hub.kill('SIGKILL');
      await asha.client.call(HubMethod.ListConversations, {});
    });
    await stack.hub.kill('SIGKILL');
    await waitFor('asha reconnecting', () => asha.client.state() === 'reconnecting');
    round = 1;
    await stack.hub.restart();
    await waitFor('the step cut short', () => round === 2 && asha.client.state() !== 'connected');
    await stack.hub.restart();
    await waitFor('asha connected again', () => asha.client.state() === 'connected');
    const lines = asha.logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string });
    expect(lines.filter((l) => l.level >= 50).map((l) => `${l.msg} ${l.code}`)).toEqual([
      'onConnected handler failed Error',
    ]);
    expect(lines.filter((l) => l.msg.includes('cut short')).map((l) => l.code)).toEqual(['hub_unreachable']);
  });

  it('keeps trying while the hub is down at start, and connects once it comes up', async () => {
    await stack.hub.kill('SIGKILL');
    const samuel = open('dr.samuel.okafor');
    const request = newDeviceRequest();
    let started = false;
    const starting = samuel.client.start().then(() => (started = true));
    // bindDevice before the first connection: remembered, bound on connect.
    const samuelId = userId(stack, 'dr.samuel.okafor');
    expect(
      await samuel.client.bindDevice(request.deviceId, {
        registration: (nonce) => withProof(samuelId, request, nonce),
      }),
    ).toBeNull();
    await waitFor(
      'several failed attempts',
      () => samuel.logs.lines.filter((l) => l.includes('hub connect failed')).length >= 3,
    );
    expect(started).toBe(false);
    expect(samuel.client.state()).toBe('connecting');
    expect(samuel.published).toEqual(['connecting']);

    await stack.hub.restart();
    await starting;
    expect(samuel.client.state()).toBe('connected');
    expect(samuel.published).toEqual(['connecting', 'connected']);
    // The device was unknown to the hub: it was registered from its entry and bound.
    expect(samuel.client.hello()?.deviceId).toBe(request.deviceId);
    const { devices } = await samuel.client.call(HubMethod.ListDevices, {
      userIds: [userId(stack, 'dr.samuel.okafor')],
    });
    expect(devices.map((d) => d.deviceId)).toContain(request.deviceId);
  });

  it('stop() during the retry loop ends it and start() resolves', async () => {
    await stack.hub.kill('SIGKILL');
    const lena = open('dr.lena.fischer');
    const starting = lena.client.start();
    await waitFor('a failed attempt', () => lena.logs.lines.some((l) => l.includes('hub connect failed')));
    await lena.client.stop();
    await starting;
    expect(lena.client.state()).toBe('offline');
    const attempts = lena.logs.lines.filter((l) => l.includes('hub connect failed')).length;
    await stack.hub.restart();
    await new Promise((r) => setTimeout(r, 300));
    expect(lena.client.state()).toBe('offline');
    expect(lena.logs.lines.filter((l) => l.includes('hub connect failed')).length).toBe(attempts);
  });
});
