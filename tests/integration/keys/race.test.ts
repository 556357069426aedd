// The race of format 1 is gone: while Dr Okafor sends a stream of messages, Dr Rao signs in at one new ward
// PC after another. Every message is readable on every one of her PCs (not only on those enrolled before the
// hub accepted it): none lost, none unreadable. SOAK_SCALE=full (npm run soak) runs the size: 1,000
// sends and 20 sign-ins; the test command runs a smaller one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { MessageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import { must, signedIn, startWorkstation, type Workstation } from '../../support/workstation';

const full = process.env.SOAK_SCALE === 'full';
const sends = full ? 1_000 : Number(process.env.RACE_SENDS ?? 150);
const signIns = full ? 20 : Number(process.env.RACE_SIGNINS ?? 4);

let ws: Workstation;

beforeAll(async () => {
  ws = await startWorkstation({ keyService: {} });
}, 180_000);
afterAll(async () => ws?.close());

/** Verified and other rows of a conversation, counted page by page (newest first). */
async function tally(core: Core, conversationId: string): Promise<{ valid: number; other: string[] }> {
  let valid = 0;
  const other: string[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await must<MessageView[]>(core, 'messages.page', {
      conversationId,
      limit: 200,
      ...(beforeSeq ? { beforeSeq } : {}),
    }).catch((error: unknown) => {
      other.push(String(error));
      return [] as MessageView[];
    });
    for (const m of page) {
      if (m.verdict === 'valid') valid++;
      else other.push(`${m.seq}: ${m.reason}`);
    }
    const oldest = page.at(-1)?.seq;
    if (page.length < 200 || !oldest || oldest <= 1) return { valid, other };
    beforeSeq = oldest;
  }
}

it(`${sends} sends interleaved with ${signIns} new-PC sign-ins: 0 lost, 0 unreadable`, async () => {
  const pcs: Core[] = [await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC00' })];
  const samuel = await signedIn(ws, 'dr.samuel.okafor');
  const { conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.asha.rao')],
  });
  const every = Math.floor(sends / signIns);
  let signingIn: Promise<void> = Promise.resolve();
  for (let i = 1; i <= sends; i++) {
    await must(samuel, 'messages.send', {
      conversationId,
      text: `obs ${i}: HR 88, BP 120/80`,
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    if (i % every === 0 && pcs.length <= signIns) {
      // The next sign-in starts while the sends go on: it races them, as a ward PC would.
      const n = pcs.length;
      signingIn = signingIn.then(async () => {
        pcs.push(await signedIn(ws, 'dr.asha.rao', { deviceName: `WARD3B-PC${String(n).padStart(2, '0')}` }));
      });
    }
  }
  await signingIn;
  expect(pcs).toHaveLength(signIns + 1);
  await samuel.messaging()!.idle();
  await expect.poll(() => samuel.messaging()!.messages.outboxSize(), { timeout: 120_000 }).toBe(0);
  for (const pc of pcs) {
    await expect
      .poll(() => tally(pc, conversationId), { timeout: 180_000, interval: 1_000 })
      .toEqual({ valid: sends, other: [] });
  }
}, 900_000);
