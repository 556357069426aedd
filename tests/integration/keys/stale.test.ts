// A send the hub refuses because the members' keys changed is sealed again and resent; if the hub keeps
// refusing, the message shows as not sent ("recipients changed") after a bounded number of tries, and is
// never dropped silently. The refusal is injected (the real hub only refuses when keys really change).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core, CoreOptions } from '../../../src/main/core';
import { HubCallError } from '../../../src/main/core/hub';
import { connectDeviceToHub } from '../../../src/main/core/session';
import type { MessageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import {
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

let ws: Workstation;
let samuel: Core;
let refusals = 0;

// Off while the conversation is made (its signed create entry is a Send too), on for the message.
let refusing = false;

/** Fault injection: the real hub link, except that every Send is refused with stale_recipients while `refusing`. */
const staleRecipientsHubFake: CoreOptions['connectDevice'] = (o) => {
  const link = connectDeviceToHub({ ...o, backoff: { initialMs: 100, maxMs: 1_000 } });
  const call = link.hub.call.bind(link.hub);
  link.hub.call = (async (method: string, request: unknown) => {
    if (method === 'Send' && refusing) {
      refusals++;
      throw new HubCallError('Send', { code: 'stale_recipients', message: 'injected by the test' });
    }
    return call(method as never, request as never);
  }) as typeof link.hub.call;
  return link;
};

beforeAll(async () => {
  ws = await startWorkstation();
  samuel = await signedIn(ws, 'dr.samuel.okafor');
}, 180_000);
afterAll(async () => ws?.close());

it('reseals up to three times, then shows "not sent: recipients changed"; a later send goes through', async () => {
  const asha = ws.newCore({ connectDevice: staleRecipientsHubFake });
  ws.login.next(ws.credentials('dr.asha.rao'));
  await must(asha, 'session.signIn', {});
  await connected(asha);
  // Connected is not yet registered (a challenge, then RegisterDevice): wait for the first key, as signedIn does.
  await eventually(
    'the user key is published',
    async () => asha.messaging()?.userKeyStatus().status.state === 'ready',
  );
  const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  });
  const page = () => must<MessageView[]>(asha, 'messages.page', { conversationId, limit: 10 });
  refusing = true;
  await must(asha, 'messages.send', {
    conversationId,
    text: 'Please review bed 9',
    urgent: false,
    ackRequired: false,
    patient: null,
  });
  await expect
    .poll(async () => (await page())[0]?.sendFailure, { timeout: 60_000 })
    .toBe('recipients_changed');
  expect(refusals).toBe(4); // the first send and three re-sealed ones
  expect((await page())[0]).toMatchObject({ text: 'Please review bed 9', pending: true });

  refusing = false;
  await must(asha, 'messages.send', {
    conversationId,
    text: 'Bed 9 reviewed',
    urgent: false,
    ackRequired: false,
    patient: null,
  });
  await expect
    .poll(
      async () =>
        (
          await must<MessageView[]>(samuel, 'messages.page', { conversationId, limit: 10 }).catch(() => [])
        ).map((m) => m.text),
      {
        timeout: 60_000,
      },
    )
    .toEqual(['Bed 9 reviewed']);
}, 300_000);
