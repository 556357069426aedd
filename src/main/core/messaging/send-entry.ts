import { randomUUID } from 'node:crypto';
import { toBase64 } from '../crypto';
import { sealEnvelopeV2, type ChainEntryPayload } from '../envelope';
import { HubCallError, type HubClient } from '../hub';
import type { LoadedDevice } from '../keys';
import type { ChainEntry, MessageStore } from '../messages';
import type { SendResult } from '../../../shared/hub-protocol';

/** How often a send refused for stale recipients is sealed again before it counts as refused. */
export const maxStaleRetries = 3;

export interface EntrySender {
  hub: Pick<HubClient, 'call'>;
  device: LoadedDevice;
  messages: Pick<MessageStore, 'latestHashes'>;
  /** The conversation key to seal under (`conversationKeys.forSending`); `force` after `stale_recipients`. */
  keyForSending: (
    conversationId: string,
    members: string[],
    force?: boolean,
  ) => Promise<{ keyId: string; key: Uint8Array }>;
}

export interface SentEntry<P extends ChainEntryPayload> {
  /** The entry as sent, with the seq and time the hub answered (the caller checks the answer). */
  entry: ChainEntry<P>;
  bytes: Uint8Array;
  result: SendResult;
}

/**
 * Seals a state entry (control entry, acknowledgement) into the conversation (format 2) and sends it straight
 * to the hub, not through the outbox. On `stale_recipients` it is sealed again, same envelope id, for the
 * members `sealTo` gives after `beforeReseal`, at most `maxStaleRetries` times; then the hub's error is thrown.
 * Storing the entry is the caller's: each checks the hub's answer its own way.
 */
export async function sendEntry<P extends ChainEntryPayload>(
  sender: EntrySender,
  conversationId: string,
  payload: P,
  sealTo: () => string[],
  beforeReseal: () => Promise<void> = async () => undefined,
): Promise<SentEntry<P>> {
  const { hub, device } = sender;
  const envelopeId = randomUUID();
  const clientTime = new Date().toISOString();
  const prev = sender.messages.latestHashes(conversationId, 3);
  let key = await sender.keyForSending(conversationId, sealTo());
  for (let tries = 0; ; tries++) {
    const sealed = await sealEnvelopeV2({
      sender: device,
      conversationId,
      envelopeId,
      clientTime,
      prev,
      payload,
      conversationKey: key,
    });
    try {
      const result = await hub.call('Send', {
        envelopeId,
        conversationId,
        senderDeviceId: device.deviceId,
        payload: toBase64(sealed.bytes),
        keyId: key.keyId,
      });
      const entry: ChainEntry<P> = {
        conversationId,
        seq: result.seq,
        envelopeId,
        senderUserId: device.userId,
        senderDeviceId: device.deviceId,
        serverTime: result.serverTime,
        clientTime,
        hash: sealed.hash,
        prev,
        payload,
      };
      return { entry, bytes: sealed.bytes, result };
    } catch (error) {
      const stale = error instanceof HubCallError && error.hubCode === 'stale_recipients';
      if (!stale || tries >= maxStaleRetries) throw error;
      await beforeReseal();
      key = await sender.keyForSending(conversationId, sealTo(), true);
    }
  }
}
