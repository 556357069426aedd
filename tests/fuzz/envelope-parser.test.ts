// Issue 13: whatever bytes reach Dr Samuel Okafor's workstation as an envelope (random bytes, a real envelope
// from Dr Asha Rao with bytes flipped, cut short or spliced, a well-framed envelope around a crafted header),
// opening it ends in a valid open of exactly the bytes she signed, or a typed refusal (EnvelopeRejected,
// `envelope_rejected`): never another error, never a forged message opened.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EnvelopeRejected,
  envelopeHash,
  envelopeMagic,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
  type SealedEnvelope,
} from '../../src/main/core/envelope';
import { directory, hubFor, testDevice, textPayload, type TestDevice } from '../unit/envelope/helpers';
import { createTally, scale } from './support/tally';

const RUNS = scale(1_000, 20_000);
const tally = createTally('envelope-parser');

let asha: TestDevice;
let samuel: TestDevice;
let sealed: SealedEnvelope;

beforeAll(async () => {
  asha = await testDevice('dr.asha.rao');
  samuel = await testDevice('dr.samuel.okafor');
  sealed = await sealEnvelope({
    sender: asha,
    conversationId: 'conv-ward-3b',
    envelopeId: randomUUID(),
    clientTime: '2026-12-03T07:00:00.000Z',
    prev: ['0'.repeat(64)],
    payload: textPayload('Bed 12 potassium 6.9, please review'),
    recipients: [asha, samuel].map((d) => ({
      userId: d.userId,
      deviceId: d.deviceId,
      encryptionPublicKey: d.encryptionPublicKey,
    })),
    compliance: null,
  });
});
afterAll(() => tally.print());

/** Opens `bytes` as Dr Okafor; 'opened' with its hash, or the refusal reason; anything else is recorded. */
async function attempt(target: string, bytes: Uint8Array): Promise<string> {
  const counts = tally.get(target);
  counts.inputs++;
  let parsed: unknown;
  try {
    parsed = parseEnvelope(bytes);
  } catch (error) {
    counts.crashes++;
    return `parseEnvelope threw ${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
  try {
    const opened = await openEnvelope({
      bytes,
      hub: hubFor(sealed, 2),
      me: samuel,
      senderKey: directory([asha, samuel]),
    });
    if (parsed === null) return 'opened what parseEnvelope called malformed';
    return `opened ${opened.hash}`;
  } catch (error) {
    if (error instanceof EnvelopeRejected && error.code === 'envelope_rejected') {
      counts.refused++;
      return 'refused';
    }
    counts.crashes++;
    return `threw ${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
}

const mutation = (): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    // bytes flipped
    fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((flips) => {
        const out = sealed.bytes.slice();
        for (const [at, x] of flips) out[at % out.length]! ^= x;
        return out;
      }),
    // cut short, or grown
    fc.nat().map((n) => sealed.bytes.slice(0, n % sealed.bytes.length)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => new Uint8Array([...sealed.bytes, ...tail])),
    // a slice of random bytes spliced in
    fc.tuple(fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 64 })).map(([a, b, insert]) => {
      const [from, to] = [a % sealed.bytes.length, b % sealed.bytes.length].sort((x, y) => x - y);
      return new Uint8Array([...sealed.bytes.subarray(0, from), ...insert, ...sealed.bytes.subarray(to)]);
    }),
    // the length fields lie
    fc.tuple(fc.constantFrom(4, 8), fc.nat({ max: 0xffffffff })).map(([at, value]) => {
      const out = sealed.bytes.slice();
      const headerLen = new DataView(out.buffer).getUint32(4);
      new DataView(out.buffer).setUint32(at === 4 ? 4 : 8 + headerLen, value);
      return out;
    }),
  );

/** Right magic and framing around a header of the attacker's choosing (deep nesting, huge, not JSON). */
const craftedHeader = (): fc.Arbitrary<Uint8Array> =>
  fc
    .oneof(
      fc.json({ depthSize: 'large' }),
      fc.nat({ max: 100_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
      fc.nat({ max: 100_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
      fc.string({ unit: 'binary', maxLength: 200 }),
    )
    .map((header) => {
      const h = new TextEncoder().encode(header);
      const out = new Uint8Array(4 + 4 + h.length + 4 + 16 + 64);
      const view = new DataView(out.buffer);
      out.set(envelopeMagic, 0);
      view.setUint32(4, h.length);
      out.set(h, 8);
      view.setUint32(8 + h.length, 16);
      return out;
    });

describe('the envelope parser, with any bytes', () => {
  it('opens the envelope Dr Rao sealed, unchanged (the base every mutation starts from)', async () => {
    expect(await attempt('envelope: the sealed original', sealed.bytes)).toBe(
      `opened ${envelopeHash(sealed.bytes)}`,
    );
  });

  it.each([
    ['envelope: random bytes', () => fc.uint8Array({ maxLength: 4096 })],
    [
      'envelope: random bytes behind the magic',
      () =>
        fc
          .tuple(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 4096 }))
          .map(([v, rest]) => new Uint8Array([0x43, 0x4d, 0x45, 0x30 + v, ...rest])),
    ],
    ['envelope: a sealed envelope mutated', mutation],
    ['envelope: crafted header (deep, huge, not JSON)', craftedHeader],
  ] as const)('%s: a typed refusal, or the original opened', async (target, arbitrary) => {
    const original = `opened ${envelopeHash(sealed.bytes)}`;
    await fc.assert(
      fc.asyncProperty(arbitrary(), async (bytes) => {
        const outcome = await attempt(target, bytes);
        expect(['refused', original]).toContain(outcome);
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 1313) },
    );
  });
});
