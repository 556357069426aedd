import { availableParallelism } from 'node:os';
import {
  createOpenPool,
  OpenPoolFailed,
  type ConversationKeyLookup,
  type OpenPool,
  type OpenPoolItem,
  type OpenResult,
  type WorkerDeviceSecrets,
  type WorkerEntry,
} from '../envelope';
import type { SenderKeyLookup } from '../envelope/open';
import { AppError } from '../errors';
import type { Logger } from '../log/logger';

export interface ParallelOpenOptions {
  /** The device's X25519 pair for the workers (`loadDeviceSecretsForWorker`), read at the first large batch. */
  workerSecrets: () => Promise<WorkerDeviceSecrets>;
  /** Batches smaller than this open on the main thread (a live push is not worth a round trip). Default 64. */
  minBatch?: number;
  /** Worker threads; by default one fewer than the cores, at least one and at most two (defaultWorkers). */
  workers?: number;
  workerEntry?: WorkerEntry;
  log: Logger;
}

export interface ParallelOpener {
  /**
   * Opens a large batch on the worker pool; null when the batch is small, the pool cannot start or it failed
   * on this batch (the caller opens it on the main thread then). Throws OpenPoolFailed only once closed.
   */
  open(
    items: OpenPoolItem[],
    senderKey: SenderKeyLookup,
    conversationKey: ConversationKeyLookup,
  ): Promise<OpenResult[] | null>;
  /** Envelopes opened on the pool so far. */
  readonly pooled: number;
  /** Stops the workers (sign-out, lock, switch user); the secret copies they hold go with them. */
  close(): Promise<void>;
}

/**
 * The main thread checks every opened envelope against the chain and stores it, so it is a catch-up's longest
 * path: it keeps a core of its own. On 2 cores one worker caught up 50,000 messages 1.27x faster than the main
 * thread alone, two workers 1.13x (docs/performance.md).
 */
const defaultWorkers = (): number => Math.max(1, Math.min(2, availableParallelism() - 1));

/** Started lazily: a profile that only ever sees live pushes never starts a worker or copies its key. */
export function createParallelOpener(options: ParallelOpenOptions): ParallelOpener {
  const minBatch = options.minBatch ?? 64;
  const { log } = options;
  let pool: Promise<OpenPool | null> | null = null;
  let closed = false;
  let pooled = 0;
  let warned = false;

  const warnOnce = (code: string) => {
    if (warned) return;
    warned = true;
    log.warn({ code }, 'parallel message verification unavailable; opening on the main thread');
  };

  async function start(): Promise<OpenPool | null> {
    let secrets: WorkerDeviceSecrets | null = null;
    try {
      secrets = await options.workerSecrets();
      const started = createOpenPool({
        workers: options.workers ?? defaultWorkers(),
        device: secrets,
        ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
      });
      if (closed) {
        await started.close();
        return null;
      }
      return started;
    } catch (error) {
      warnOnce(error instanceof AppError ? error.code : 'internal');
      return null;
    } finally {
      secrets?.encryptionSecretKey.fill(0);
    }
  }

  return {
    get pooled() {
      return pooled;
    },
    async open(items, senderKey, conversationKey) {
      if (items.length < minBatch) return null;
      if (closed) throw new OpenPoolFailed('The message-verification pool was closed.');
      const ready = await (pool ??= start());
      if (!ready) return null;
      try {
        const results = await ready.open(items, senderKey, conversationKey);
        pooled += results.length;
        return results;
      } catch (error) {
        if (closed || !(error instanceof OpenPoolFailed)) throw error;
        warnOnce(error.code);
        return null;
      }
    },
    async close() {
      closed = true;
      await (await pool)?.close();
    },
  };
}
