import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asMessage,
  createOpenPool,
  EnvelopeRejected,
  OpenPoolFailed,
  openEnvelope,
  sealEnvelope,
  sealEnvelopeV2,
  type OpenPool,
  type OpenPoolItem,
  type OpenResult,
} from '../../../src/main/core/envelope';
import { directory, hubFor, testDevice, textPayload, type TestDevice } from './helpers';

let alice: TestDevice;
let bob: TestDevice;
let carol: TestDevice;
let mallory: TestDevice;
let pool: OpenPool;

beforeAll(async () => {
  alice = await testDevice('alice');
  bob = await testDevice('bob');
  carol = await testDevice('carol');
  mallory = await testDevice('mallory');
  pool = createOpenPool({ workers: 2, device: bob.workerSecrets(), chunkSize: 8 });
});

afterAll(async () => {
  await pool?.close();
});

const senderKey = () => directory([alice, bob, carol]);

async function envelope(n: number, overrides: { sender?: TestDevice } = {}): Promise<OpenPoolItem> {
  const sender = overrides.sender ?? (n % 2 ? alice : carol);
  const sealed = await sealEnvelope({
    sender,
    conversationId: 'conv-1',
    envelopeId: randomUUID(),
    clientTime: new Date().toISOString(),
    prev: [],
    payload: textPayload(`message number ${n}`),
    recipients: [bob, carol].map((d) => ({
      userId: d.userId,
      deviceId: d.deviceId,
      encryptionPublicKey: d.encryptionPublicKey,
    })),
  });
  return { bytes: sealed.bytes, hub: hubFor(sealed, n) };
}

async function singleThread(items: OpenPoolItem[]): Promise<OpenResult[]> {
  const out: OpenResult[] = [];
  for (const item of items) {
    try {
      out.push({ ok: true, value: await openEnvelope({ ...item, me: bob, senderKey: senderKey() }) });
    } catch (err) {
      out.push({ ok: false, error: err as EnvelopeRejected });
    }
  }
  return out;
}

function summary(results: OpenResult[]) {
  return results.map((r) =>
    r.ok ? { hash: r.value.hash, header: r.value.header, payload: r.value.payload } : r.error.reason,
  );
}

