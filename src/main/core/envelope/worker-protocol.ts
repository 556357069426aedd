import type { EntryPayload, AnyEnvelopeHeader } from './schema';
import type { HubMetadata, RejectionReason, SenderKey } from './open';

/** The receiving device's keys a worker needs to open sealed message keys: the X25519 pair, nothing else. */
export interface WorkerDeviceSecrets {
  userId: string;
  deviceId: string;
  encryptionPublicKey: Uint8Array;
  encryptionSecretKey: Uint8Array;
}

export interface WorkerInit {
  device: WorkerDeviceSecrets;
}

/** A directory answer the main thread looked up for a worker; `key: null` means "not in the directory". */
export interface KeyTableEntry {
  userId: string;
  deviceId: string;
  key: SenderKey | null;
}

/** A conversation key (format 2) a header of the job names: a copy, wiped by the worker after the job. */
export interface ConversationKeyEntry {
  conversationId: string;
  keyId: string;
  key: Uint8Array;
}

/** How a job's conversation keys are found: one conversation's key id. */
export const conversationKeyId = (conversationId: string, keyId: string): string =>
  `${conversationId}\n${keyId}`;

export type ToWorker =
  | {
      type: 'open';
      jobId: number;
      /** All envelopes of the job back to back; item i is bytes[offsets[i], offsets[i + 1]). Transferred. */
      bytes: ArrayBuffer;
      offsets: Uint32Array;
      hubs: HubMetadata[];
      keys: KeyTableEntry[];
      conversationKeys: ConversationKeyEntry[];
    }
  | { type: 'crash-for-fault-injection' };

export type ItemResult =
  | { ok: true; header: AnyEnvelopeHeader; payload: EntryPayload; hash: string }
  /** `senderUserId`: the header's sender, when the rejection came from a step after membership (open.ts step 4). */
  | { ok: false; reason: RejectionReason; senderUserId?: string }
  /** The header names a sender the job's key table does not cover: the main thread looks it up and retries. */
  | { need: { userId: string; deviceId: string } };

export type FromWorker =
  { type: 'done'; jobId: number; results: ItemResult[] } | { type: 'failed'; jobId: number; message: string };
