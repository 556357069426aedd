// Issue 15: the lock screen of WARD3B-PC01 says how many urgent messages wait for Dr Samuel Okafor, from the
// counts his encrypted profile database keeps: across all his conversations, only urgent messages of others
// still unread, and a count only.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { createMessageStore } from '../../../src/main/core/messages';
import { urgentUnreadTotal } from '../../../src/main/core/messages/urgent-unread';
import { openProfileStore } from '../../../src/main/core/store';
import { incoming, own, textPayload } from '../messages/helpers';
import { tempDir } from '../store/helpers';

const SAMUEL = 'user-samuel-okafor';
const ASHA = 'user-asha-rao';
const WARD = 'ward-3b-handover';
const ICU = 'icu-bed-7';

const fromAsha = (conversationId: string, seq: number, text: string, urgent: boolean) =>
  incoming(conversationId, seq, text, {
    senderUserId: ASHA,
    verdict: { ok: true, payload: textPayload(text, { urgent }) },
  });

it('counts the urgent messages of others still unread, in every conversation, until he reads them', () => {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const store = openProfileStore({ file, key });
  const messages = createMessageStore(store, { selfUserId: SAMUEL, selfDeviceId: 'WARD3B-PC01' });
  for (const conversationId of [WARD, ICU]) {
    messages.upsertConversation({
      conversationId,
      kind: 'direct',
      members: [ASHA, SAMUEL],
      createdAt: '2026-12-03T08:00:00.000Z',
    });
  }
  expect(urgentUnreadTotal(store)).toBe(0);

  messages.ingest([
    fromAsha(WARD, 1, 'Handover at 19:00', false),
    fromAsha(WARD, 2, 'Bed 4 arrest call, come now', true),
    fromAsha(ICU, 1, 'K+ 6.8 in bed 7', true),
    // His own urgent message, sent from his other workstation: never waiting for him.
    incoming(ICU, 2, 'On my way', {
      senderUserId: SAMUEL,
      verdict: { ok: true, payload: textPayload('On my way', { urgent: true }) },
    }),
  ]);
  messages.addOwn(own(WARD, 'Coming now', { payload: textPayload('Coming now', { urgent: true }) }));
  expect(urgentUnreadTotal(store)).toBe(2);

  messages.markRead(WARD, 2);
  expect(urgentUnreadTotal(store)).toBe(1);

  // The count is kept in the database: the lock screen after a restart says the same.
  store.close();
  const reopened = openProfileStore({ file, key });
  expect(urgentUnreadTotal(reopened)).toBe(1);
  reopened.close();
});
