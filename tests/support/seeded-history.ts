// A long conversation history written straight into a signed-in core's encrypted store, through the
// store's own ingest (the step after verification), so a UI test can scroll 100,000 messages without
// sealing and verifying each one first. The conversation itself is real: created through the contract.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Core } from '../../src/main/core';
import type { IncomingMessage } from '../../src/main/core/messages';

const words = 'obs stable reviewed bloods sent plan discharge ward round bed potassium ecg chart'.split(' ');

/** The text of message `n` (1-based): says which one it is, so a test can check order. */
export const seededText = (n: number): string =>
  `Note ${n}: ${Array.from({ length: 4 + (n % 9) }, (_, i) => words[(n * 7 + i * 3) % words.length]).join(' ')}`;

/**
 * Writes `count` messages (message n at the seq n after what is stored) into `core`'s store, alternating between the signed-in users of
 * `senders` (their own devices), `stepMs` apart and ending now, in batches of 1,000.
 */
export function seedHistory(
  core: Core,
  conversationId: string,
  options: { count: number; senders: Core[]; stepMs: number },
): void {
  const messages = core.messaging()?.messages;
  if (!messages) throw new Error('seedHistory needs a signed-in core');
  const senders = options.senders.map((sender) => sender.session.active().device);
  const start = Date.now() - options.count * options.stepMs;
  // After what the chain already holds: the conversation's signed create entry is seq 1.
  let base = 0;
  while (messages.hashAtSeq(conversationId, base + 1) !== null) base++;
  let prev: string | null = messages.hashAtSeq(conversationId, base);
  for (let from = 1; from <= options.count; from += 1_000) {
    const batch: IncomingMessage[] = [];
    for (let n = from; n < Math.min(from + 1_000, options.count + 1); n++) {
      const sender = senders[n % senders.length]!;
      const envelope = new Uint8Array(randomBytes(64));
      const hash = createHash('sha256').update(envelope).digest('hex');
      const time = new Date(start + n * options.stepMs).toISOString();
      batch.push({
        conversationId,
        seq: base + n,
        envelopeId: randomUUID(),
        senderUserId: sender.userId,
        senderDeviceId: sender.deviceId,
        serverTime: time,
        clientTime: time,
        hash,
        prev: prev ? [prev] : [],
        envelope,
        verdict: {
          ok: true,
          payload: {
            v: 1,
            kind: 'text',
            text: seededText(n),
            urgent: n % 97 === 0,
            ackRequired: false,
            patient: null,
          },
        },
      });
      prev = hash;
    }
    messages.ingest(batch);
  }
}
