// A hub killed with SIGKILL in the middle of a 5,000-envelope send loop loses and duplicates nothing: it
// commits before it acknowledges, and the client resends every unacknowledged envelope with the same id
// after reconnecting (Send is idempotent on envelopeId).
import { randomBytes, randomUUID } from 'node:crypto';
import type { HubConnection } from '@microsoft/signalr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubMethod, type Envelope } from '../../../src/shared/hub-protocol';
import { call, connect, deviceSession, startStack, userId, type Stack } from './hub-test-kit';

const TOTAL = 5_000;
const IN_FLIGHT = 8;
const KILL_AFTER_ACKS = [1_700, 3_400];

describe('hub durability', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 180_000);
  afterAll(async () => stack?.close());

  it('keeps exactly 5,000 envelopes through kill -9 and restart mid-loop', { timeout: 600_000 }, async () => {
    const sender = await deviceSession(stack, 'dr.asha.rao');
    const { conversation } = await call(sender.connection, HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [userId(stack, 'dr.samuel.okafor')],
    });
    const conversationId = conversation.conversationId;
    const envelopes = Array.from({ length: TOTAL }, () => ({
      envelopeId: randomUUID(),
      payload: randomBytes(96).toString('base64'),
    }));

    const acked = new Map<string, number>(); // envelopeId -> seq
    const retry: number[] = [];
    let nextIndex = 0;
    let kills = 0;
    let resends = 0;
    let duplicates = 0;
    let connection: HubConnection = sender.connection;

    const take = (): number | undefined => retry.shift() ?? (nextIndex < TOTAL ? nextIndex++ : undefined);
    const killDue = () => kills < KILL_AFTER_ACKS.length && acked.size >= KILL_AFTER_ACKS[kills]!;

    while (acked.size < TOTAL) {
      let killing: Promise<void> | undefined;
      const worker = async () => {
        for (let i = take(); i !== undefined; i = take()) {
          const e = envelopes[i]!;
          try {
            const r = await call(connection, HubMethod.Send, {
              envelopeId: e.envelopeId,
              conversationId,
              senderDeviceId: sender.deviceId,
              payload: e.payload,
            });
            if (r.duplicate) duplicates++;
            expect(acked.has(e.envelopeId)).toBe(false);
            acked.set(e.envelopeId, r.seq);
          } catch (err) {
            retry.push(i); // no answer: resend later with the same id
            if (!killing) throw err;
            return;
          }
          if (killDue() && !killing) {
            killing = stack.hub.kill('SIGKILL'); // other sends are in flight right now
            await killing;
            return;
          }
        }
      };
      const results = await Promise.allSettled(Array.from({ length: IN_FLIGHT }, worker));
      if (killing) {
        kills++;
        resends += retry.length;
        await stack.hub.restart();
        connection = await connect(stack.hub.url, await stack.token('dr.asha.rao'));
        const hello = await call(connection, HubMethod.Hello, { deviceId: sender.deviceId });
        expect(hello.deviceId).toBe(sender.deviceId);
      } else {
        const failure = results.find((r) => r.status === 'rejected');
        if (failure) throw failure.reason;
      }
    }

    // Every acknowledged envelope has its own seq, and together they are exactly 1..5000.
    const seqs = [...acked.values()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));

    // What the hub stored, read back through Sync from a fresh connection of the recipient.
    const reader = await deviceSession(stack, 'dr.samuel.okafor');
    const stored: Envelope[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await call(reader.connection, HubMethod.Sync, {
        cursors: [{ conversationId, afterSeq }],
        limit: 1000,
      });
      stored.push(...page.envelopes);
      if (page.envelopes.length) afterSeq = page.envelopes[page.envelopes.length - 1]!.seq;
      if (!page.more) break;
    }
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(new Set(stored.map((e) => e.envelopeId)).size).toBe(TOTAL);
    const byId = new Map<string, string>(envelopes.map((e) => [e.envelopeId, e.payload]));
    for (const e of stored) {
      expect(byId.get(e.envelopeId)).toBe(e.payload);
      expect(acked.get(e.envelopeId)).toBe(e.seq);
    }
    expect(kills).toBe(KILL_AFTER_ACKS.length);
    console.info(
      `durability: sent ${TOTAL} envelopes, ${kills} kill -9 restarts, ${resends} resent after reconnect ` +
        `(${duplicates} answered duplicate: stored before the crash but unacknowledged), found ${stored.length} ` +
        `distinct envelopes with seq 1..${TOTAL}`,
    );
    await Promise.all([connection.stop(), reader.connection.stop()]);
  });
});
