import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors';
import { startWorker, workerEntry, type WorkerEntry } from '../workers/worker-entry';
import {
  EnvelopeRejected,
  type ConversationKeyLookup,
  type HubMetadata,
  type OpenedEnvelope,
  type SenderKeyLookup,
} from './open';
import { splitEnvelope } from './wire';
import {
  type ConversationKeyEntry,
  conversationKeyId,
  type FromWorker,
  type ItemResult,
  type KeyTableEntry,
  type ToWorker,
  type WorkerDeviceSecrets,
} from './worker-protocol';

export type { WorkerDeviceSecrets } from './worker-protocol';
export type { WorkerEntry } from '../workers/worker-entry';

export interface OpenPoolItem {
  bytes: Uint8Array;
  hub: HubMetadata;
}

/**
 * One envelope's outcome, in the order of the batch: the same as openEnvelope returns or throws. A rejection
 * from a step after membership (open.ts step 4) names the header's sender, for a caller that checks
 * membership itself afterwards.
 */
export type OpenResult =
  { ok: true; value: OpenedEnvelope } | { ok: false; error: EnvelopeRejected; senderUserId?: string };

/** A worker died (or failed unexpectedly) while it held envelopes of this batch: retry the batch. */
export class OpenPoolFailed extends AppError {
  constructor(message: string) {
    super('envelope_pool_failed', message);
    this.name = 'OpenPoolFailed';
  }
}

export interface OpenPoolOptions {
  /** Number of worker threads (started now, reused). */
  workers: number;
  /** The receiving device's X25519 pair: `loadDeviceSecretsForWorker` from src/main/core/keys. */
  device: WorkerDeviceSecrets;
  /** Envelopes per message to a worker (default 64). */
  chunkSize?: number;
  /** Override the worker script (the packaged app points it at the bundled open-worker.js). */
  workerEntry?: WorkerEntry;
}

export interface OpenPool {
  /**
   * Opens a batch in parallel; results in the batch's order. Rejects only with OpenPoolFailed. Each job
   * carries copies of just the conversation keys its headers name (wiped once sent and in the worker after).
   */
  open(
    items: OpenPoolItem[],
    senderKey: SenderKeyLookup,
    conversationKey?: ConversationKeyLookup,
  ): Promise<OpenResult[]>;
  readonly size: number;
  /** Workers started so far, restarts included. */
  readonly started: number;
  /** Fault injection for tests: makes worker `index` throw an uncaught error on its next message. */
  crashWorkerForFaultInjection(index: number): void;
  /** Stops the workers; pending batches are rejected. */
  close(): Promise<void>;
}

/** The bundled open-worker.js beside the main bundle, or open-worker.ts from sources (worker-entry.ts). */
export function defaultWorkerEntry(): WorkerEntry {
  return workerEntry(import.meta.url, 'open-worker');
}

interface Batch {
  results: OpenResult[];
  remaining: number;
  failed: boolean;
  senderKey: SenderKeyLookup;
  conversationKey: ConversationKeyLookup | undefined;
  resolve: (results: OpenResult[]) => void;
  reject: (err: OpenPoolFailed) => void;
}

interface Job {
  id: number;
  batch: Batch;
  /** Indices into the batch. */
  indices: number[];
  items: OpenPoolItem[];
  /** Extra directory answers (for headers naming another sender than the hub). */
  extraKeys: KeyTableEntry[];
}

interface Slot {
  worker: Worker | null;
  inflight: Map<number, Job>;
  /** Crashes since this slot last finished a job; a slot that keeps crashing is given up. */
  crashes: number;
}

const maxInflightPerWorker = 2;
const maxConsecutiveCrashes = 3;

/**
 * A pool of worker threads that open envelopes (signature, sealed key, decryption, schemas) in parallel.
 * The secret X25519 key is copied to each worker once, at start (workerData); the signing key never leaves
 * the keychain closure. Directory lookups stay on the main thread: each job carries the keys of its senders.
 */
