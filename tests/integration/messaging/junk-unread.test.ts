// Junk is not unread (issue 13). Whoever holds the hub's files pours thousands of envelopes that are not
// envelopes into the handover conversation between Dr Asha Rao and Dr Samuel Okafor, right after her real
// message. On Samuel's workstation the conversation list still says 1 unread, the junk is one integrity
// alert (telling him to call IT), her message reads as she wrote it, and the urgent message she sends after
// the flood is unread, urgent and notified. FAULTS_SCALE=full pours the 20,000; the default, 500.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { OsNotification } from '../../../src/main/core/notifications';
import type { ConversationView, IntegrityAlertView, MessageView } from '../../../src/shared/contract';
import { alertText } from '../../../src/renderer/src/workspace/timeline';
import { appendEnvelopes, userId } from '../../stack/hub/hub-test-kit';
import {
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

const JUNK = process.env.FAULTS_SCALE === 'full' ? 20_000 : 500;
const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let conversationId: string;
const notifications: OsNotification[] = [];

const listed = async (core: Core): Promise<ConversationView> =>
  (await must<ConversationView[]>(core, 'conversations.list')).find(
    (c) => c.conversationId === conversationId,
  )!;
const send = (core: Core, text: string, urgent = false) =>
  must(core, 'messages.send', { conversationId, text, urgent, ackRequired: false, patient: null });

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, ASHA);
  samuel = await signedIn(ws, SAMUEL, { notify: (n) => notifications.push(n) });
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, SAMUEL)],
  }));
}, 180_000);
afterAll(async () => ws?.close());

it(
  `${JUNK.toLocaleString('en-GB')} junk envelopes after a real message: 1 unread, one alert, the urgent one after them flagged`,
  { timeout: 900_000 },
  async () => {
    await send(asha, 'Bed 12 potassium 6.1 on the repeat, please review before the ward round');
    await eventually('Samuel has her message', async () => (await listed(samuel))?.unread === 1);

    // Random bytes: well-formed base64 on the wire, but no envelope inside (each one 'malformed' on arrival).
    const seqs = await appendEnvelopes(
      ws.stack,
      conversationId,
      Array.from({ length: JUNK }, () => ({
        bytes: randomBytes(96),
        envelopeId: randomUUID(),
        userId: userId(ws.stack, ASHA),
        deviceId: randomUUID(),
      })),
    );
    const [first, last] = [seqs[0]!, seqs.at(-1)!];
    await connected(samuel);
    await eventually(
      'Samuel has synced past the junk',
      async () => (await listed(samuel)).lastSeq >= last,
      600_000,
    );

    // The badge the conversation list shows, and the alert badge beside it.
    const afterFlood = await listed(samuel);
    expect(afterFlood).toMatchObject({ unread: 1, urgentUnread: 0, alerts: 1 });

    // One alert for the whole flood (its seqs are consecutive), with the count and range, telling him to call IT.
    const alerts = await must<IntegrityAlertView[]>(samuel, 'integrity.alerts', { conversationId });
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'quarantined',
        fromSeq: first,
        toSeq: last,
        details: expect.objectContaining({ count: JUNK }),
      }),
    ]);
    expect(alertText(alerts[0]!)).toBe(
      `${JUNK.toLocaleString('en-GB')} items from the server (${first.toLocaleString('en-GB')}–${last.toLocaleString('en-GB')}) failed the security checks and are not shown as messages; they are kept as evidence. Tell IT: the server may be faulty or tampered with.`,
    );

    // Her message is there, verified, just before the junk.
    const [real] = await must<MessageView[]>(samuel, 'messages.page', {
      conversationId,
      beforeSeq: first,
      limit: 1,
    });
    expect(real).toMatchObject({
      verdict: 'valid',
      text: 'Bed 12 potassium 6.1 on the repeat, please review before the ward round',
      own: false,
    });

    // An urgent message after the flood: unread, urgent, and notified as urgent.
    await send(asha, 'Bed 12 now in VT, come to the ward', true);
    await eventually(
      "the urgent message is unread on Samuel's list",
      async () => (await listed(samuel)).unread === 2,
    );
    expect(await listed(samuel)).toMatchObject({ unread: 2, urgentUnread: 1 });
    await expect
      .poll(() => notifications.filter((n) => n.urgent && n.conversationId === conversationId).length, {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(1);

    // Reading up to the newest clears the badge; the alert stays.
    const newest = (await listed(samuel)).lastSeq;
    await must(samuel, 'messages.markRead', { conversationId, uptoSeq: newest });
    expect(await listed(samuel)).toMatchObject({ unread: 0, urgentUnread: 0, alerts: afterFlood.alerts });
  },
);
