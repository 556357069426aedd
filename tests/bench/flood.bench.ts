// Hostile flood: whoever holds the hub's files pours 20,000 items that are not envelopes into a conversation
// (bad base64, random bytes, crafted envelopes with deeply nested headers), then the hub pushes 20,000
// envelopes it does not have. Measures the main thread's longest block while Dr Samuel Okafor's workstation
// (an app core in this process) syncs past all of it (perf_hooks.monitorEventLoopDelay: max and p99), beside
// the raw primitives it runs per item, in the same run. Target: longest block under 100 ms. Prints, never asserts.
// BENCH_SCALE=smoke floods 1,000 items. Needs the OS keychain: `npm run bench` runs under with-keychain.sh.
import { randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { splitEnvelope } from '../../src/main/core/envelope/wire';
import { checkEnvelopeItem, SyncResult } from '../../src/shared/hub-protocol';
import { appendEnvelopes, userId } from '../stack/hub/hub-test-kit';
import { connected, eventually, must, signedIn, startWorkstation } from '../support/workstation';
import { benchScale, isolateFromOtherProcesses, measureLoop, printTable, type Figure } from './report';

const N = benchScale() === 'smoke' ? 1_000 : 20_000;
const TARGET_MS = 100;

/** Wire bytes of a format 2 envelope whose header is `depth` nested arrays (signature and body random). */
function deeplyNested(depth: number): Uint8Array {
  const header = Buffer.from('['.repeat(depth) + ']'.repeat(depth));
  const body = randomBytes(64);
  const wire = Buffer.alloc(4 + 4 + header.length + 4 + body.length + 64);
  wire.write('CME2', 0, 'latin1');
  wire.writeUInt32BE(header.length, 4);
  header.copy(wire, 8);
  wire.writeUInt32BE(body.length, 8 + header.length);
  body.copy(wire, 12 + header.length);
  return wire;
}

/** Every fifth item bad base64, every fiftieth a crafted 64 KiB-deep header, the rest random bytes. */
function junkPayload(i: number): string {
  if (i % 50 === 0) return Buffer.from(deeplyNested(32 * 1024)).toString('base64');
  if (i % 5 === 0) return `not base64 #${i}`;
  return randomBytes(96).toString('base64');
}

process.env.CM_HUB_FAULT_INJECTION = '1';
const ws = await startWorkstation();
try {
  const asha = await signedIn(ws, 'dr.asha.rao');
  const samuel = await signedIn(ws, 'dr.samuel.okafor');
  const samuelId = userId(ws.stack, 'dr.samuel.okafor');
  const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'group',
    memberIds: [samuelId],
  });
  const lastSeqOf = async () =>
    (await must<{ conversationId: string; lastSeq: number }[]>(samuel, 'conversations.list')).find(
      (c) => c.conversationId === conversationId,
    )?.lastSeq ?? 0;
  const payloads = Array.from({ length: N }, (_, i) => junkPayload(i));

  // The raw primitives, in this run.
  const items = payloads.map((payload, i) => ({
    conversationId,
    seq: i + 1,
    envelopeId: randomUUID(),
    senderUserId: samuelId,
    senderDeviceId: 'WARD3B-PC01',
    payload,
    serverTime: new Date().toISOString(),
  }));
  const page = JSON.stringify({ envelopes: items.slice(0, 500), more: true });
  const crafted = deeplyNested(32 * 1024);
  const primitives: Figure[] = [
    measureLoop('checkEnvelopeItem (one junk item)', N, (i) => checkEnvelopeItem(items[i % N])),
    measureLoop('JSON.parse + SyncResult (a 500-item page)', 20, () => SyncResult.parse(JSON.parse(page))),
    measureLoop('splitEnvelope (a 64 KiB-deep crafted header)', 2_000, () => splitEnvelope(crafted)),
  ];

  // Once the workstations and the stack are up (their processes and threads keep the normal policy).
  const priority = isolateFromOtherProcesses();

  // 1. Stored junk: the hub restarts with it in its store and Samuel's workstation syncs past it.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const last = (
    await appendEnvelopes(
      ws.stack,
      conversationId,
      payloads.map((payload) => ({
        envelopeId: randomUUID(),
        userId: samuelId,
        deviceId: 'WARD3B-PC01',
        payload,
      })),
    )
  ).at(-1)!;
  histogram.enable();
  const storedStart = process.hrtime.bigint();
  await eventually(
    'Samuel has synced past the stored junk',
    async () => (await lastSeqOf()) >= last,
    900_000,
  );
  await connected(samuel);
  const storedSeconds = Number(process.hrtime.bigint() - storedStart) / 1e9;
  histogram.disable();
  const stored = { max: histogram.max / 1e6, p99: histogram.percentile(99) / 1e6 };

  // 2. Pushed junk: N envelopes the hub does not have, pushed to Samuel's connections, then one real message.
  await connected(asha);
  histogram.reset();
  histogram.enable();
  const pushedStart = process.hrtime.bigint();
  // In requests of 1,000 (the hub caps a request's body), back to back.
  for (let from = 0; from < items.length; from += 1_000) {
    const response = await fetch(`${ws.stack.hub.origin}/faults/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ws.stack.hub.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: samuelId,
        event: 'Envelope',
        items: items.slice(from, from + 1_000).map((item, i) => ({ ...item, seq: last + 2 + from + i })),
      }),
    });
    if (!response.ok) throw new Error(`faults/push answered ${response.status}`);
  }
  await must(asha, 'messages.send', {
    conversationId,
    text: 'Bed 12 reviewed, potassium rechecked',
    urgent: false,
    ackRequired: false,
    patient: null,
  });
  await eventually('Samuel has the message after the pushed flood', async () => (await lastSeqOf()) > last);
  await samuel.messaging()!.idle();
  const pushedSeconds = Number(process.hrtime.bigint() - pushedStart) / 1e9;
  histogram.disable();
  const pushed = { max: histogram.max / 1e6, p99: histogram.percentile(99) / 1e6 };

  printTable(`Raw primitives (${N.toLocaleString('en-US')}-item flood, same run)`, primitives);
  printTable('The flood, end to end', [
    { name: 'stored junk synced past (items)', ops: N, seconds: storedSeconds, rate: N / storedSeconds },
    { name: 'pushed junk handled (pushes)', ops: N, seconds: pushedSeconds, rate: N / pushedSeconds },
  ]);
  console.log('\nMain thread, longest block (event loop delay histogram, 10 ms resolution)');
  console.log(`(${priority})`);
  for (const [name, figures] of [
    ['stored flood', stored],
    ['pushed flood', pushed],
  ] as const) {
    const met = figures.max < TARGET_MS ? 'target met' : 'target NOT met';
    console.log(
      `${name.padEnd(14)} | max ${figures.max.toFixed(1).padStart(7)} ms | p99 ${figures.p99.toFixed(1).padStart(7)} ms | < ${TARGET_MS} ms | ${met}`,
    );
  }
} finally {
  await ws.close();
}
