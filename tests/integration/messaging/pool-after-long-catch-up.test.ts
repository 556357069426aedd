// The worker pool takes over a catch-up only once it is long (issue 17): on two cores it pays over a long
// catch-up and costs more than it saves over a short one. Two colleagues come back to the same 1,100 missed messages on
// the real hub: Meera's engine hands the pages after the first 500 envelopes to the pool, each page's opening
// started while the page before it is stored; Lena's runs as shipped (the pool after LONG_CATCH_UP, 5,000
// envelopes). Both store the same rows; only Meera's used the workers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { userId } from '../../stack/hub/hub-test-kit';
import {
  allMessages,
  conversationReached,
  stepAway,
  caughtUp,
  eventually,
  messagePage,
  must,
  sendText,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

const MISSED = 1_100;
const POOL_AFTER = 500; // one Sync page: the second page on is opened on the pool

let ws: Workstation;
let asha: Core;
let meera: Core;
let lena: Core;

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, 'dr.asha.rao');
  meera = await signedIn(ws, 'opd.meera.nair', { parallelOpen: { afterEnvelopes: POOL_AFTER } });
  lena = await signedIn(ws, 'dr.lena.fischer');
}, 240_000);
afterAll(async () => ws?.close());

it(
  'opens a catch-up on the main thread until it is long, then on the worker pool, with the same rows',
  { timeout: 300_000 },
  async () => {
    const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'group',
      memberIds: [userId(ws.stack, 'opd.meera.nair'), userId(ws.stack, 'dr.lena.fischer')],
    });
    const away = async (core: Core) => {
      await conversationReached(core, conversationId);
      return stepAway(core);
    };
    const meeraProfile = await away(meera);
    const lenaProfile = await away(lena);

    for (let i = 0; i < MISSED; i++) {
      // Sends alone never leave the event loop: every 100, Asha's hub link gets its turn and she is active.
      if (i % 100 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        await must(asha, 'session.activity');
      }
      await sendText(asha, conversationId, `handover note ${i}`);
    }
    await eventually('the outbox is sent', async () => asha.messaging()!.messages.outboxSize() === 0);
    const lastSeq = Math.max(...(await messagePage(asha, conversationId)).map((m) => m.seq ?? 0));

    await caughtUp(meera, meeraProfile, conversationId, lastSeq);
    await caughtUp(lena, lenaProfile, conversationId, lastSeq);
    const rows = async (core: Core) =>
      (await allMessages(core, conversationId)).map((m) => [m.seq, m.verdict, m.reason, m.text]);
    const meeraRows = await rows(meera);
    expect(meeraRows).toEqual(await rows(lena));
    expect(meeraRows.filter(([, verdict]) => verdict === 'valid')).toHaveLength(MISSED);
    // Meera's first page opened on the main thread, the rest on the workers (but for a last part too small for
    // them); Lena's engine never started a worker.
    const pooled = meera.messaging()!.pooledOpens;
    expect(pooled).toBeGreaterThanOrEqual(MISSED - POOL_AFTER - 63);
    expect(pooled).toBeLessThanOrEqual(MISSED - POOL_AFTER);
    expect(lena.messaging()!.pooledOpens).toBe(0);
    // Her pages after the first had their opening started on the pool while the page before them was stored.
    expect(meera.messaging()!.pagesOpenedAhead).toBeGreaterThanOrEqual(1);
    expect(lena.messaging()!.pagesOpenedAhead).toBe(0);
  },
);
