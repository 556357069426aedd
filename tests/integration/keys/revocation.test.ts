// A workstation profile is stolen. Revoking it rotates the user's key, so nothing sent afterwards opens with
// what the thief holds; and after two rotations, what the hub kept from before them does not open either,
// while the doctor's own PC still shows its stored history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { MessageView } from '../../../src/shared/contract';
import { call, connect, userId } from '../../stack/hub/hub-test-kit';
import { eventually, must, signedIn, startWorkstation, type Workstation } from '../../support/workstation';
import { hubRecords, openableByThief, steal, stolenKeyring } from './thief';

let ws: Workstation;
let pc1: Core;
let samuel: Core;
let asha: string;
let conversationId: string;

const send = (core: Core, text: string) =>
  must(core, 'messages.send', { conversationId, text, urgent: false, ackRequired: false, patient: null });

async function validTexts(core: Core): Promise<string[]> {
  const page = await must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
  return page.filter((m) => m.verdict === 'valid').map((m) => m.text ?? '');
}

async function currentEpoch(user: string): Promise<number | null> {
  const hub = await connect(ws.stack.hub.url, await ws.stack.token('dr.samuel.okafor'));
  try {
    const { userKeys } = await call(hub, 'GetUserKeys', { userIds: [user] });
    return userKeys[0]?.epoch ?? null;
  } finally {
    await hub.stop();
  }
}

beforeAll(async () => {
  ws = await startWorkstation({ keyService: {} });
  asha = userId(ws.stack, 'dr.asha.rao');
  pc1 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC01' });
  samuel = await signedIn(ws, 'dr.samuel.okafor');
  ({ conversationId } = await must<{ conversationId: string }>(pc1, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
  await send(samuel, 'Before the theft: bed 2 stable');
  await eventually('PC01 has the first message', async () => (await validTexts(pc1)).length === 1);
}, 240_000);
afterAll(async () => ws?.close());

describe('a stolen workstation', () => {
  it('once revoked, cannot read anything sent after the rotation that follows', async () => {
    const pc2 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC02' });
    await eventually('PC02 reads the history', async () => (await validTexts(pc2)).length === 1);
    const stolen = await steal(ws, pc2);
    expect((await stolenKeyring(stolen, asha)).epochs().map((e) => e.epoch)).toEqual([1]);

    // IT (or Asha at PC01) revokes the stolen PC; her other PC sees it and makes a new user key.
    const hub = await connect(ws.stack.hub.url, await ws.stack.token('dr.asha.rao'));
    await call(hub, 'Hello', { deviceId: pc1.messaging()!.deviceId });
    await call(hub, 'RevokeDevice', { deviceId: stolen.deviceId });
    await hub.stop();
    await expect.poll(() => currentEpoch(asha), { timeout: 60_000 }).toBe(2);

    await send(samuel, 'After the revocation: start heparin');
    await expect
      .poll(() => validTexts(pc1), { timeout: 60_000 })
      .toContain('After the revocation: start heparin');
    const { envelopes, grants } = hubRecords(ws, conversationId, asha);
    const after = envelopes.at(-1)!;
    expect(grants.get(after.keyId!)?.epoch).toBe(2);
    const thief = await openableByThief(ws, stolen, asha, conversationId, (seq) => seq === after.seq);
    expect(thief).toEqual({ tried: 1, openable: 0 });
  }, 300_000);

  it('after two rotations, the hub envelopes from before them do not open with a stolen copy', async () => {
    const before = hubRecords(ws, conversationId, asha).envelopes.map((e) => e.seq);
    expect(before.length).toBeGreaterThan(0);
    const engine = pc1.messaging()!;
    await engine.rotateUserKey();
    await expect.poll(() => currentEpoch(asha), { timeout: 30_000 }).toBe(3);
    await send(pc1, 'Epoch 3: handover at 8');
    await eventually('Samuel has the epoch 3 message', async () =>
      (await validTexts(samuel)).includes('Epoch 3: handover at 8'),
    );
    await engine.rotateUserKey();
    await expect.poll(() => currentEpoch(asha), { timeout: 30_000 }).toBe(4);
    // Epochs 1 and 2 are older than the one before the current one: their private parts go.
    expect((await engine.forgetExpiredKeys()).sort()).toEqual([1, 2]);

    const stolen = await steal(ws, pc1);
    const thief = await openableByThief(ws, stolen, asha, conversationId, (seq) => before.includes(seq));
    expect(thief).toEqual({ tried: before.length, openable: 0 });
    // PC01 still shows what it stored.
    expect(await validTexts(pc1)).toEqual(
      expect.arrayContaining(['Before the theft: bed 2 stable', 'After the revocation: start heparin']),
    );
  }, 300_000);
});
