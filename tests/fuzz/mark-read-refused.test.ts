// Issue 13, "refused calls that change state": Dr Samuel Okafor's window asks to mark a read up to a seq the
// profile does not hold (2^53−1, one past the newest message, a conversation that is not there). The call
// is refused with a typed error, nothing is stored and no read receipt leaves, so Dr Asha Rao's later
// urgent message still counts as unread and is still flagged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { OsNotification } from '../../src/main/core/notifications';
import type { ConversationView, MessageView } from '../../src/shared/contract';
import { editHubDatabase, userId } from '../stack/hub/hub-test-kit';
import { createTally } from './support/tally';
import { ask, eventually, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let conversationId: string;
const notifications: OsNotification[] = [];

const listed = async (core: Core): Promise<ConversationView | undefined> =>
  (await must<ConversationView[]>(core, 'conversations.list')).find(
    (c) => c.conversationId === conversationId,
  );
const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
const send = (core: Core, text: string, urgent: boolean) =>
  must(core, 'messages.send', { conversationId, text, urgent, ackRequired: false, patient: null });

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, 'dr.asha.rao');
  samuel = await signedIn(ws, 'dr.samuel.okafor', { notify: (n) => notifications.push(n) });
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
  await send(asha, 'Bed 4 obs stable, FYI', false);
  await eventually('Dr Okafor has the routine message', async () => (await listed(samuel))?.unread === 1);
}, 180_000);
const tally = createTally('mark-read-refused');
afterAll(async () => {
  tally.print();
  await ws?.close();
});

describe('marking read beyond what the profile holds', () => {
  it('refuses seq 2^53−1, one past the newest message, and an unknown conversation, storing nothing', async () => {
    const newest = (await page(samuel))[0]!.seq!;
    const tries = [
      { conversationId, uptoSeq: Number.MAX_SAFE_INTEGER },
      { conversationId, uptoSeq: newest + 1 },
      { conversationId: 'no-such-conversation', uptoSeq: 1 },
    ];
    for (const args of tries) {
      const counts = tally.get('messages.markRead past the profile (real hub)');
      counts.inputs++;
      const answer = await ask(samuel, 'messages.markRead', args);
      if (!answer.ok) counts.refused++;
      if (!answer.ok && answer.error.code === 'internal') counts.internal++;
      expect(answer, `markRead ${JSON.stringify(args)}`).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    }
    if ((await listed(samuel))?.unread !== 1)
      tally.get('messages.markRead past the profile (real hub)').stateChanges++;
    expect(await listed(samuel)).toMatchObject({ unread: 1 });
    // No read receipt reached Dr Rao for the routine message.
    expect((await page(asha))[0]!.receipts.map((r) => r.kind)).not.toContain('read');
  });

  it('still counts and flags a later urgent message as unread, with the real hub', async () => {
    await send(asha, 'Bed 7 K+ 6.9, please review now', true);
    await expect
      .poll(
        async () => {
          const c = await listed(samuel);
          return c && { unread: c.unread, urgentUnread: c.urgentUnread };
        },
        { timeout: 30_000 },
      )
      .toEqual({ unread: 2, urgentUnread: 1 });
    await expect
      .poll(() => notifications.filter((n) => n.conversationId === conversationId && n.urgent).length, {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
  });

  it('still marks a real read, which the hub carries to the sender', async () => {
    const newest = (await page(samuel))[0]!.seq!;
    await must(samuel, 'messages.markRead', { conversationId, uptoSeq: newest });
    expect(await listed(samuel)).toMatchObject({ unread: 0, urgentUnread: 0 });
    await expect
      .poll(async () => (await page(asha))[0]!.receipts.map((r) => r.kind), { timeout: 30_000 })
      .toContain('read');
  });

  it('stores nothing when the real hub refuses the read (Dr Okafor no longer a member there)', async () => {
    await send(asha, 'Bed 2 discharge summary ready', false);
    await eventually('Dr Okafor has the new message', async () => (await listed(samuel))?.unread === 1);
    const newest = (await page(samuel))[0]!.seq!;
    await editHubDatabase(ws.stack, (db) => {
      db.prepare('DELETE FROM members WHERE conversation_id = ? AND user_id = ?').run(
        conversationId,
        userId(ws.stack, 'dr.samuel.okafor'),
      );
    });
    // The hub restarted. Once his link is up the hub answers his calls; catching up may never finish, since
    // the hub now refuses his cursor in the conversation it dropped him from (so not 'connected', 'syncing').
    await eventually(
      'Dr Okafor is linked to the hub again',
      async () => ['connected', 'syncing'].includes(samuel.connection.current().state),
      60_000,
    );
    const answer = await ask(samuel, 'messages.markRead', { conversationId, uptoSeq: newest });
    const counts = tally.get('messages.markRead refused by the real hub');
    counts.inputs++;
    expect(answer).toMatchObject({ ok: false, error: { code: 'hub_refused' } });
    counts.refused++;
    if ((await listed(samuel))?.unread !== 1) counts.stateChanges++;
    expect(await listed(samuel)).toMatchObject({ unread: 1 });
  });
});
