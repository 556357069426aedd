/**
 * Worker-thread entry of the open pool (started by open-pool.ts; never imported by anything else). It holds
 * the receiving device's X25519 key pair (sent once, in workerData) and runs openEnvelopeWith on jobs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sodium } from '../crypto';
import { EnvelopeRejected, openEnvelopeWith, rejectionReasons, type SenderKey } from './open';
import {
  conversationKeyId,
  type ConversationKeyEntry,
  type FromWorker,
  type ItemResult,
  type KeyTableEntry,
  type ToWorker,
  type WorkerInit,
} from './worker-protocol';

class NeedKey extends Error {
  constructor(
    readonly userId: string,
    readonly deviceId: string,
  ) {
    super('sender key not in the job');
  }
}

const s = await sodium();
const { device } = workerData as WorkerInit;
const me = {
  userId: device.userId,
  deviceId: device.deviceId,
  openSealed: (sealed: Uint8Array) =>
    s.crypto_box_seal_open(sealed, device.encryptionPublicKey, device.encryptionSecretKey),
};
const port = parentPort!;

function keyTable(entries: KeyTableEntry[]): (userId: string, deviceId: string) => SenderKey | null {
  const table = new Map(entries.map((e) => [`${e.userId}\n${e.deviceId}`, e.key]));
  return (userId, deviceId) => {
    const key = table.get(`${userId}\n${deviceId}`);
    if (key === undefined) throw new NeedKey(userId, deviceId);
    return key;
  };
}

const afterMembership = rejectionReasons.indexOf('not-member');

function conversationKeyTable(entries: ConversationKeyEntry[]) {
  const table = new Map(entries.map((e) => [conversationKeyId(e.conversationId, e.keyId), e.key]));
  return (conversationId: string, keyId: string) =>
    table.get(conversationKeyId(conversationId, keyId)) ?? null;
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'crash-for-fault-injection') {
    throw new Error('worker crashed on purpose (fault injection)');
  }
  const { jobId, offsets, hubs } = message;
  const all = new Uint8Array(message.bytes);
  const lookup = keyTable(message.keys);
  const conversationKey = conversationKeyTable(message.conversationKeys);
  const results: ItemResult[] = [];
  try {
    for (let i = 0; i < hubs.length; i++) {
      const bytes = all.subarray(offsets[i], offsets[i + 1]);
      // The sender the header named: the main thread checks its membership in seq order (it may defer it).
      let asked: string | undefined;
      const senderKey = (userId: string, deviceId: string) => {
        asked = userId;
        return lookup(userId, deviceId);
      };
      try {
        const opened = openEnvelopeWith(s, { bytes, hub: hubs[i]!, me, senderKey, conversationKey });
        results.push({ ok: true, header: opened.header, payload: opened.payload, hash: opened.hash });
      } catch (err) {
        if (err instanceof EnvelopeRejected) {
          const late = asked !== undefined && rejectionReasons.indexOf(err.reason) > afterMembership;
          results.push(
            late
              ? { ok: false, reason: err.reason, senderUserId: asked! }
              : { ok: false, reason: err.reason },
          );
        } else if (err instanceof NeedKey)
          results.push({ need: { userId: err.userId, deviceId: err.deviceId } });
        else throw err;
      }
    }
  } catch (err) {
    port.postMessage({
      type: 'failed',
      jobId,
      message: err instanceof Error ? err.name : 'unknown error',
    } satisfies FromWorker);
    return;
  } finally {
    for (const entry of message.conversationKeys) s.memzero(entry.key);
  }
  port.postMessage({ type: 'done', jobId, results } satisfies FromWorker);
});
