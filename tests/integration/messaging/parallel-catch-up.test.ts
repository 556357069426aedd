// A large catch-up page is opened on the worker pool (issue 17) with every check of the main-thread path: two
// colleagues come back to the same conversation on the real hub, one opening on worker threads and one on the
// main thread only, and both store the same rows with the same rejection reasons — a member removed mid-page
// whose later envelopes are 'not-member', and a tampered envelope 'bad-signature'.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { sealEnvelope } from '../../../src/main/core/envelope';
import type { LoadedDevice } from '../../../src/main/core/keys';
import { appendEnvelopes, userId } from '../../stack/hub/hub-test-kit';
import {
  caughtUp,
  conversationReached,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
  stepAway,
  deviceOf,
  sendText,
  messagePage,
} from '../../support/workstation';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let meera: Core;
let lena: Core;
const id = (username: string) => userId(ws.stack, username);

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, 'dr.asha.rao');
  samuel = await signedIn(ws, 'dr.samuel.okafor');
  meera = await signedIn(ws, 'opd.meera.nair', { parallelOpen: true });
  lena = await signedIn(ws, 'dr.lena.fischer', { parallelOpen: false });
}, 240_000);
afterAll(async () => ws?.close());

it(
  'opens a large catch-up page on the worker pool with the same rows and reasons as the main thread',
  { timeout: 300_000 },
  async () => {
    const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'group',
      memberIds: [id('dr.samuel.okafor'), id('opd.meera.nair'), id('dr.lena.fischer')],
    });
    for (const core of [samuel, meera, lena]) await conversationReached(core, conversationId);
    const [meeraDevice, lenaDevice, samuelDevice, ashaDevice] = await Promise.all([
      deviceOf(ws, meera),
      deviceOf(ws, lena),
      deviceOf(ws, samuel),
      deviceOf(ws, asha),
    ]);
    const meeraProfile = await stepAway(meera);
    const lenaProfile = await stepAway(lena);

    // While both are away: a page of messages, Samuel removed by Asha's signed entry half-way, more messages.
    const sent = async () => {
      for (const core of [asha, samuel])
        await eventually('the outbox is sent', async () => core.messaging()!.messages.outboxSize() === 0);
    };
    for (let i = 0; i < 40; i++) await sendText(i % 4 ? samuel : asha, conversationId, `before ${i}`);
    await sent();
    await must(asha, 'conversations.removeMember', { conversationId, userIds: [id('dr.samuel.okafor')] });
    for (let i = 0; i < 30; i++) await sendText(asha, conversationId, `after ${i}`);
    await sent();

    // Then, straight into the hub's store: Samuel writing after his removal (once also under another envelope
    // id than the one he signed), and a message of Asha's altered in transit.
    const recipients = [meeraDevice, lenaDevice].map((d) => ({
      userId: d.userId,
      deviceId: d.deviceId,
      encryptionPublicKey: d.encryptionPublicKey,
    }));
    const seal = (sender: LoadedDevice, text: string) =>
      sealEnvelope({
        sender,
        conversationId,
        prev: [],
        payload: { v: 1, kind: 'text', text, urgent: false, ackRequired: false, patient: null },
        recipients,
      });
    const afterRemoval = await seal(samuelDevice, 'still here');
    const replayed = await seal(samuelDevice, 'still here, again');
    const tampered = await seal(ashaDevice, 'ward round at 9');
    const altered = tampered.bytes.slice();
    altered[altered.length - 80]! ^= 0x01;
    const injected = await appendEnvelopes(ws.stack, conversationId, [
      { bytes: afterRemoval.bytes, envelopeId: afterRemoval.header.envelopeId, ...from(samuelDevice) },
      { bytes: replayed.bytes, envelopeId: randomUUID(), ...from(samuelDevice) },
      { bytes: altered, envelopeId: tampered.header.envelopeId, ...from(ashaDevice) },
    ]);
    const lastSeq = injected.at(-1)!;

    // Both come back and catch up from the hub: Meera on the pool, Lena on the main thread.
    await caughtUp(meera, meeraProfile, conversationId, lastSeq);
    await caughtUp(lena, lenaProfile, conversationId, lastSeq);
    const rows = async (core: Core) =>
      (await messagePage(core, conversationId)).map((m) => [
        m.seq,
        m.senderUserId,
        m.verdict,
        m.reason,
        m.text,
      ]);
    const pooled = await rows(meera);
    expect(pooled).toEqual(await rows(lena));
    expect(pooled.filter(([, , verdict]) => verdict === 'valid')).toHaveLength(70);
    const bySeq = new Map(pooled.map((r) => [r[0], r]));
    expect(injected.map((seq) => bySeq.get(seq)?.slice(2))).toEqual([
      ['quarantined', 'not-member', null],
      ['quarantined', 'not-member', null],
      ['quarantined', 'bad-signature', null],
    ]);
    // Meera's page went through the workers; Lena's engine never started one.
    expect(meera.messaging()!.pooledOpens).toBeGreaterThanOrEqual(64);
    expect(lena.messaging()!.pooledOpens).toBe(0);
  },
);

function from(device: LoadedDevice) {
  return { userId: device.userId, deviceId: device.deviceId };
}
