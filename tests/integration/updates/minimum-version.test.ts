// The hub announces a minimum client version (docs/updates.md). Dr Samuel Okafor's ED-PC01 is already on
// 0.2.0; Dr Asha Rao's WARD3B-PC01 still runs 0.1.0. Asha can still read what Samuel sends her, but her PC
// sends nothing: no message, no new conversation, no typing, no read receipt, each refused as
// `update_required`, and nothing is left queued to go out later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { MessageView, UpdateStatusView } from '../../../src/shared/contract';
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
let samuel: Core;
let conversationId: string;

const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 50 });

beforeAll(async () => {
  ws = await startWorkstation({ hub: { minimumClientVersion: '0.2.0' } });
  samuel = await signedIn(ws, 'dr.samuel.okafor', { appVersion: '0.2.0', deviceName: 'ED-PC01' });
  asha = await signedIn(ws, 'dr.asha.rao', { appVersion: '0.1.0', deviceName: 'WARD3B-PC01' });
  ({ conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.asha.rao')],
  }));
  for (const text of ['Bed 12 obs are stable.', 'Please review the potassium result when you can.'])
    await must(samuel, 'messages.send', {
      conversationId,
      text,
      urgent: false,
      ackRequired: false,
      patient: null,
    });
});
afterAll(() => ws?.close());

describe("a workstation below the hub's minimum version", () => {
  it('knows it must be updated, and says which version the hub requires', async () => {
    expect(await must<UpdateStatusView>(asha, 'updates.status')).toMatchObject({
      currentVersion: '0.1.0',
      minimumVersion: '0.2.0',
      updateRequired: true,
    });
    expect(await must<UpdateStatusView>(samuel, 'updates.status')).toMatchObject({ updateRequired: false });
  });

  it('still reads what is sent to it', async () => {
    await eventually('Asha has both messages', async () => (await page(asha)).length === 2);
    expect((await page(asha)).map((m) => m.verdict)).toEqual(['valid', 'valid']);
  });

  it('sends nothing: each sending call is refused as update_required, and nothing waits in the outbox', async () => {
    const attempts = [
      ask(asha, 'messages.send', {
        conversationId,
        text: 'Seen, thanks.',
        urgent: false,
        ackRequired: false,
        patient: null,
      }),
      ask(asha, 'conversations.create', { kind: 'direct', memberIds: [userId(ws.stack, 'dr.lena.fischer')] }),
      ask(asha, 'messages.typing', { conversationId, typing: true }),
    ];
    for (const result of await Promise.all(attempts)) {
      expect(result).toMatchObject({ ok: false, error: { code: 'update_required' } });
      if (!result.ok) expect(result.error.message).toMatch(/below the minimum the hub requires \(0\.2\.0\)/);
    }
    const newest = (await page(asha)).at(-1)!;
    expect(await ask(asha, 'messages.markRead', { conversationId, uptoSeq: newest.seq })).toMatchObject({
      ok: false,
      error: { code: 'update_required' },
    });
    expect(asha.connection.current().queued).toBe(0);
    expect((await page(asha)).every((m) => m.senderUserId === userId(ws.stack, 'dr.samuel.okafor'))).toBe(
      true,
    );
  });

  it('while the up-to-date workstation goes on sending', async () => {
    await must(samuel, 'messages.send', {
      conversationId,
      text: 'Thanks.',
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    await eventually('Asha reads the third message', async () => (await page(asha)).length === 3);
  });
});
