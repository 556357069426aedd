// Dr Asha Rao announces a ward change to three colleagues. The announcement is its own kind of conversation:
// the recipients read and acknowledge it but cannot post in it (their clients refuse a recipient's message,
// as a verification rule), and Dr Rao sees the counts rise as each one reads and acknowledges: delivered and
// read by the hub's word, acknowledged only by signed entries. Real IdP, hub, keychain and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { BroadcastStatusView, ConversationView, MessageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

let ws: Workstation;
let asha: Core;
let staff: { name: string; core: Core; id: string }[];
let conversationId: string;
let seq: number;
const NOTICE = 'From 14:00 Ward 3B admissions go through bed bureau ext 4410. Please acknowledge.';

const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
const status = () => must<BroadcastStatusView>(asha, 'broadcasts.status', { conversationId, seq });
const notYet = (kind: 'read' | 'acknowledged') =>
  must<string[]>(asha, 'broadcasts.notYet', { conversationId, seq, kind });

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, 'dr.asha.rao');
  staff = [];
  for (const [name, username] of [
    ['Dr Samuel Okafor', 'dr.samuel.okafor'],
    ['Meera Nair', 'opd.meera.nair'],
    ['Dr Lena Fischer', 'dr.lena.fischer'],
  ] as const)
    staff.push({ name, core: await signedIn(ws, username), id: userId(ws.stack, username) });
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'broadcasts.send', {
    userIds: staff.map((s) => s.id),
    text: NOTICE,
    urgent: false,
    ackRequired: true,
  }));
  await eventually('the announcement is on the hub', async () => {
    const mine = (await page(asha)).find((m) => m.text === NOTICE);
    if (mine?.seq == null) return false;
    seq = mine.seq;
    return true;
  });
}, 180_000);

afterAll(async () => {
  await ws?.close();
});

describe('an announcement to three staff', () => {
  it('reaches each recipient as an announcement, not a chat', async () => {
    for (const s of staff) {
      await expect
        .poll(async () => (await page(s.core)).find((m) => m.text === NOTICE)?.verdict, { timeout: 30_000 })
        .toBe('valid');
      const listed = (await must<ConversationView[]>(s.core, 'conversations.list')).find(
        (c) => c.conversationId === conversationId,
      );
      expect(listed?.kind).toBe('announcement');
      expect(listed?.admins).toEqual([userId(ws.stack, 'dr.asha.rao')]);
    }
  });

  it('counts delivered for all three, then read and acknowledged as each one does', async () => {
    await expect.poll(status, { timeout: 30_000 }).toMatchObject({ recipients: 3, delivered: 3 });
    expect(await status()).toMatchObject({ read: 0, acknowledged: 0, ackRequired: true });
    expect(await notYet('read')).toEqual(staff.map((s) => s.id).sort());
    for (const [i, s] of staff.entries()) {
      await must(s.core, 'messages.markRead', { conversationId, uptoSeq: seq });
      await expect.poll(async () => (await status()).read, { timeout: 30_000 }).toBe(i + 1);
      expect((await status()).acknowledged).toBe(i);
      await must(s.core, 'messages.acknowledge', { conversationId, seq });
      await expect.poll(async () => (await status()).acknowledged, { timeout: 30_000 }).toBe(i + 1);
      const left = staff
        .slice(i + 1)
        .map((x) => x.id)
        .sort();
      expect(await notYet('read')).toEqual(left);
      expect(await notYet('acknowledged')).toEqual(left);
    }
    expect(await status()).toEqual({
      conversationId,
      seq,
      ackRequired: true,
      recipients: 3,
      delivered: 3,
      read: 3,
      acknowledged: 3,
    });
  });

  it("refuses a recipient's post: his window says why, and the others' clients quarantine a forced one", async () => {
    const samuel = staff[0]!;
    const refused = await ask(samuel.core, 'messages.send', {
      conversationId,
      text: 'Thanks, noted',
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('invalid_args');
    // A modified client skips that check and the hub (which cannot read the chain) takes it: every other
    // member's client refuses it on verification.
    const forced = 'Reply-all: does this apply to Ward 4 too?';
    await samuel.core.messaging()!.send({
      conversationId,
      payload: { v: 1, kind: 'text', text: forced, urgent: false, ackRequired: false, patient: null },
    });
    await eventually('the forced post is on the hub', async () =>
      (await page(samuel.core)).some((m) => m.text === forced && m.seq !== null),
    );
    const forcedSeq = (await page(samuel.core)).find((m) => m.text === forced)!.seq!;
    for (const other of [asha, staff[1]!.core, staff[2]!.core]) {
      await expect
        .poll(async () => (await page(other)).find((m) => m.seq === forcedSeq)?.reason, { timeout: 30_000 })
        .toBe('announcement-not-admin');
      const row = (await page(other)).find((m) => m.seq === forcedSeq)!;
      expect(row.verdict).toBe('quarantined');
      expect(row.text).toBeNull();
    }
    // The counts did not move.
    expect(await status()).toMatchObject({ recipients: 3, read: 3, acknowledged: 3 });
  });

  it('sends a second announcement to the same three in the same announcement conversation', async () => {
    const second = await must<{ conversationId: string }>(asha, 'broadcasts.send', {
      userIds: staff.map((s) => s.id),
      text: 'Bed bureau ext is now 4411.',
      urgent: false,
      ackRequired: false,
    });
    expect(second.conversationId).toBe(conversationId);
  });

  it('refuses an announcement to nobody but the sender, and counts for a message that is not hers', async () => {
    const empty = await ask(asha, 'broadcasts.send', {
      userIds: [userId(ws.stack, 'dr.asha.rao')],
      text: 'Hello',
      urgent: false,
      ackRequired: false,
    });
    expect(empty.ok ? null : empty.error.code).toBe('invalid_args');
    const notHers = await ask(staff[1]!.core, 'broadcasts.status', { conversationId, seq });
    expect(notHers.ok ? null : notHers.error.code).toBe('invalid_args');
  });
});
