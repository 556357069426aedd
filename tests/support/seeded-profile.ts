/**
 * A large profile for the benchmarks (issue 17): `total` messages spread over `conversations` conversations,
 * written through the product's ingest() in 1,000-row batches. Deterministic text (a Zipf-like vocabulary);
 * every message from someone else and unread, 5% urgent, 0.5% junk (failed verification).
 * BENCH_SCALE=smoke: 10,000 / 200; mid: 100,000 / 2,000 (the full width on a machine too busy for full);
 * full: 1,000,000 / 2,000.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, MessageStore } from '../../src/main/core/messages';
import { benchScale } from '../bench/report';

export const RARE_TERM = 'zanubrutinib'; // ~0.05% of messages
export const COMMON_TERM = 'patient'; // ~15% of messages
const BATCH = 1_000;

export type ProfileScale = 'smoke' | 'mid' | 'full';

/** BENCH_SCALE=smoke|mid|full (default full) and the profile size it means. */
export function profileScale(): { scale: ProfileScale; total: number; conversations: number } {
  const scale: ProfileScale = process.env.BENCH_SCALE === 'mid' ? 'mid' : benchScale();
  return {
    scale,
    total: { smoke: 10_000, mid: 100_000, full: 1_000_000 }[scale],
    conversations: scale === 'smoke' ? 200 : 2_000,
  };
}

export interface SeededProfile {
  conversationIds: string[];
  messages: number;
  /** The UTF-8 bytes of every message's text (junk has none: it is stored without text). */
  textBytes: number;
  /** The bytes of every message's envelope as stored: 48 random bytes each, far less than a real sealed one. */
  envelopeBytes: number;
  /** Wall seconds the ingest took. */
  seconds: number;
}

/**
 * Creates the conversations and ingests the messages into `messages`; `progress` is called every 100,000
 * rows (for the full sizes, which take minutes).
 */
export function seedProfile(
  messages: MessageStore,
  options: {
    total: number;
    conversations: number;
    /** The profile's own user, a member of every conversation. */
    selfUserId?: string;
    /** The first message's time (ms); one second between messages. 2026-01-01 by default. */
    startTime?: number;
    progress?: (done: number, seconds: number) => void;
  },
): SeededProfile {
  let seed = 0x2545f491;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pra', 'dol', 'gen', 'hep', 'cor'];
  const vocabulary = Array.from({ length: 3000 }, () =>
    Array.from({ length: 2 + Math.floor(rand() * 3) }, () => syllables[Math.floor(rand() * 14)]).join(''),
  );
  /** Zipf-like: low indexes are much more frequent. */
  const word = () => vocabulary[Math.floor(Math.exp(rand() * Math.log(vocabulary.length))) - 1]!;
  const text = (): string => {
    const words: string[] = [];
    if (rand() < 0.15) words.push(COMMON_TERM);
    if (rand() < 0.0005) words.push(RARE_TERM);
    while (words.join(' ').length < 80) words.push(word());
    return words.sort(() => rand() - 0.5).join(' ');
  };

  const conversationIds = Array.from({ length: options.conversations }, () => randomUUID());
  const nextSeq = new Array<number>(options.conversations).fill(1);
  const t0 = options.startTime ?? Date.parse('2026-01-01T00:00:00.000Z');
  let made = 0;
  let textBytes = 0;
  let envelopeBytes = 0;
  const makeBatch = (n: number): IncomingMessage[] =>
    Array.from({ length: n }, (): IncomingMessage => {
      const c = Math.floor(rand() * options.conversations);
      const envelope = new Uint8Array(randomBytes(48));
      envelopeBytes += envelope.byteLength;
      const time = new Date(t0 + made++ * 1000).toISOString();
      const senderUserId = `user-${Math.floor(rand() * 10)}`;
      const junk = rand() < 0.005;
      const body = junk ? '' : text();
      textBytes += Buffer.byteLength(body, 'utf8');
      return {
        conversationId: conversationIds[c]!,
        seq: nextSeq[c]!++,
        envelopeId: randomUUID(),
        senderUserId,
        senderDeviceId: 'device-1',
        serverTime: time,
        clientTime: time,
        hash: createHash('sha256').update(envelope).digest('hex'),
        prev: [],
        envelope,
        verdict: junk
          ? { ok: false, reason: 'bad-signature' }
          : {
              ok: true,
              payload: {
                v: 1,
                kind: 'text',
                text: body,
                urgent: rand() < 0.05,
                ackRequired: false,
                patient: null,
              },
            },
      };
    });

  for (const id of conversationIds)
    messages.upsertConversation({
      conversationId: id,
      kind: 'group',
      members: [options.selfUserId ?? 'user-me', 'user-1'],
      createdAt: new Date(t0).toISOString(),
    });
  const start = Date.now();
  for (let done = 0; done < options.total; done += BATCH) {
    messages.ingest(makeBatch(Math.min(BATCH, options.total - done)));
    if (done > 0 && done % 100_000 === 0) options.progress?.(done, (Date.now() - start) / 1000);
  }
  return {
    conversationIds,
    messages: options.total,
    textBytes,
    envelopeBytes,
    seconds: (Date.now() - start) / 1000,
  };
}