export function createOpenPool(options: OpenPoolOptions): OpenPool {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new AppError('invalid_args', 'An open pool needs at least one worker.');
  }
  const chunkSize = options.chunkSize ?? 64;
  const entry = options.workerEntry ?? defaultWorkerEntry();
  // Our own copy, wiped on close; the caller may wipe theirs once the pool is created.
  const device: WorkerDeviceSecrets = {
    userId: options.device.userId,
    deviceId: options.device.deviceId,
    encryptionPublicKey: options.device.encryptionPublicKey.slice(),
    encryptionSecretKey: options.device.encryptionSecretKey.slice(),
  };
  const queue: Job[] = [];
  let nextJobId = 1;
  let started = 0;
  let closed = false;

  function failBatch(batch: Batch, message: string): void {
    if (batch.failed) return;
    batch.failed = true;
    batch.reject(new OpenPoolFailed(message));
  }

  function spawn(slot: Slot): void {
    const worker = startWorker(entry, { device });
    started++;
    slot.worker = worker;
    worker.on('message', (message: FromWorker) => onMessage(slot, message));
    worker.on('error', () => {
      /* handled on 'exit', which always follows */
    });
    worker.on('exit', () => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      for (const job of slot.inflight.values()) {
        failBatch(job.batch, 'A message-verification worker stopped unexpectedly; the batch was not opened.');
      }
      slot.inflight.clear();
      if (closed) return;
      slot.crashes++;
      if (slot.crashes < maxConsecutiveCrashes) spawn(slot);
      else if (slots.every((s) => s.worker === null)) {
        for (const job of queue.splice(0))
          failBatch(job.batch, 'The message-verification workers cannot start.');
      }
      dispatch();
    });
  }

  const slots: Slot[] = Array.from({ length: options.workers }, () => ({
    worker: null,
    inflight: new Map(),
    crashes: 0,
  }));
  for (const slot of slots) spawn(slot);

  function post(slot: Slot, job: Job): void {
    const lengths = job.items.map((item) => item.bytes.byteLength);
    const offsets = new Uint32Array(job.items.length + 1);
    for (let i = 0; i < lengths.length; i++) offsets[i + 1] = offsets[i]! + lengths[i]!;
    const bytes = new Uint8Array(offsets[job.items.length]!);
    job.items.forEach((item, i) => bytes.set(item.bytes, offsets[i]));
    const keys = new Map<string, KeyTableEntry>();
    for (const e of job.extraKeys) keys.set(`${e.userId}\n${e.deviceId}`, e);
    for (const { hub } of job.items) {
      const id = `${hub.senderUserId}\n${hub.senderDeviceId}`;
      if (!keys.has(id)) {
        const key = job.batch.senderKey(hub.senderUserId, hub.senderDeviceId);
        keys.set(id, { userId: hub.senderUserId, deviceId: hub.senderDeviceId, key });
      }
    }
    const conversationKeys = conversationKeysOf(job);
    slot.inflight.set(job.id, job);
    const message: ToWorker = {
      type: 'open',
      jobId: job.id,
      bytes: bytes.buffer,
      offsets,
      hubs: job.items.map((item) => item.hub),
      keys: [...keys.values()],
      conversationKeys,
    };
    try {
      slot.worker!.postMessage(message, [bytes.buffer]);
    } finally {
      // postMessage has copied them (structured clone); these copies are ours to wipe.
      for (const entry of conversationKeys) entry.key.fill(0);
    }
  }

  /** Copies of the format 2 keys the job's headers name (read without verifying: the worker verifies). */
  function conversationKeysOf(job: Job): ConversationKeyEntry[] {
    const lookup = job.batch.conversationKey;
    const found = new Map<string, ConversationKeyEntry>();
    if (!lookup) return [];
    for (const { bytes } of job.items) {
      const parts = splitEnvelope(bytes);
      if (!parts || parts.version !== 2) continue;
      const { conversationId, keyId } = (parts.header ?? {}) as { conversationId?: unknown; keyId?: unknown };
      if (typeof conversationId !== 'string' || typeof keyId !== 'string') continue;
      const id = conversationKeyId(conversationId, keyId);
      if (found.has(id)) continue;
      const key = lookup(conversationId, keyId);
      if (key) found.set(id, { conversationId, keyId, key: key.slice() });
    }
    return [...found.values()];
  }

  function dispatch(): void {
    while (queue.length > 0) {
      if (queue[0]!.batch.failed) {
        queue.shift();
        continue;
      }
      let best: Slot | null = null;
      for (const slot of slots) {
        if (slot.worker && slot.inflight.size < maxInflightPerWorker) {
          if (!best || slot.inflight.size < best.inflight.size) best = slot;
        }
      }
      if (!best) return;
      post(best, queue.shift()!);
    }
  }

  function onMessage(slot: Slot, message: FromWorker): void {
    const job = slot.inflight.get(message.jobId);
    if (!job) return;
    slot.inflight.delete(message.jobId);
    slot.crashes = 0;
    const { batch } = job;
    if (message.type === 'failed') {
      failBatch(batch, 'A message-verification worker failed unexpectedly; the batch was not opened.');
    } else if (!batch.failed) {
      const retry: Job = { id: 0, batch, indices: [], items: [], extraKeys: [...job.extraKeys] };
      message.results.forEach((result: ItemResult, i) => {
        const index = job.indices[i]!;
        if ('need' in result) {
          const { userId, deviceId } = result.need;
          retry.indices.push(index);
          retry.items.push(job.items[i]!);
          retry.extraKeys.push({ userId, deviceId, key: batch.senderKey(userId, deviceId) });
          return;
        }
        batch.results[index] = result.ok
          ? { ok: true, value: { header: result.header, payload: result.payload, hash: result.hash } }
          : {
              ok: false,
              error: new EnvelopeRejected(result.reason),
              ...(result.senderUserId !== undefined ? { senderUserId: result.senderUserId } : {}),
            };
        batch.remaining--;
      });
      if (retry.items.length > 0) {
        retry.id = nextJobId++;
        queue.unshift(retry);
      } else if (batch.remaining === 0) {
        batch.resolve(batch.results);
      }
    }
    dispatch();
  }

  return {
    get size() {
      return slots.length;
    },
    get started() {
      return started;
    },
    open(items, senderKey, conversationKey) {
      if (closed) return Promise.reject(new OpenPoolFailed('The message-verification pool is closed.'));
      if (items.length === 0) return Promise.resolve([]);
      if (slots.every((s) => s.worker === null)) {
        return Promise.reject(new OpenPoolFailed('The message-verification workers cannot start.'));
      }
      return new Promise<OpenResult[]>((resolve, reject) => {
        const batch: Batch = {
          results: new Array<OpenResult>(items.length),
          remaining: items.length,
          failed: false,
          senderKey,
          conversationKey,
          resolve,
          reject,
        };
        for (let start = 0; start < items.length; start += chunkSize) {
          const end = Math.min(items.length, start + chunkSize);
          queue.push({
            id: nextJobId++,
            batch,
            indices: Array.from({ length: end - start }, (_, k) => start + k),
            items: items.slice(start, end),
            extraKeys: [],
          });
        }
        dispatch();
      });
    },
    crashWorkerForFaultInjection(index) {
      const worker = slots[index]?.worker;
      if (!worker) throw new AppError('invalid_args', 'No such worker.');
      worker.postMessage({ type: 'crash-for-fault-injection' } satisfies ToWorker);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) failBatch(job.batch, 'The message-verification pool was closed.');
      const stopping = slots.map((slot) => {
        const worker = slot.worker;
        for (const job of slot.inflight.values()) {
          failBatch(job.batch, 'The message-verification pool was closed.');
        }
        slot.inflight.clear();
        slot.worker = null;
        return worker?.terminate();
      });
      await Promise.all(stopping);
      device.encryptionSecretKey.fill(0);
    },
  };
}