describe('open pool (worker threads)', () => {
  it('opens a batch in order with the same results as the single-thread path, rejected envelopes included', async () => {
    const items: OpenPoolItem[] = [];
    for (let n = 0; n < 60; n++) items.push(await envelope(n));
    // attacks among valid envelopes
    items[5] = { ...items[5]!, hub: { ...items[5]!.hub, envelopeId: randomUUID() } }; // header-mismatch
    const flipped = items[17]!.bytes.slice();
    flipped[flipped.byteLength - 80]! ^= 1;
    items[17] = { ...items[17]!, bytes: flipped }; // bad-signature
    items[30] = await envelope(30, { sender: mallory }); // unknown-sender-device
    items[41] = { ...items[41]!, bytes: items[41]!.bytes.subarray(0, 50) }; // malformed
    // the header names Carol while the hub says Alice: the worker must ask the main thread for Carol's key
    items[50] = {
      ...items[50]!,
      hub: { ...items[50]!.hub, senderUserId: alice.userId, senderDeviceId: alice.deviceId },
    };

    const pooled = await pool.open(items, senderKey());
    const single = await singleThread(items);
    expect(summary(pooled)).toEqual(summary(single));
    expect(pooled.filter((r) => r.ok)).toHaveLength(55);
    const reasons = pooled.flatMap((r, i) => (r.ok ? [] : [[i, r.error.reason]]));
    expect(reasons).toEqual([
      [5, 'header-mismatch'],
      [17, 'bad-signature'],
      [30, 'unknown-sender-device'],
      [41, 'malformed'],
      [50, 'header-mismatch'],
    ]);
    const rejected = pooled[5]!;
    expect(!rejected.ok && rejected.error).toBeInstanceOf(EnvelopeRejected);
    const first = pooled[0]!;
    expect(first.ok && asMessage(first.value.payload)?.text).toBe('message number 0');
  });

  it('opens format 2 envelopes with only the conversation keys their headers name, and tells which sender a late rejection is about', async () => {
    const keyOf = new Map([
      ['a'.repeat(32), crypto.getRandomValues(new Uint8Array(32))],
      ['b'.repeat(32), crypto.getRandomValues(new Uint8Array(32))],
    ]);
    const items: OpenPoolItem[] = [];
    for (let n = 0; n < 20; n++) {
      const keyId = n < 15 ? 'a'.repeat(32) : 'b'.repeat(32);
      const sealed = await sealEnvelopeV2({
        sender: n % 2 ? alice : carol,
        conversationId: 'conv-1',
        envelopeId: randomUUID(),
        clientTime: new Date().toISOString(),
        prev: [],
        payload: textPayload(`message number ${n}`),
        conversationKey: { keyId, key: keyOf.get(keyId)! },
      });
      items.push({ bytes: sealed.bytes, hub: hubFor(sealed, n) });
    }
    items[3] = { ...items[3]!, hub: { ...items[3]!.hub, envelopeId: randomUUID() } }; // header-mismatch
    // This device has key "a" but not key "b" yet: those wait ('awaiting-key').
    const asked: string[] = [];
    const conversationKey = (_conversationId: string, keyId: string) => {
      asked.push(keyId);
      return keyId === 'a'.repeat(32) ? keyOf.get(keyId)! : null;
    };
    const pooled = await pool.open(items, senderKey(), conversationKey);
    const single: OpenResult[] = [];
    for (const item of items) {
      try {
        single.push({
          ok: true,
          value: await openEnvelope({ ...item, me: bob, senderKey: senderKey(), conversationKey }),
        });
      } catch (err) {
        single.push({ ok: false, error: err as EnvelopeRejected });
      }
    }
    expect(summary(pooled)).toEqual(summary(single));
    expect(pooled.map((r) => (r.ok ? 'ok' : r.error.reason))).toEqual([
      ...['ok', 'ok', 'ok', 'header-mismatch'],
      ...Array<string>(11).fill('ok'),
      ...Array<string>(5).fill('awaiting-key'),
    ]);
    // A rejection after the membership step names the header's sender (the engine checks membership itself).
    const late = pooled[3]!;
    expect(!late.ok && late.senderUserId).toBe(alice.userId);
    expect(new Set(asked)).toEqual(new Set(['a'.repeat(32), 'b'.repeat(32)]));
    // The caller's keys are copied for the workers, never wiped in place.
    expect(keyOf.get('a'.repeat(32))!.some((byte) => byte !== 0)).toBe(true);
  });

  it('keeps batches apart when several are in flight', async () => {
    const a = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => envelope(n)));
    const b = await Promise.all([11, 12, 13].map((n) => envelope(n)));
    const [ra, rb] = await Promise.all([pool.open(a, senderKey()), pool.open(b, senderKey())]);
    expect(ra.map((r) => r.ok && asMessage(r.value.payload)?.text)).toEqual(
      a.map((_, i) => `message number ${i + 1}`),
    );
    expect(rb.map((r) => r.ok && asMessage(r.value.payload)?.text)).toEqual([
      'message number 11',
      'message number 12',
      'message number 13',
    ]);
  });

  it('rejects the pending batch with a typed error when a worker crashes, then restarts the worker', async () => {
    const items = await Promise.all(Array.from({ length: 40 }, (_, n) => envelope(n)));
    const startedBefore = pool.started;
    pool.crashWorkerForFaultInjection(0);
    const failed = pool.open(items, senderKey());
    await expect(failed).rejects.toBeInstanceOf(OpenPoolFailed);
    await expect(failed).rejects.toMatchObject({ code: 'envelope_pool_failed' });
    const again = await pool.open(items, senderKey());
    expect(again.every((r) => r.ok)).toBe(true);
    expect(pool.started).toBe(startedBefore + 1);
  });

  it('gives up on a worker script that cannot start, and says so', async () => {
    const broken = createOpenPool({
      workers: 1,
      device: bob.workerSecrets(),
      workerEntry: { url: new URL('./does-not-exist.js', import.meta.url), execArgv: [] },
    });
    try {
      await expect(broken.open([await envelope(1)], senderKey())).rejects.toBeInstanceOf(OpenPoolFailed);
    } finally {
      await broken.close();
    }
  });

  it('works under tsx as well as under vitest', async () => {
    const script = new URL('./pool-under-tsx.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)('npx', ['tsx', script], {
      cwd: process.cwd(),
      timeout: 60_000,
    });
    expect(stdout.trim().split('\n').at(-1)).toBe('pool-under-tsx: 3 opened, 1 rejected (bad-signature)');
  });
});
