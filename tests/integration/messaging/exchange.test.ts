// The delivery promise under fire: two staff exchange messages while the hub is killed -9 and restarted.
// Nothing may be lost, duplicated or reordered, and nothing may raise a false alarm. SOAK_SCALE=full (npm run
// soak) runs 10,000 messages across 20 restarts; the test suite runs 2,000 across 5.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { userId } from '../../stack/hub/hub-test-kit';
import { connected, must, twoClinicians, type Workstation } from '../../support/workstation';

const full = process.env.SOAK_SCALE === 'full';
const TOTAL = Number(process.env.CM_EXCHANGE_TOTAL ?? (full ? 10_000 : 2_000));
const RESTARTS = full ? 20 : 5;

let ws: Workstation;
let asha: Core;
let samuel: Core;

beforeAll(async () => {
  ({ ws, asha, samuel } = await twoClinicians());
}, 180_000);
afterAll(async () => ws?.close());

/** How many envelopes the hub holds (through a read-only look at its database). */
async function hubCount(): Promise<number> {
  const Database = (await import('better-sqlite3-multiple-ciphers')).default;
  const db = new Database(join(ws.stack.dataDir, 'hub', 'hub.db'), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM envelopes').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Every message a core has stored for the conversation, in seq order (not the chain's control entries). */
function history(core: Core, conversationId: string) {
  const messages = core.messaging()!.messages;
  return messages
    .verificationRecords(conversationId)
    .filter((r) => r.seq !== null && messages.bySeq(conversationId, r.seq) !== null)
    .sort((a, b) => a.seq! - b.seq!)
    .map((r) => {
      const stored = messages.bySeq(conversationId, r.seq!)!;
      return {
        seq: r.seq!,
        envelopeId: r.envelopeId,
        verdict: r.verdict,
        text: stored.payload?.text ?? null,
      };
    });
}

it(
  `exchanges ${TOTAL.toLocaleString('en')} messages across ${RESTARTS} hub kill -9 restarts: none lost, none duplicated, order kept`,
  { timeout: 900_000 },
  async () => {
    const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'direct',
      memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
    });
    const sent: Record<string, string[]> = { asha: [], samuel: [] };
    const every = TOTAL / RESTARTS;
    let restarts = 0;
    for (let i = 0; i < TOTAL; i++) {
      const who = i % 3 === 0 ? 'samuel' : 'asha';
      const text = `${who} message ${i}`;
      await must(who === 'asha' ? asha : samuel, 'messages.send', {
        conversationId,
        text,
        urgent: i % 50 === 0,
        ackRequired: false,
        patient: null,
      });
      sent[who]!.push(text);
      if ((i + 1) % every === 0) {
        await ws.stack.hub.kill('SIGKILL');
        // Messages written while the hub is down wait in the outbox.
        for (let j = 0; j < 5 && i + 1 < TOTAL; j++, i++) {
          const offlineText = `asha message ${i + 1}`;
          await must(asha, 'messages.send', {
            conversationId,
            text: offlineText,
            urgent: false,
            ackRequired: false,
            patient: null,
          });
          sent.asha!.push(offlineText);
        }
        await ws.stack.hub.restart();
        restarts++;
        // Let the connections come back and the outboxes drain a little before the next kill.
        await Promise.all([connected(asha, 60_000), connected(samuel, 60_000)]);
        console.log(`exchange: ${i + 1} written, restart ${restarts}, hub holds ${await hubCount()}`);
      }
    }
    expect(restarts).toBeGreaterThanOrEqual(RESTARTS);
    await connected(asha, 120_000);
    await connected(samuel, 120_000);

    // Cheap checks while waiting (the full history is compared once, after).
    const settled = (core: Core) =>
      core.messaging()!.messages.outboxSize() === 0 &&
      core.messaging()!.messages.bySeq(conversationId, TOTAL + 1) !== null; // seq 1: the create entry
    const deadline = Date.now() + 600_000;
    while (!(settled(asha) && settled(samuel))) {
      if (Date.now() > deadline) throw new Error('the two sides did not converge');
      await new Promise((r) => setTimeout(r, 500));
    }

    for (const core of [asha, samuel]) {
      const h = history(core, conversationId);
      // Seq 1 holds the conversation's signed create entry; the messages follow it without a gap.
      expect(h.map((m) => m.seq)).toEqual(Array.from({ length: TOTAL }, (_, k) => k + 2));
      expect(new Set(h.map((m) => m.envelopeId)).size).toBe(TOTAL);
      expect(h.filter((m) => m.verdict !== 'valid')).toEqual([]);
      for (const who of ['asha', 'samuel'] as const) {
        expect(h.filter((m) => m.text?.startsWith(`${who} `)).map((m) => m.text)).toEqual(sent[who]);
      }
      expect(core.messaging()!.messages.alerts(conversationId)).toEqual([]);
    }
    console.log(
      `exchange: ${TOTAL} messages, ${restarts} hub kill -9 restarts, 0 lost, 0 duplicated, order kept on both sides`,
    );
  },
);
