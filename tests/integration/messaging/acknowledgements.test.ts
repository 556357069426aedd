// "Acknowledged by Dr Okafor at 14:05" on an urgent message is a patient-safety statement: it must come from
// Dr Okafor's signature, never from the hub. Here, through the real hub and key service: a real acknowledgement
// is a signed entry every member verifies, shown on both of the acknowledger's PCs and after a restart; the hub's
// word for one (a receipt with no signed entry) is not shown and raises an alert; and acknowledgements that name
// the wrong thing, signed with real keys, are quarantined with their reasons and change nothing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { sealEnvelope, type AckPayload } from '../../../src/main/core/envelope';
import type { LoadedDevice } from '../../../src/main/core/keys';
import { VerificationReport, verifyReport } from '../../../src/main/core/messaging';
import type { IntegrityAlertView, MessageView } from '../../../src/shared/contract';
import { acknowledgementStatus } from '../../../src/renderer/src/workspace/acknowledgement';
import { alertText } from '../../../src/renderer/src/workspace/timeline';
import { appendEnvelopes, userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
  deviceOf,
} from '../../support/workstation';

let ws: Workstation;
let asha: Core; // sends the urgent messages
let samuelPc1: Core; // Dr Okafor's ward PC
let samuelPc2: Core; // and his second PC
let lena: Core; // not a member
let conversationId: string;
const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
let names: Record<string, string>;
const nameOf = (id: string) => names[id] ?? id;

const page = (core: Core) =>
  must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 }).catch(() => [] as MessageView[]);
const withText = async (core: Core, text: string) => (await page(core)).find((m) => m.text === text);
const send = (core: Core, text: string, ackRequired: boolean) =>
  must(core, 'messages.send', { conversationId, text, urgent: ackRequired, ackRequired, patient: null });
const alerts = (core: Core) => must<IntegrityAlertView[]>(core, 'integrity.alerts', { conversationId });
const ackEntries = (core: Core) => core.messaging()!.messages.entries(conversationId, 'ack');

/** Until the message is on this core, verified, with its seq. */
async function arrived(core: Core, text: string): Promise<MessageView & { seq: number }> {
  await eventually(`"${text}" arrives`, async () => (await withText(core, text))?.seq != null);
  return (await withText(core, text)) as MessageView & { seq: number };
}

const K = 'Bed 12 potassium 6.9, please review now';
const FYI = 'FYI: pharmacy closes at 8';
const SATS = 'Bed 4 sats 84% on 15 L, please come';

beforeAll(async () => {
  ws = await startWorkstation({ keyService: {} });
  asha = await signedIn(ws, ASHA);
  samuelPc1 = await signedIn(ws, SAMUEL, { deviceName: 'WARD3B-PC01' });
  lena = await signedIn(ws, 'dr.lena.fischer');
  names = {
    [userId(ws.stack, ASHA)]: 'Dr Asha Rao',
    [userId(ws.stack, SAMUEL)]: 'Dr Samuel Okafor',
  };
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, SAMUEL)],
  }));
  await send(asha, K, true);
  await arrived(samuelPc1, K);
  await send(asha, FYI, false);
  await arrived(samuelPc1, FYI);
  // His second PC gets the history through the key service.
  samuelPc2 = await signedIn(ws, SAMUEL, { deviceName: 'WARD3B-PC02' });
  await arrived(samuelPc2, FYI);
}, 240_000);
afterAll(async () => ws?.close());

