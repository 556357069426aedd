// Catch-up: workstations that were closed while messages piled up on the real hub open again. Measures how
// fast the messaging engine catches up (sync → verify → open → decrypt → store, with receipts), once with the
// envelopes opened on the worker pool (Asha, parallelOpen: true), once as shipped (Lena: the pool after
// LONG_CATCH_UP envelopes) and once on the main thread only (Meera, parallelOpen: false), one after the other,
// against the same envelopes ingested locally on one thread (openEnvelope + one-transaction batches) in the same
// run. Target ≥ 0.5. At full scale it runs after 10,000 and after 200,000
// missed messages, each on a fresh hub (sending 200,000 through the client takes about five minutes);
// BENCH_CATCHUP_N=10000,50000 sets other sizes. Needs the OS keychain: `npm run bench` runs under
// tests/setup/with-keychain.sh.
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '../../src/main/core/crypto';
import { openEnvelope } from '../../src/main/core/envelope';
import { loadDevice } from '../../src/main/core/keys';
import { createMessageStore, type IncomingMessage } from '../../src/main/core/messages';
import { keyIdOfEnvelope } from '../../src/main/core/messaging/conversation-keys-service';
import { createConversationKeyStore } from '../../src/main/core/messaging/conversation-keys';
import { openProfileStore, profileStoreKey } from '../../src/main/core/store';
import { LONG_CATCH_UP, type Core } from '../../src/main/core';
import type { SessionState } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { conversationReached, must, signedIn, startWorkstation } from '../support/workstation';
import {
  benchScale,
  cpuSpent,
  cpuTotal,
  describeCpu,
  printRatios,
  printTable,
  ratio,
  sampleCpu,
  shortestWall,
  type CpuSpan,
  type Figure,
} from './report';

const SIZES =
  benchScale() === 'smoke'
    ? [1_000]
    : process.env.BENCH_CATCHUP_N
      ? process.env.BENCH_CATCHUP_N.split(',').map(Number)
      : [10_000, 200_000];
if (!SIZES.every((n) => Number.isInteger(n) && n > 0))
  throw new Error('BENCH_CATCHUP_N must be positive whole numbers, separated by commas');
const BATCH = 500;
const CORES = availableParallelism();

/**
 * Where each catch-up's CPU went, and the best the pool could do on this machine: no faster than its main thread's
 * own CPU time (the engine's in-order checks and SQLite's one writer are on it), and no faster than all its CPU,
 * the hub's included, spread over every core. And the bound that holds however the work is split: the main-thread
 * run's own CPU (its V8 collector threads, the sign-in's workers and the hub too) spread over every core.
 */
function printCeiling(pool: CpuSpan, main: CpuSpan): void {
  console.log('\nWhere the CPU went (seconds, and cores busy on average over the catch-up)');
  console.log(`worker pool: ${describeCpu(pool.spent, pool.seconds, 'the hub')}`);
  console.log(`main thread: ${describeCpu(main.spent, main.seconds, 'the hub')}`);
  const byMainThread = main.seconds / pool.spent.mainThread;
  const byCores = main.seconds / (cpuTotal(pool.spent) / CORES);
  const anySplit = main.seconds / (cpuTotal(main.spent) / CORES);
  console.log(
    `ceiling for pool ÷ main thread on ${CORES} cores, with the pool's work as measured: ${(main.seconds / shortestWall(pool.spent)).toFixed(2)} ` +
      `(its main thread alone ${byMainThread.toFixed(2)}, all its CPU over the cores ${byCores.toFixed(2)})`,
  );
  console.log(
    `ceiling for any split that adds no work: ${anySplit.toFixed(2)} (the main-thread run already kept ` +
      `${(cpuTotal(main.spent) / main.seconds).toFixed(2)} of ${CORES} cores busy)`,
  );
}

