// Hostile hub input (issue 13, "Sync and hub input"). Whoever holds the hub's files or the hub itself feeds
// Dr Samuel Okafor's workstation items that are not envelopes: bad base64, a bad field, a 10 MB item, floods of
// junk, pushes naming envelopes the hub does not have, receipts for conversations he is not in. Each time the
// good messages from Dr Asha Rao still arrive, the refused items are recorded at their seq (sync moves past
// them), the banner says "Connected" only once every conversation is caught up, the number of Sync calls stays
// bounded, and nothing stored before is lost. Everything runs against the real hub (tests/stack/hub), with its
// fault switch (Faults.cs: pushes and call counts) turned on for this file only.
// FAULTS_SCALE=full floods 20,000 items; the CI smoke size, 1,000.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { ConversationView, MessageView, SessionState } from '../../src/shared/contract';
import { appendEnvelopes, userId } from '../stack/hub/hub-test-kit';
import {
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../support/workstation';

const FULL = process.env.FAULTS_SCALE === 'full';
const FLOOD = FULL ? 20_000 : 1_000;
const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';

let ws: Workstation;
let asha: Core;
let samuel: Core;
/** The ward 3B group (where the junk goes) and Asha and Samuel's direct conversation. */
let group: string;
let direct: string;

beforeAll(async () => {
  process.env.CM_HUB_FAULT_INJECTION = '1'; // read by the hub process this file starts
  ws = await startWorkstation();
  asha = await signedIn(ws, ASHA);
  samuel = await signedIn(ws, SAMUEL);
  const samuelId = userId(ws.stack, SAMUEL);
  ({ conversationId: group } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'group',
    memberIds: [samuelId],
  }));
  ({ conversationId: direct } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [samuelId],
  }));
  await send(asha, group, 'Ward 3B handover at 19:00 in the side room');
  await send(asha, direct, 'Samuel, can you cover bed 4 tonight?');
  await eventually('Samuel has both conversations', async () => (await textsOf(samuel, direct)).length === 1);
  await eventually('Samuel has the handover note', async () => (await textsOf(samuel, group)).length === 1);
}, 240_000);
afterAll(async () => {
  await ws?.close();
  delete process.env.CM_HUB_FAULT_INJECTION;
});

function send(core: Core, conversationId: string, text: string) {
  return must(core, 'messages.send', {
    conversationId,
    text,
    urgent: false,
    ackRequired: false,
    patient: null,
  });
}

async function page(core: Core, conversationId: string): Promise<MessageView[]> {
  return must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
}

/** The oldest rows of a conversation (what was there before the junk, whatever piles up after). */
async function oldest(core: Core, conversationId: string): Promise<MessageView[]> {
  return must<MessageView[]>(core, 'messages.page', { conversationId, afterSeq: 0, limit: 200 });
}

async function textsOf(core: Core, conversationId: string): Promise<string[]> {
  return (await page(core, conversationId)).flatMap((m) =>
    m.verdict === 'valid' && m.seq !== null && m.text !== null ? [m.text] : [],
  );
}

async function listed(core: Core, conversationId: string): Promise<ConversationView | undefined> {
  return (await must<ConversationView[]>(core, 'conversations.list')).find(
    (c) => c.conversationId === conversationId,
  );
}