describe('a signed acknowledgement', () => {
  it('is verified by the sender, and shown as his own with no button on both of his PCs', async () => {
    const before = await arrived(samuelPc1, K);
    expect(acknowledgementStatus(before, nameOf)).toEqual({
      text: 'Acknowledgement required',
      canAcknowledge: true,
    });

    await must(samuelPc1, 'messages.acknowledge', { conversationId, seq: before.seq });

    // On his PC at once: it is in its store.
    const mine = (await withText(samuelPc1, K))!;
    expect(mine.acknowledgements).toEqual([
      { userId: userId(ws.stack, SAMUEL), own: true, at: expect.any(String) },
    ]);
    const ownStatus = acknowledgementStatus(mine, nameOf);
    expect(ownStatus.canAcknowledge).toBe(false);
    expect(ownStatus.text).toMatch(/^You acknowledged at \d\d[:.]\d\d$/);

    // At the sender's, from the signed entry.
    await eventually('the sender sees the acknowledgement', async () => {
      return ((await withText(asha, K))?.acknowledgements.length ?? 0) > 0;
    });
    const sent = (await withText(asha, K))!;
    expect(sent.acknowledgements).toEqual([
      { userId: userId(ws.stack, SAMUEL), own: false, at: mine.acknowledgements[0]!.at },
    ]);
    expect(acknowledgementStatus(sent, nameOf).text).toMatch(
      /^Acknowledged by Dr Samuel Okafor at \d\d[:.]\d\d$/,
    );
    expect(ackEntries(asha)).toHaveLength(1);

    // On his second PC, through the conversation.
    await eventually('his second PC shows it as his', async () => {
      return (await withText(samuelPc2, K))?.acknowledgements[0]?.own === true;
    });
    const second = (await withText(samuelPc2, K))!;
    expect(acknowledgementStatus(second, nameOf)).toEqual(ownStatus);

    // Pressing it again, there, adds nothing.
    await must(samuelPc2, 'messages.acknowledge', { conversationId, seq: before.seq });
    await must(samuelPc1, 'messages.acknowledge', { conversationId, seq: before.seq });
    expect(ackEntries(samuelPc2)).toHaveLength(1);
    expect(ackEntries(samuelPc1)).toHaveLength(1);

    // Nothing rests on the hub's word: no acknowledged receipt was sent, and no alert is raised.
    const hub = asha.session.active().link.hub;
    const { receipts } = await hub.call('GetReceipts', { conversationId });
    expect(receipts.filter((r) => r.kind === 'acknowledged')).toEqual([]);
    expect((await alerts(asha)).map((a) => a.kind)).toEqual([]);
  });

  it('survives a restart of his PC', async () => {
    await must(samuelPc1, 'session.setPin', { pin: '2468' });
    await samuelPc1.close();
    const restarted = ws.newCore({
      appDataDir: ws.appDataDirOf(samuelPc1),
      policyFile: ws.policyFileOf(samuelPc1),
    });
    const state = await must(restarted, 'session.current');
    if (state.status !== 'signed-out') throw new Error(`expected signed-out, got ${state.status}`);
    await must(restarted, 'session.signIn', { profileId: state.profiles[0]!.profileId });
    await must(restarted, 'session.unlockWithPin', { pin: '2468' });
    samuelPc1 = restarted;
    const after = (await withText(samuelPc1, K))!;
    expect(acknowledgementStatus(after, nameOf)).toMatchObject({
      text: expect.stringMatching(/^You acknowledged at /),
      canAcknowledge: false,
    });
    await connected(samuelPc1);
  });

  it('is refused, with a typed error, for a message that asks for none, or one’s own', async () => {
    const fyi = await arrived(samuelPc1, FYI);
    expect(await ask(samuelPc1, 'messages.acknowledge', { conversationId, seq: fyi.seq })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
    const k = await arrived(asha, K);
    expect(await ask(asha, 'messages.acknowledge', { conversationId, seq: k.seq })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
    expect(await ask(samuelPc1, 'messages.acknowledge', { conversationId, seq: 9_999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(ackEntries(asha)).toHaveLength(1);
  });
});

describe('the hub says someone acknowledged', () => {
  it('is not shown as acknowledged, and the sender is told the server claimed it without a signature', async () => {
    await send(asha, SATS, true);
    const sats = await arrived(samuelPc1, SATS);
    // Dr Okafor never acknowledges; the hub claims he did (what a forging hub pushes is exactly this receipt).
    await samuelPc1.session.active().link.hub.call('SendReceipt', {
      conversationId,
      seq: sats.seq,
      kind: 'acknowledged',
    });
    await eventually('the sender gets an unsigned-ack alert', async () =>
      (await alerts(asha)).some((a) => a.kind === 'unsigned-ack'),
    );
    const [alert] = (await alerts(asha)).filter((a) => a.kind === 'unsigned-ack');
    expect(alert).toMatchObject({
      fromSeq: sats.seq,
      toSeq: sats.seq,
      details: { userId: userId(ws.stack, SAMUEL), seq: sats.seq },
    });
    expect(alertText(alert!, nameOf)).toBe(
      `The server says Dr Samuel Okafor acknowledged message ${sats.seq}, but no signed acknowledgement came with it: it is not shown as acknowledged.`,
    );
    const sent = (await withText(asha, SATS))!;
    expect(sent.acknowledgements).toEqual([]);
    expect(sent.receipts.map((r) => r.kind)).not.toContain('acknowledged');
    expect(acknowledgementStatus(sent, nameOf).text).toBe('Acknowledgement required');
    // His own PCs still ask him.
    for (const pc of [samuelPc1, samuelPc2])
      expect(acknowledgementStatus(await arrived(pc, SATS), nameOf).canAcknowledge).toBe(true);
  });
});

describe('acknowledgements that name the wrong thing', () => {
  it('are quarantined with their reasons, shown in place, and change nothing', async () => {
    const k = await arrived(asha, K);
    const fyi = await arrived(asha, FYI);
    const sats = await arrived(asha, SATS);
    const beforeK = (await withText(asha, K))!.acknowledgements;
    const ashaDevice = await deviceOf(ws, asha);
    const samuelDevice = await deviceOf(ws, samuelPc1);
    const lenaDevice = await deviceOf(ws, lena);
    const recipients = [ashaDevice, samuelDevice, await deviceOf(ws, samuelPc2)].map((d) => ({
      userId: d.userId,
      deviceId: d.deviceId,
      encryptionPublicKey: d.encryptionPublicKey,
    }));
    // Signed with real keys (a member's own client gone wrong, or a stolen device key), in format 1, which the
    // app still reads.
    const seal = (sender: LoadedDevice, seq: number, envelopeHash: string) => {
      const payload: AckPayload = { v: 1, kind: 'ack', envelopeHash, seq };
      return sealEnvelope({ sender, conversationId, prev: [], payload, recipients });
    };
    const bad = [
      [await seal(samuelDevice, 999, randomBytes(32).toString('hex')), samuelDevice, 'ack-unknown-message'],
      [await seal(samuelDevice, sats.seq, await hashOf(asha, k.seq)), samuelDevice, 'ack-hash-mismatch'],
      [await seal(samuelDevice, fyi.seq, await hashOf(asha, fyi.seq)), samuelDevice, 'ack-not-required'],
      [await seal(ashaDevice, sats.seq, await hashOf(asha, sats.seq)), ashaDevice, 'ack-own-message'],
      [await seal(lenaDevice, sats.seq, await hashOf(asha, sats.seq)), lenaDevice, 'not-member'],
    ] as const;
    const [first] = (await appendEnvelopes(
      ws.stack,
      conversationId,
      bad.map(([sealed, sender]) => ({
        bytes: sealed.bytes,
        envelopeId: sealed.header.envelopeId,
        userId: sender.userId,
        deviceId: sender.deviceId,
      })),
    )) as [number];
    await connected(asha);
    await eventually('the sender has every injected envelope', async () =>
      (await page(asha)).some((m) => m.seq === first + bad.length - 1),
    );
    const rows = new Map((await page(asha)).map((m) => [m.seq, m]));
    expect(bad.map((_, i) => [rows.get(first + i)?.verdict, rows.get(first + i)?.reason])).toEqual(
      bad.map(([, , reason]) => ['quarantined', reason]),
    );
    for (let i = 0; i < bad.length; i++) expect(rows.get(first + i)!.text).toBeNull();

    // Nothing changed: the one real acknowledgement, and none for the others.
    expect((await withText(asha, K))!.acknowledgements).toEqual(beforeK);
    expect((await withText(asha, SATS))!.acknowledgements).toEqual([]);
    expect((await withText(asha, FYI))!.acknowledgements).toEqual([]);
    expect(ackEntries(asha)).toHaveLength(1);

    // The verification report holds the acknowledgements too, and checks out offline.
    const { report } = await must<{ report: string }>(asha, 'messages.exportReport', { conversationId });
    const parsed = VerificationReport.parse(JSON.parse(report));
    expect(parsed.envelopes.map((e) => e.seq)).toEqual(
      Array.from({ length: first + bad.length - 1 }, (_, i) => i + 1),
    );
    expect(verifyReport(parsed).agrees).toBe(true);
  });
});

/** The envelope hash of a stored message (what an acknowledgement names). */
async function hashOf(core: Core, seq: number): Promise<string> {
  return core.messaging()!.messages.bySeq(conversationId, seq)!.hash;
}