/** One catch-up after `N` missed messages, on a workstation (and hub) of its own. */
async function catchUpAfter(N: number): Promise<void> {
  const ws = await startWorkstation();
  try {
    const asha = await signedIn(ws, 'dr.asha.rao', { parallelOpen: true });
    const meera = await signedIn(ws, 'opd.meera.nair', { parallelOpen: false });
    const lena = await signedIn(ws, 'dr.lena.fischer'); // as shipped
    const samuel = await signedIn(ws, 'dr.samuel.okafor');
    const { conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
      kind: 'group',
      memberIds: [
        userId(ws.stack, 'dr.asha.rao'),
        userId(ws.stack, 'opd.meera.nair'),
        userId(ws.stack, 'dr.lena.fischer'),
      ],
    });
    const away = async (core: Core): Promise<string> => {
      // Once the conversation has reached her: the catch-up then carries only messages.
      await conversationReached(core, conversationId);
      const state = await must<SessionState>(core, 'session.setPin', { pin: '1470' });
      if (state.status !== 'active') throw new Error('not signed in');
      await must(core, 'session.switchUser');
      return state.profile.profileId;
    };
    const ashaProfile = await away(asha);
    const meeraProfile = await away(meera);
    const lenaProfile = await away(lena);
    const ashaDevice = await loadDevice(ws.keychain, ashaProfile);

    const text = 'x'.repeat(1000);
    const sent = async (): Promise<void> => {
      while (samuel.messaging()!.messages.outboxSize() > 0) await new Promise((r) => setTimeout(r, 50));
    };
    for (let i = 0; i < N; i++) {
      // Sends alone never leave the event loop (the store is synchronous): every 100 sends Samuel's hub link gets
      // its turn, or a long run would starve it until it times out. Every 1,000 he is active (or his session
      // idle-locks and refuses the rest), and every 10,000 his outbox catches up with him.
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      if (i % 1_000 === 0) await must(samuel, 'session.activity');
      if (i % 10_000 === 0) await sent();
      await must(samuel, 'messages.send', {
        conversationId,
        text: `${i} ${text}`,
        urgent: false,
        ackRequired: false,
        patient: null,
      });
    }
    await sent();
    const records = samuel
      .messaging()!
      .messages.verificationRecords(conversationId)
      .filter((r) => r.seq !== null);
    const lastSeq = records.reduce((max, r) => Math.max(max, r.seq!), 0);

    // The product: each opens her profile again and the engine catches up from the hub.
    // Where the CPU goes meanwhile, the hub's too: it shares this machine's cores (on a ward PC it is elsewhere).
    const cpu = new Map<string, CpuSpan>();
    const catchUp = async (core: Core, profileId: string, name: string): Promise<Figure> => {
      const before = sampleCpu([ws.stack.hub.pid]);
      const start = process.hrtime.bigint();
      await must(core, 'session.signIn', { profileId });
      await must(core, 'session.unlockWithPin', { pin: '1470' });
      while (core.messaging()?.messages.bySeq(conversationId, lastSeq) == null)
        await new Promise((r) => setTimeout(r, 5));
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      cpu.set(name, { spent: cpuSpent(before, sampleCpu([ws.stack.hub.pid])), seconds });
      const pooled = core.messaging()!.pooledOpens;
      return { name, ops: N, seconds, rate: N / seconds, note: `${pooled} opened on workers` };
    };
    const pooledCatchUp = await catchUp(asha, ashaProfile, 'catch-up, worker pool (unlock → all stored)');
    // As shipped before the main thread only: if a later run gained from the hub's warm caches, the main thread would.
    const shippedCatchUp = await catchUp(
      lena,
      lenaProfile,
      `catch-up as shipped (the pool after ${LONG_CATCH_UP.toLocaleString('en-US')})`,
    );
    const serialCatchUp = await catchUp(meera, meeraProfile, 'catch-up, main thread only');

    // Local ingest of the very same envelopes into a fresh encrypted store.
    const samuelKey = (
      await loadDevice(
        ws.keychain,
        (await must<SessionState & { status: 'active' }>(samuel, 'session.current')).profile.profileId,
      )
    ).signingPublicKey;
    // The conversation keys (format 2) Asha's engine opened from the grants, read from her profile beforehand.
    const ashaStore = openProfileStore({
      file: join(ws.appDataDirOf(asha), 'profiles', ashaProfile, 'profile.db'),
      key: await profileStoreKey(ws.keychain, ashaProfile),
    });
    const conversationKeys = new Map<string, Uint8Array>();
    const ashaKeys = createConversationKeyStore(ashaStore);
    for (const r of records) {
      const keyId = keyIdOfEnvelope(r.envelope);
      const key = keyId ? ashaKeys.get(conversationId, keyId) : null;
      if (keyId && key) conversationKeys.set(keyId, key);
    }
    ashaStore.close();
    const store = openProfileStore({
      file: join(mkdtempSync(join(tmpdir(), 'cm-bench-')), 'local.db'),
      key: randomBytes(32),
    });
    const local = createMessageStore(store, {
      selfUserId: ashaDevice.userId,
      selfDeviceId: ashaDevice.deviceId,
    });
    const localStart = process.hrtime.bigint();
    for (let i = 0; i < records.length; i += BATCH) {
      const batch: IncomingMessage[] = [];
      for (const r of records.slice(i, i + BATCH)) {
        const hub = {
          conversationId,
          envelopeId: r.envelopeId,
          senderUserId: r.senderUserId,
          senderDeviceId: r.senderDeviceId,
          seq: r.seq!,
          serverTime: r.serverTime!,
        };
        const opened = await openEnvelope({
          bytes: r.envelope,
          hub,
          me: ashaDevice,
          senderKey: () => ({ signingPublicKey: samuelKey, currentMember: true }),
          conversationKey: (_conversation, keyId) => conversationKeys.get(keyId) ?? null,
        });
        batch.push({
          ...hub,
          clientTime: opened.header.clientTime,
          hash: opened.hash,
          prev: opened.header.prev,
          envelope: r.envelope,
          verdict: { ok: true, payload: opened.payload },
        });
      }
      local.ingest(batch);
    }
    const localSeconds = Number(process.hrtime.bigint() - localStart) / 1e9;
    const localIngest: Figure = {
      name: 'local ingest of the same envelopes',
      ops: records.length,
      seconds: localSeconds,
      rate: records.length / localSeconds,
    };
    store.close();

    printTable(`Catch-up after ${N.toLocaleString('en-US')} missed messages (1 KiB text)`, [
      pooledCatchUp,
      serialCatchUp,
      shippedCatchUp,
      localIngest,
    ]);
    printRatios('Ratios', [
      ratio('catch-up (pool) ÷ local one-thread ingest', pooledCatchUp, localIngest, 0.5),
      ratio('catch-up (main thread) ÷ local one-thread ingest', serialCatchUp, localIngest),
      ratio('catch-up pool ÷ main thread', pooledCatchUp, serialCatchUp, 1.9),
      ratio('catch-up as shipped ÷ main thread', shippedCatchUp, serialCatchUp),
    ]);
    printCeiling(cpu.get(pooledCatchUp.name)!, cpu.get(serialCatchUp.name)!);
  } finally {
    await ws.close();
  }
}

for (const n of SIZES) await catchUpAfter(n);
