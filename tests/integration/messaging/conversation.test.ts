// Two staff, each signed in on their own workstation core, talk through the real hub: every message is
// sealed, signed, verified, stored encrypted and searchable, with receipts coming back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { ConversationView, MessageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import type { OsNotification } from '../../../src/main/core/notifications';
import {
  ask,
  connected,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let conversationId: string;

const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
const conversations = (core: Core) => must<ConversationView[]>(core, 'conversations.list');

const notifications: OsNotification[] = [];
// Seq 1 holds the conversation's signed create entry (a control entry, never shown as a message).
const FIRST = 2;
/** The reply's seq, read once it arrives. */
let SECOND = 0;

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, 'dr.asha.rao');
  samuel = await signedIn(ws, 'dr.samuel.okafor', { notify: (n) => notifications.push(n) });
}, 180_000);
afterAll(async () => ws?.close());

describe('a conversation between two staff', () => {
  it('delivers a verified, urgent message with its patient context', async () => {
    ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'direct',
      memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
    }));
    await must(asha, 'messages.send', {
      conversationId,
      text: 'Bed 12 potassium 6.9, please review',
      urgent: true,
      ackRequired: true,
      patient: { mrn: 'MRN-004211', name: 'Jane Doe' },
    });
    let received: MessageView[] = [];
    await expect
      .poll(async () => (received = await page(samuel).catch(() => [])).length, { timeout: 30_000 })
      .toBe(1);
    expect(received[0]).toMatchObject({
      verdict: 'valid',
      text: 'Bed 12 potassium 6.9, please review',
      urgent: true,
      ackRequired: true,
      patient: { mrn: 'MRN-004211', name: 'Jane Doe' },
      own: false,
      seq: FIRST,
    });
    // The OS notification names the sender and nothing clinical (the default policy).
    await expect.poll(() => notifications.length, { timeout: 10_000 }).toBe(1);
    expect(notifications).toEqual([
      { title: 'Dr Asha Rao', body: 'Urgent: New secure message', urgent: true, conversationId },
    ]);
    const [listed] = await conversations(samuel);
    expect(listed).toMatchObject({ conversationId, unread: 1, urgentUnread: 1, alerts: 0 });
    // Both know the members from the signed chain, not from the hub's word.
    for (const core of [asha, samuel]) {
      expect((await conversations(core))[0]).toMatchObject({
        membership: 'confirmed',
        members: [userId(ws.stack, 'dr.asha.rao'), userId(ws.stack, 'dr.samuel.okafor')].sort(),
      });
    }
  });

  it('returns delivered and read receipts, and the signed acknowledgement, to the sender', async () => {
    await expect
      .poll(async () => (await page(asha))[0]?.receipts.map((r) => r.kind), { timeout: 30_000 })
      .toContain('delivered');
    await must(samuel, 'messages.markRead', { conversationId, uptoSeq: FIRST });
    await must(samuel, 'messages.acknowledge', { conversationId, seq: FIRST });
    await expect
      .poll(async () => (await page(asha))[0]?.receipts.map((r) => r.kind).sort(), { timeout: 30_000 })
      .toEqual(['delivered', 'read']);
    // The acknowledgement is a signed entry, not a receipt (tests/integration/messaging/acknowledgements.test.ts).
    await expect
      .poll(async () => (await page(asha))[0]?.acknowledgements.map((a) => a.userId), { timeout: 30_000 })
      .toEqual([userId(ws.stack, 'dr.samuel.okafor')]);
    expect((await page(samuel))[0]?.acknowledgements).toMatchObject([{ own: true }]);
    expect((await conversations(samuel))[0]).toMatchObject({ unread: 0 });

    // Asking again to mark what is already read changes nothing: no refresh for the window, which asks on
    // every refresh (it used to loop, sending a receipt each time).
    const changes: unknown[] = [];
    const stop = samuel.events.subscribe(
      (name, payload) => name === 'messages.changed' && changes.push(payload),
    );
    await must(samuel, 'messages.markRead', { conversationId, uptoSeq: FIRST });
    stop();
    expect(changes).toEqual([]);
  });

  it('carries the reply back, in order, and both sides can search it', async () => {
    await must(samuel, 'messages.send', {
      conversationId,
      text: 'Reviewed, repeating the sample now',
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    await expect.poll(async () => (await page(asha)).length, { timeout: 30_000 }).toBe(2);
    const mine = await page(asha);
    expect(mine.map((m) => m.text)).toEqual([
      'Reviewed, repeating the sample now',
      'Bed 12 potassium 6.9, please review',
    ]);
    // Newest first; entries of the chain between them (an acknowledgement) take seqs but are not messages.
    SECOND = mine[0]!.seq!;
    expect(mine[1]!.seq).toBe(FIRST);
    expect(SECOND).toBeGreaterThan(FIRST);
    for (const core of [asha, samuel]) {
      const hits = await must<{ text: string }[]>(core, 'messages.search', { query: 'potassium' });
      expect(hits.map((h) => h.text)).toEqual(['Bed 12 potassium 6.9, please review']);
    }
    expect(await must(asha, 'integrity.alerts', {})).toEqual([]);
  });

  it('tells the other member who is typing, never the typist, and refuses a conversation it does not have', async () => {
    const heard = (core: Core) => {
      const events: unknown[] = [];
      const stop = core.events.subscribe(
        (name, payload) => name === 'messages.typing' && events.push(payload),
      );
      return { events, stop };
    };
    const atAsha = heard(asha);
    const atSamuel = heard(samuel);
    await must(samuel, 'messages.typing', { conversationId, typing: true });
    const expected = { conversationId, userId: userId(ws.stack, 'dr.samuel.okafor'), typing: true };
    await expect.poll(() => atAsha.events, { timeout: 10_000 }).toEqual([expected]);
    expect(atSamuel.events).toEqual([]);
    const unknown = await ask(samuel, 'messages.typing', {
      conversationId: 'no-such-conversation',
      typing: true,
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    atAsha.stop();
    atSamuel.stop();
  });

  it('sends the read receipt of a message read while the hub was down once it is back', async () => {
    await ws.stack.hub.kill('SIGKILL');
    await must(asha, 'messages.markRead', { conversationId, uptoSeq: SECOND });
    await ws.stack.hub.restart();
    await connected(samuel);
    // What the hub holds for the sender (a live push can miss Samuel while he is still reconnecting).
    const hub = samuel.session.active().link.hub;
    await expect
      .poll(async () => (await hub.call('GetReceipts', { conversationId, afterSeq: FIRST })).receipts, {
        timeout: 60_000,
      })
      .toContainEqual(
        expect.objectContaining({ seq: SECOND, kind: 'read', userId: userId(ws.stack, 'dr.asha.rao') }),
      );
  });

  it('pages forward from a message (a search hit), and refuses a page both before and after', async () => {
    const forward = await must<MessageView[]>(asha, 'messages.page', {
      conversationId,
      afterSeq: FIRST,
      limit: 10,
    });
    expect(forward.map((m) => [m.seq, m.text])).toEqual([[SECOND, 'Reviewed, repeating the sample now']]);
    const both = await ask(asha, 'messages.page', {
      conversationId,
      beforeSeq: SECOND,
      afterSeq: FIRST,
      limit: 10,
    });
    expect(both).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(await page(asha)).toHaveLength(2);
  });
});
