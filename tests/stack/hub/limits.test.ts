// Limits and bad input: oversized and malformed calls get typed errors, a flood is rate limited, and none
// of it crashes the hub or disturbs another connection.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubEvent, HubMethod, parseHubError } from '../../../src/shared/hub-protocol';
import {
  b64,
  call,
  connect,
  deviceSession,
  nextEvent,
  refusal,
  startStack,
  type Stack,
} from './hub-test-kit';
import { startHub, type RunningHub } from './index';

const LIMIT = 64 * 1024;

describe('hub limits and malformed calls', () => {
  let stack: Stack;
  let asha: Awaited<ReturnType<typeof deviceSession>>;
  let samuel: Awaited<ReturnType<typeof deviceSession>>;
  let conversationId: string;

  beforeAll(async () => {
    stack = await startStack({ maxEnvelopeBytes: LIMIT });
    asha = await deviceSession(stack, 'dr.asha.rao');
    samuel = await deviceSession(stack, 'dr.samuel.okafor');
    conversationId = (
      await call(asha.connection, HubMethod.CreateConversation, {
        kind: 'direct',
        memberIds: [samuel.userId],
      })
    ).conversation.conversationId;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([asha?.connection.stop(), samuel?.connection.stop()]);
    await stack?.close();
  });

  const send = (payload: string, envelopeId = randomUUID()) =>
    ({ envelopeId, conversationId, senderDeviceId: asha.deviceId, payload }) as const;

  /** Samuel's connection still gets a fresh envelope from Asha, live and in sync. */
  async function othersUndisturbed(): Promise<void> {
    const request = send(b64(32));
    const live = nextEvent(samuel.connection, HubEvent.Envelope, (e) => e.envelopeId === request.envelopeId);
    const sent = await call(asha.connection, HubMethod.Send, request);
    expect((await live).seq).toBe(sent.seq);
    const synced = await call(samuel.connection, HubMethod.Sync, {
      cursors: [{ conversationId, afterSeq: sent.seq - 1 }],
    });
    expect(synced.envelopes.map((e) => e.envelopeId)).toEqual([request.envelopeId]);
  }

  it('accepts an envelope at the size limit and refuses one byte more with too_large', async () => {
    expect((await call(asha.connection, HubMethod.Hello, {})).limits.maxEnvelopeBytes).toBe(LIMIT);
    await call(asha.connection, HubMethod.Send, send(b64(LIMIT)));
    const err = await asha.connection.invoke(HubMethod.Send, send(b64(LIMIT + 1))).catch((e: unknown) => e);
    expect(parseHubError(err)).toMatchObject({
      code: 'too_large',
      message: expect.stringContaining(String(LIMIT)),
    });
    expect(await refusal(asha.connection, HubMethod.Send, send(b64(3 * LIMIT)))).toBe('too_large');
    await othersUndisturbed();
  });

  it('refuses malformed calls with invalid, and the caller and others carry on', async () => {
    const c = asha.connection;
    const good = send(b64(16));
    const bad: [string, unknown][] = [
      [HubMethod.Send, 42],
      [HubMethod.Send, null],
      [HubMethod.Send, 'text'],
      [HubMethod.Send, {}],
      [HubMethod.Send, { ...good, envelopeId: 'not-a-uuid' }],
      [HubMethod.Send, { ...good, payload: 'not base64!' }],
      [HubMethod.Send, { ...good, payload: 'QUJD*' }],
      [HubMethod.Send, { ...good, payload: 1234 }],
      [HubMethod.Send, { ...good, conversationId: '../../etc/passwd' }],
      [HubMethod.Send, { ...good, senderDeviceId: ['x'] }],
      [HubMethod.Sync, { cursors: 'all' }],
      [HubMethod.Sync, { cursors: [{ conversationId, afterSeq: -1 }] }],
      [HubMethod.Sync, { limit: 0 }],
      [HubMethod.Sync, { limit: 'ten' }],
      [HubMethod.SendReceipt, { conversationId, seq: 1, kind: 'seen' }],
      [HubMethod.SendReceipt, { conversationId, seq: 1.5, kind: 'read' }],
      [HubMethod.ListDevices, { userIds: [1, 2] }],
      [HubMethod.CreateConversation, { kind: 'channel', memberIds: [] }],
      [HubMethod.Typing, { conversationId, typing: 'yes' }],
      [
        HubMethod.RegisterDevice,
        {
          deviceId: 'd',
          signingPublicKey: 'AA==',
          encryptionPublicKey: 'AA==',
          selfSignature: 'AA==',
          createdAt: 'yesterday',
        },
      ],
      [HubMethod.Hello, []],
    ];
    for (const [method, arg] of bad) {
      expect({ method, arg, code: await refusal(c, method, arg) }).toEqual({ method, arg, code: 'invalid' });
    }
    // A call SignalR cannot bind (wrong argument count) fails untyped but harmlessly.
    await expect(c.invoke(HubMethod.Send)).rejects.toThrow();
    expect((await call(c, HubMethod.Send, good)).duplicate).toBe(false);
    await othersUndisturbed();
  });

  it('closes only the offending connection when a message passes the transport limit', async () => {
    const hello = await call(asha.connection, HubMethod.Hello, {});
    const intruder = await deviceSession(stack, 'dr.asha.rao');
    const closed = new Promise<Error | undefined>((resolve) => intruder.connection.onclose(resolve));
    const huge = b64(hello.limits.maxReceiveMessageBytes);
    const attempt = intruder.connection
      .invoke(HubMethod.Send, {
        envelopeId: randomUUID(),
        conversationId,
        senderDeviceId: intruder.deviceId,
        payload: huge,
      })
      .catch((e: unknown) => e);
    expect(await attempt).toBeInstanceOf(Error);
    await closed;
    await othersUndisturbed();
  });

  describe('with a low call rate', () => {
    let hub: RunningHub;
    beforeAll(async () => {
      hub = await startHub({
        dataDir: join(stack.dataDir, 'hub-slow'),
        tls: stack.tls,
        issuer: stack.idp.issuer,
        audience: stack.idp.hubAudience,
        directory: stack.idp.users,
        callsPerSecond: 5,
        callBurst: 20,
      });
    }, 120_000);
    afterAll(async () => hub?.close());

    it('refuses a flood with rate_limited and leaves other connections alone', async () => {
      const flooder = await connect(hub.url, await stack.token('dr.samuel.okafor'));
      const calm = await connect(hub.url, await stack.token('opd.meera.nair'));
      try {
        const outcomes = await Promise.all(
          Array.from({ length: 100 }, () =>
            flooder.invoke(HubMethod.Hello, {}).then(() => null, parseHubError),
          ),
        );
        const limited = outcomes.filter((o) => o?.code === 'rate_limited');
        expect(outcomes.filter((o) => o === null).length).toBeGreaterThanOrEqual(20);
        expect(limited.length).toBeGreaterThan(0);
        expect(limited.length + outcomes.filter((o) => o === null).length).toBe(100);
        const retryAfterMs = limited[0]!.retryAfterMs!;
        expect(retryAfterMs).toBeGreaterThan(0);

        expect((await call(calm, HubMethod.Hello, {})).userId).toBeTruthy();
        await new Promise((r) => setTimeout(r, retryAfterMs + 250));
        expect((await call(flooder, HubMethod.Hello, {})).userId).toBeTruthy();
      } finally {
        await Promise.all([flooder.stop(), calm.stop()]);
      }
    });
  });
});