/** A conversation's last seq in the hub's own store (read-only, as IT would look), or null while it is busy. */
function hubLastSeq(conversationId: string): number | null {
  try {
    const db = new Database(join(ws.stack.dataDir, 'hub', 'hub.db'), { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare('SELECT last_seq FROM conversations WHERE conversation_id = ?')
        .pluck()
        .get(conversationId) as number;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** How many times Samuel's connections have called a hub method (the hub counts, with its fault switch on). */
async function hubCalls(method: string): Promise<number> {
  const response = await fetch(
    `${ws.stack.hub.origin}/faults/calls?userId=${encodeURIComponent(userId(ws.stack, SAMUEL))}`,
    { headers: { authorization: `Bearer ${ws.stack.hub.adminToken}` } },
  );
  if (!response.ok) throw new Error(`faults/calls answered ${response.status}`);
  return ((await response.json()) as Record<string, number>)[method] ?? 0;
}

/** Pushes raw JSON items as one event to every connection of Samuel, as a hostile hub could. */
async function pushToSamuel(event: string, items: unknown[]): Promise<number> {
  const response = await fetch(`${ws.stack.hub.origin}/faults/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ws.stack.hub.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: userId(ws.stack, SAMUEL), event, items }),
  });
  if (!response.ok) throw new Error(`faults/push answered ${response.status}`);
  return ((await response.json()) as { connections: number }).connections;
}

/** Rows put straight into the hub's store after the conversation's last seq, sent by Asha's PC01; their seqs. */
const injectRows = (
  conversationId: string,
  rows: readonly { envelopeId: string; payload: string; serverTime?: string; senderDeviceId?: string }[],
): Promise<number[]> =>
  appendEnvelopes(
    ws.stack,
    conversationId,
    rows.map(({ senderDeviceId, ...row }) => ({
      ...row,
      userId: userId(ws.stack, ASHA),
      deviceId: senderDeviceId ?? 'WARD3B-PC01',
    })),
  );

/** "Connected" and every conversation caught up with the hub: the banner tells the truth. */
async function caughtUp(core: Core, conversationIds: string[]): Promise<boolean> {
  if (core.connection.current().state !== 'connected') return false;
  for (const id of conversationIds) {
    const hub = hubLastSeq(id);
    if (hub === null || ((await listed(core, id))?.lastSeq ?? 0) < hub) return false;
  }
  return true;
}

/** Everything Samuel held before, still there and unchanged (envelope ids, seqs, verdicts, texts). */
async function snapshot(core: Core): Promise<string[]> {
  const rows = [...(await oldest(core, group)), ...(await oldest(core, direct))];
  return rows.map(
    (m) => `${m.conversationId}#${m.seq}:${m.envelopeId}:${m.verdict}:${m.verdict === 'valid' ? m.text : ''}`,
  );
}

describe('one bad item is refused alone', () => {
  it('bad base64 and bad fields in the group do not hold back a message in the direct conversation on the same Sync page', async () => {
    const before = await snapshot(samuel);
    // Samuel signs out; Asha writes to him directly while the hub's files are tampered with.
    const signedOut = await must<SessionState>(samuel, 'session.signOut');
    const profileId =
      signedOut.status === 'signed-out'
        ? signedOut.profiles.find((p) => p.username === SAMUEL)!.profileId
        : '';
    await send(asha, direct, 'Bed 4 is stable, obs every 4 hours');
    const bad = await injectRows(group, [
      { envelopeId: randomUUID(), payload: '%%% not base64 %%%' },
      { envelopeId: 'not-a-guid', payload: randomBytes(120).toString('base64') },
      { envelopeId: randomUUID(), payload: randomBytes(120).toString('base64'), serverTime: 'soon' },
      { envelopeId: randomUUID(), payload: 'QUJD' + '='.repeat(3) },
    ]);
    await connected(asha);
    await send(asha, group, 'Handover moved to 19:30');
    const syncsBefore = await hubCalls('Sync');

    ws.login.next(ws.credentials(SAMUEL));
    await must(samuel, 'session.signIn', { profileId });
    await eventually('Samuel has the direct message from the same page', async () =>
      (await textsOf(samuel, direct)).includes('Bed 4 is stable, obs every 4 hours'),
    );
    await eventually('Samuel has the group message after the bad items', async () =>
      (await textsOf(samuel, group)).includes('Handover moved to 19:30'),
    );
    await eventually('the banner says Connected with every conversation caught up', () =>
      caughtUp(samuel, [group, direct]),
    );

    // Each bad item is recorded at its seq as refused ('malformed'), shown as such, never as a message.
    const rows = await page(samuel, group);
    for (const seq of bad) {
      expect(rows.find((m) => m.seq === seq)).toMatchObject({ verdict: 'quarantined', reason: 'malformed' });
    }
    expect(await hubCalls('Sync')).toBeLessThanOrEqual(syncsBefore + 5);
    const after = await snapshot(samuel);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('a 10 MB item in the group is refused unread; the message after it arrives and the banner comes back to Connected', async () => {
    const before = await snapshot(samuel);
    // Valid base64 characters, 13,981,016 of them: past any envelope's size, and past where a regex runs out of stack.
    const [huge] = await injectRows(group, [
      { envelopeId: randomUUID(), payload: randomBytes(10 * 1024 * 1024).toString('base64') },
    ]);
    await connected(samuel);
    await connected(asha);
    await send(asha, group, 'Theatre list for tomorrow is on the board');
    await eventually('Samuel has the message after the 10 MB item', async () =>
      (await textsOf(samuel, group)).includes('Theatre list for tomorrow is on the board'),
    );
    await eventually('the banner says Connected with the group caught up', () =>
      caughtUp(samuel, [group, direct]),
    );
    expect((await page(samuel, group)).find((m) => m.seq === huge)).toMatchObject({
      verdict: 'quarantined',
      reason: 'malformed',
    });
    expect(await snapshot(samuel)).toEqual(expect.arrayContaining(before));
  });
});

describe(`a flood of ${FLOOD.toLocaleString('en-GB')}`, () => {
  it('stored junk that is not even base64: recorded and passed in a bounded number of Sync pages, the next message arrives', async () => {
    const before = await snapshot(samuel);
    const syncsBefore = await hubCalls('Sync');
    const seqs = await injectRows(
      group,
      Array.from({ length: FLOOD }, (_, i) => ({
        envelopeId: randomUUID(),
        payload: i % 2 === 0 ? `not base64 #${i}` : randomBytes(90).toString('base64'),
      })),
    );
    await connected(samuel);
    await connected(asha);
    await send(asha, group, 'Bed 9 family meeting at 10:00');
    await eventually(
      'Samuel has the message after the flood',
      async () => (await textsOf(samuel, group)).includes('Bed 9 family meeting at 10:00'),
      300_000,
    );
    await eventually('the banner says Connected with the group caught up', () =>
      caughtUp(samuel, [group, direct]),
    );
    expect((await listed(samuel, group))!.lastSeq).toBeGreaterThanOrEqual(seqs.at(-1)!);
    // Pages of 500 (and one per connect, reconnect and message pushed after a gap), not one per item.
    expect(await hubCalls('Sync')).toBeLessThanOrEqual(syncsBefore + Math.ceil(FLOOD / 500) + 8);
    expect(await snapshot(samuel)).toEqual(expect.arrayContaining(before));
  });

  it('pushed envelopes the hub does not have cause a bounded number of Sync calls, not one each', async () => {
    await connected(samuel);
    const before = await snapshot(samuel);
    const syncsBefore = await hubCalls('Sync');
    const from = (await listed(samuel, group))!.lastSeq + 2; // a gap: each push says something was missed
    const connections = await pushToSamuel(
      'Envelope',
      Array.from({ length: FLOOD }, (_, i) => ({
        conversationId: group,
        seq: from + i,
        envelopeId: randomUUID(),
        senderUserId: userId(ws.stack, ASHA),
        senderDeviceId: 'WARD3B-PC01',
        // Every tenth not even base64: refused on arrival, and still no more syncs than the others.
        payload: i % 10 === 0 ? `not base64 #${i}` : randomBytes(90).toString('base64'),
        serverTime: new Date().toISOString(),
      })),
    );
    expect(connections).toBeGreaterThan(0);
    await send(asha, group, 'Bed 2 discharge letter is ready');
    await eventually('Samuel has the message sent after the pushed flood', async () =>
      (await textsOf(samuel, group)).includes('Bed 2 discharge letter is ready'),
    );
    await eventually('the banner says Connected with the group caught up', () =>
      caughtUp(samuel, [group, direct]),
    );
    await samuel.messaging()!.idle();
    // One sync in flight plus at most one queued per burst, not one per push.
    expect(await hubCalls('Sync')).toBeLessThanOrEqual(syncsBefore + 6);
    expect(await snapshot(samuel)).toEqual(expect.arrayContaining(before));
  });

  it('a well-formed pushed envelope for a conversation Samuel is not in is dropped: no row, no cursor, sync goes on', async () => {
    await connected(samuel);
    const stranger = randomUUID();
    await pushToSamuel('Envelope', [
      {
        conversationId: stranger,
        seq: 1,
        envelopeId: randomUUID(),
        senderUserId: userId(ws.stack, ASHA),
        senderDeviceId: 'WARD3B-PC01',
        payload: randomBytes(90).toString('base64'),
        serverTime: new Date().toISOString(),
      },
    ]);
    await send(asha, group, 'Bed 4 for review after the ward round');
    await eventually('Samuel has the message sent after the stranger push', async () =>
      (await textsOf(samuel, group)).includes('Bed 4 for review after the ward round'),
    );
    await samuel.messaging()!.idle();
    const store = samuel.messaging()!.messages;
    expect(store.cursors().map((c) => c.conversationId)).not.toContain(stranger);
    expect(await listed(samuel, stranger)).toBeUndefined();
    await eventually('the banner says Connected with every conversation caught up', () =>
      caughtUp(samuel, [group, direct]),
    );
  });

  it('pushed receipts for conversations Samuel does not have store nothing and announce nothing', async () => {
    await connected(samuel);
    const changed: string[] = [];
    const off = samuel.events.subscribe((name, payload) => {
      if (name === 'messages.changed') changed.push((payload as { conversationId: string }).conversationId);
    });
    const strangers = Array.from({ length: FLOOD }, () => `conv-${randomUUID()}`);
    const receipt = (conversationId: string, seq: number) => ({
      conversationId,
      seq,
      userId: userId(ws.stack, ASHA),
      deviceId: 'WARD3B-PC01',
      kind: 'delivered',
      at: new Date().toISOString(),
    });
    // Last, one receipt for a message Samuel does have: once it is stored, every push before it was handled.
    const [mine] = (await page(samuel, group)).filter((m) => m.verdict === 'valid' && m.seq !== null);
    await pushToSamuel('Receipt', [...strangers.map((id) => receipt(id, 1)), receipt(group, mine!.seq!)]);
    await eventually('the receipt for his own conversation is stored', async () =>
      samuel
        .messaging()!
        .messages.receipts(group, mine!.seq!)
        .some((r) => r.deviceId === 'WARD3B-PC01'),
    );
    await samuel.messaging()!.idle();
    off();
    const store = samuel.messaging()!.messages;
    expect(strangers.filter((id) => store.receipts(id, 1).length > 0)).toEqual([]);
    expect(changed.filter((id) => strangers.includes(id))).toEqual([]);
  });
});
