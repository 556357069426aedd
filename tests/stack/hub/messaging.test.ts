// Conversations, membership history, store-and-forward with per-conversation sequence numbers, idempotent
// resend, sync after a cursor, receipts, typing and presence, and who may do what.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubEvent, HubMethod, type HubRequests } from '../../../src/shared/hub-protocol';
import {
  b64,
  call,
  deviceSession,
  nextEvent,
  recordEvents,
  refusal,
  startStack,
  userId,
  type Stack,
} from './hub-test-kit';

type Session = Awaited<ReturnType<typeof deviceSession>>;

function envelope(from: Session, conversationId: string, payload = b64(48)): HubRequests['Send'] {
  return { envelopeId: randomUUID(), conversationId, senderDeviceId: from.deviceId, payload };
}

describe('hub messaging', () => {
  let stack: Stack;
  let asha: Session;
  let samuel: Session;
  let meera: Session;
  let lena: Session;

  beforeAll(async () => {
    stack = await startStack();
    asha = await deviceSession(stack, 'dr.asha.rao');
    samuel = await deviceSession(stack, 'dr.samuel.okafor');
    meera = await deviceSession(stack, 'opd.meera.nair');
    lena = await deviceSession(stack, 'dr.lena.fischer');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([asha, samuel, meera, lena].filter(Boolean).map((s) => s.connection.stop()));
    await stack?.close();
  });

  it('creates one direct conversation per pair and lists it for both', async () => {
    const pushed = nextEvent(samuel.connection, HubEvent.MembershipChanged);
    const first = await call(asha.connection, HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [samuel.userId],
    });
    expect(first.created).toBe(true);
    expect(first.conversation).toMatchObject({
      kind: 'direct',
      createdBy: asha.userId,
      lastSeq: 0,
      lastChangeSeq: 2,
    });
    expect(first.conversation.members).toEqual([asha.userId, samuel.userId].sort());
    expect((await pushed).conversation.conversationId).toBe(first.conversation.conversationId);

    const again = await call(samuel.connection, HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [asha.userId],
    });
    expect(again).toEqual({ conversation: first.conversation, created: false });
    const listed = await call(samuel.connection, HubMethod.ListConversations, {});
    expect(listed.conversations.map((c) => c.conversationId)).toContain(first.conversation.conversationId);

    expect(
      await refusal(asha.connection, HubMethod.CreateConversation, { kind: 'direct', memberIds: [] }),
    ).toBe('invalid');
    expect(
      await refusal(asha.connection, HubMethod.CreateConversation, { kind: 'group', memberIds: ['nobody'] }),
    ).toBe('not_found');
  });

  it('stores envelopes with per-conversation seq, delivers them live, and is idempotent on envelope id', async () => {
    const { conversation } = await call(asha.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [samuel.userId, meera.userId],
    });
    const id = conversation.conversationId;
    const first = envelope(asha, id);
    const delivered = nextEvent(
      samuel.connection,
      HubEvent.Envelope,
      (e) => e.envelopeId === first.envelopeId,
    );
    const sent = await call(asha.connection, HubMethod.Send, first);
    expect(sent).toMatchObject({
      conversationId: id,
      envelopeId: first.envelopeId,
      seq: 1,
      duplicate: false,
    });
    expect(await delivered).toEqual({
      conversationId: id,
      seq: 1,
      envelopeId: first.envelopeId,
      senderUserId: asha.userId,
      senderDeviceId: asha.deviceId,
      payload: first.payload,
      serverTime: sent.serverTime,
    });

    // A resend (e.g. after a lost answer) gets the same seq and is not stored or delivered twice.
    const samuelSaw = recordEvents(samuel.connection, HubEvent.Envelope);
    const resent = await call(asha.connection, HubMethod.Send, first);
    expect(resent).toEqual({ ...sent, duplicate: true });
    expect(await refusal(asha.connection, HubMethod.Send, { ...first, payload: b64(48) })).toBe('conflict');

    const second = envelope(meera, id);
    const secondDelivered = nextEvent(
      samuel.connection,
      HubEvent.Envelope,
      (e) => e.envelopeId === second.envelopeId,
    );
    expect((await call(meera.connection, HubMethod.Send, second)).seq).toBe(2);
    await secondDelivered;
    expect(samuelSaw.map((e) => e.seq)).toEqual([2]);

    const { envelopes } = await call(samuel.connection, HubMethod.Sync, {
      cursors: [{ conversationId: id, afterSeq: 0 }],
    });
    expect(envelopes.filter((e) => e.conversationId === id).map((e) => e.envelopeId)).toEqual([
      first.envelopeId,
      second.envelopeId,
    ]);
  });

  it('syncs everything after a cursor, across conversations, in pages', async () => {
    const a = (
      await call(lena.connection, HubMethod.CreateConversation, { kind: 'group', memberIds: [meera.userId] })
    ).conversation.conversationId;
    const b = (await call(lena.connection, HubMethod.CreateConversation, { kind: 'group', memberIds: [] }))
      .conversation.conversationId;
    const sentA: string[] = [];
    for (let i = 0; i < 12; i++) {
      const e = envelope(lena, a);
      sentA.push(e.envelopeId);
      await call(lena.connection, HubMethod.Send, e);
    }
    const sentB = envelope(lena, b);
    await call(lena.connection, HubMethod.Send, sentB);

    // Only what follows the cursors; conversations without a cursor from the start.
    const after = await call(lena.connection, HubMethod.Sync, {
      cursors: [{ conversationId: a, afterSeq: 9 }],
    });
    expect(after.more).toBe(false);
    const mine = after.envelopes.filter((e) => e.conversationId === a || e.conversationId === b);
    const ordered = [...mine].sort(
      (x, y) => x.conversationId.localeCompare(y.conversationId) || x.seq - y.seq,
    );
    expect(mine).toEqual(ordered);
    expect(mine.filter((e) => e.conversationId === a).map((e) => e.seq)).toEqual([10, 11, 12]);
    expect(mine.filter((e) => e.conversationId === b).map((e) => e.envelopeId)).toEqual([sentB.envelopeId]);

    // Paging with `limit` and `more`, advancing the cursor, yields each envelope exactly once.
    const seen: string[] = [];
    let cursor = 0;
    for (;;) {
      const page = await call(meera.connection, HubMethod.Sync, {
        cursors: [{ conversationId: a, afterSeq: cursor }],
        limit: 5,
      });
      const inA = page.envelopes.filter((e) => e.conversationId === a);
      seen.push(...inA.map((e) => e.envelopeId));
      if (inA.length) cursor = inA[inA.length - 1]!.seq;
      if (!page.more) break;
      expect(page.envelopes.length).toBe(5);
    }
    expect(seen).toEqual(sentA);
  });

  it('refuses non-members and foreign devices', async () => {
    const { conversation } = await call(asha.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [samuel.userId],
    });
    const id = conversation.conversationId;
    await call(asha.connection, HubMethod.Send, envelope(asha, id));
    const outsider = meera.connection;
    expect(await refusal(outsider, HubMethod.Send, envelope(meera, id))).toBe('forbidden');
    expect(await refusal(outsider, HubMethod.Sync, { cursors: [{ conversationId: id, afterSeq: 0 }] })).toBe(
      'forbidden',
    );
    expect(await refusal(outsider, HubMethod.GetReceipts, { conversationId: id })).toBe('forbidden');
    expect(await refusal(outsider, HubMethod.SendReceipt, { conversationId: id, seq: 1, kind: 'read' })).toBe(
      'forbidden',
    );
    expect(await refusal(outsider, HubMethod.Typing, { conversationId: id, typing: true })).toBe('forbidden');
    expect(await refusal(outsider, HubMethod.GetMembershipHistory, { conversationId: id })).toBe('forbidden');
    expect(await refusal(outsider, HubMethod.AddMember, { conversationId: id, userId: meera.userId })).toBe(
      'forbidden',
    );
    const synced = await call(outsider, HubMethod.Sync, {});
    expect(synced.envelopes.some((e) => e.conversationId === id)).toBe(false);
    // A member cannot send as another device, even their own user's other device.
    expect(await refusal(samuel.connection, HubMethod.Send, { ...envelope(asha, id) })).toBe('forbidden');
    expect(await refusal(asha.connection, HubMethod.Send, envelope(asha, randomUUID()))).toBe('not_found');
  });

  it('records membership changes with a per-conversation sequence and pushes them', async () => {
    const { conversation } = await call(lena.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [asha.userId],
    });
    const id = conversation.conversationId;
    await call(lena.connection, HubMethod.Send, envelope(lena, id));
    await call(lena.connection, HubMethod.Send, envelope(lena, id));

    const meeraTold = nextEvent(
      meera.connection,
      HubEvent.MembershipChanged,
      (e) => e.conversation.conversationId === id,
    );
    const added = await call(asha.connection, HubMethod.AddMember, {
      conversationId: id,
      userId: meera.userId,
    });
    expect(added.change).toMatchObject({
      changeSeq: 3,
      kind: 'added',
      userId: meera.userId,
      byUserId: asha.userId,
      afterSeq: 2,
    });
    expect((await meeraTold).changes).toEqual([added.change]);
    expect(
      await refusal(asha.connection, HubMethod.AddMember, { conversationId: id, userId: meera.userId }),
    ).toBe('conflict');

    await call(meera.connection, HubMethod.Send, envelope(meera, id));
    // Only the creator may remove others; anyone may leave.
    expect(
      await refusal(meera.connection, HubMethod.RemoveMember, { conversationId: id, userId: asha.userId }),
    ).toBe('forbidden');
    const removedTold = nextEvent(meera.connection, HubEvent.MembershipChanged, (e) =>
      e.changes.some((c) => c.kind === 'removed'),
    );
    const removed = await call(lena.connection, HubMethod.RemoveMember, {
      conversationId: id,
      userId: meera.userId,
    });
    expect(removed.change).toMatchObject({
      changeSeq: 4,
      kind: 'removed',
      userId: meera.userId,
      afterSeq: 3,
    });
    expect((await removedTold).conversation.members).not.toContain(meera.userId);
    expect(await refusal(meera.connection, HubMethod.Send, envelope(meera, id))).toBe('forbidden');

    const { changes } = await call(asha.connection, HubMethod.GetMembershipHistory, { conversationId: id });
    expect(changes.map((c) => [c.changeSeq, c.kind, c.userId, c.afterSeq])).toEqual([
      [1, 'added', lena.userId, 0],
      [2, 'added', asha.userId, 0],
      [3, 'added', meera.userId, 2],
      [4, 'removed', meera.userId, 3],
    ]);
    await call(asha.connection, HubMethod.RemoveMember, { conversationId: id, userId: asha.userId });
    expect(
      (await call(asha.connection, HubMethod.ListConversations, {})).conversations.map(
        (c) => c.conversationId,
      ),
    ).not.toContain(id);

    const direct = await call(lena.connection, HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [samuel.userId],
    });
    expect(
      await refusal(lena.connection, HubMethod.AddMember, {
        conversationId: direct.conversation.conversationId,
        userId: meera.userId,
      }),
    ).toBe('invalid');
  });

  it('stores receipts, pushes them to members and returns them', async () => {
    const { conversation } = await call(asha.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [samuel.userId],
    });
    const id = conversation.conversationId;
    const sent = await call(asha.connection, HubMethod.Send, envelope(asha, id));
    for (const kind of ['delivered', 'read', 'acknowledged'] as const) {
      const pushed = nextEvent(
        asha.connection,
        HubEvent.Receipt,
        (r) => r.conversationId === id && r.kind === kind,
      );
      const receipt = await call(samuel.connection, HubMethod.SendReceipt, {
        conversationId: id,
        seq: sent.seq,
        kind,
      });
      expect(receipt).toMatchObject({
        conversationId: id,
        seq: sent.seq,
        userId: samuel.userId,
        deviceId: samuel.deviceId,
        kind,
      });
      expect(await pushed).toEqual(receipt);
    }
    // Sending a receipt again returns the stored one.
    const first = (await call(asha.connection, HubMethod.GetReceipts, { conversationId: id })).receipts;
    const again = await call(samuel.connection, HubMethod.SendReceipt, {
      conversationId: id,
      seq: sent.seq,
      kind: 'read',
    });
    expect(again).toEqual(first.find((r) => r.kind === 'read'));
    expect(first.map((r) => r.kind).sort()).toEqual(['acknowledged', 'delivered', 'read']);
    expect(
      (await call(asha.connection, HubMethod.GetReceipts, { conversationId: id, afterSeq: sent.seq }))
        .receipts,
    ).toEqual([]);
    expect(
      await refusal(samuel.connection, HubMethod.SendReceipt, { conversationId: id, seq: 99, kind: 'read' }),
    ).toBe('not_found');
  });

  it('pushes typing to the other members only', async () => {
    const { conversation } = await call(samuel.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [lena.userId],
    });
    const id = conversation.conversationId;
    const samuelSaw = recordEvents(samuel.connection, HubEvent.Typing);
    const lenaSees = nextEvent(lena.connection, HubEvent.Typing, (t) => t.conversationId === id);
    await samuel.connection.invoke(HubMethod.Typing, { conversationId: id, typing: true });
    expect(await lenaSees).toMatchObject({
      conversationId: id,
      userId: samuel.userId,
      deviceId: samuel.deviceId,
      typing: true,
    });
    // Pushes to a connection arrive in order: once Lena's reply arrives, Samuel's own event would have too.
    const reply = nextEvent(samuel.connection, HubEvent.Typing, (t) => t.userId === lena.userId);
    await lena.connection.invoke(HubMethod.Typing, { conversationId: id, typing: false });
    expect((await reply).typing).toBe(false);
    expect(samuelSaw.filter((t) => t.userId === samuel.userId)).toEqual([]);
  });

  it('tracks presence and pushes it to people who share a conversation', async () => {
    const ids = [asha.userId, userId(stack, 'dr.samuel.okafor')];
    const before = await call(meera.connection, HubMethod.GetPresence, { userIds: ids });
    expect(before.presence.map((p) => p.online)).toEqual([true, true]);

    await call(meera.connection, HubMethod.CreateConversation, { kind: 'direct', memberIds: [lena.userId] });
    const offline = nextEvent(
      meera.connection,
      HubEvent.Presence,
      (p) => p.userId === lena.userId && !p.online,
    );
    await lena.connection.stop();
    const seen = await offline;
    expect(seen.lastSeen).not.toBeNull();
    expect(
      (await call(meera.connection, HubMethod.GetPresence, { userIds: [lena.userId] })).presence[0],
    ).toEqual(seen);

    const online = nextEvent(
      meera.connection,
      HubEvent.Presence,
      (p) => p.userId === lena.userId && p.online,
    );
    lena = await deviceSession(stack, 'dr.lena.fischer');
    expect((await online).online).toBe(true);
  });
});
