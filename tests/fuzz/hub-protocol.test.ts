// Issue 13: whatever the hub sends (random frames, frames shaped like the protocol but wrong, real-looking
// Sync pages with junk items mixed in: bad base64, 10-million-character payloads, wrong types), the client's
// validators answer with the checked value or a typed `hub_protocol_error`, never another throw; an event
// handler only ever sees a payload that passed its schema; and one bad item of a Sync page is refused alone.
//
// The hub validators and envelope limits are being hardened by another engineer at the same time: failures
// here in their area are counted in the "open (*)" column and listed in the failure message, not fixed here.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/main/core/errors';
import { checkHubResult, guardEventHandler } from '../../src/main/core/hub/validate';
import { createLogger } from '../../src/main/core/log/logger';
import {
  checkEnvelopeItem,
  HubEvents,
  HubResults,
  MAX_ENVELOPE_PAYLOAD_CHARS,
  type HubEventName,
  type HubMethodName,
  type SyncResult,
} from '../../src/shared/hub-protocol';
import { createTally, FULL, scale } from './support/tally';
import { shapedLike } from './support/zod-arbitrary';

const RUNS = scale(150, 3_000);
const SEED = Number(process.env.FUZZ_SEED ?? 1313);
const tally = createTally('hub-protocol');
const sink = {
  log: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
};
afterAll(() => tally.print());

/** Random frames, frames shaped like the schema, and shaped frames with one field broken. */
function frames(schema: z.ZodType): fc.Arbitrary<unknown> {
  const shaped = shapedLike(schema);
  return fc.oneof(
    shaped,
    fc.anything({ maxDepth: 4 }),
    fc.tuple(shaped, fc.anything({ maxDepth: 2 }), fc.nat()).map(([frame, wrong, pick]) => {
      if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return wrong;
      const keys = Object.keys(frame);
      return keys.length ? { ...frame, [keys[pick % keys.length]!]: wrong } : wrong;
    }),
  );
}

describe('hub method results, random and mutated', () => {
  it.each(Object.keys(HubResults) as HubMethodName[])(
    '%s: the checked answer or hub_protocol_error, nothing else',
    (method) => {
      const counts = tally.get(`hub result ${method}`);
      fc.assert(
        fc.property(frames(HubResults[method] as z.ZodType), (frame) => {
          counts.inputs++;
          try {
            checkHubResult(method, frame, sink);
          } catch (error) {
            if (error instanceof AppError && error.code === 'hub_protocol_error') {
              counts.refused++;
              return;
            }
            counts.crashes++;
            throw error;
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
  );
});

describe('hub events, random and mutated', () => {
  it.each(Object.keys(HubEvents) as HubEventName[])(
    '%s: the handler sees only payloads that pass the schema, and nothing throws',
    (event) => {
      const counts = tally.get(`hub event ${event}`);
      const schema = HubEvents[event] as z.ZodType;
      fc.assert(
        fc.property(frames(schema), fc.nat({ max: 2 }), (frame, extraArgs) => {
          counts.inputs++;
          let seen: unknown = 'not called';
          const guarded = guardEventHandler(event, (payload) => void (seen = payload), sink);
          try {
            guarded(frame, ...Array.from({ length: extraArgs }, () => frame));
          } catch (error) {
            counts.crashes++;
            throw error;
          }
          if (seen === 'not called') counts.refused++;
          else expect(schema.safeParse(seen).success).toBe(true);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
  );
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const goodItem = (seq: number, conversationId = 'conv-ward-3b') => ({
  conversationId,
  seq,
  envelopeId: randomUUID(),
  senderUserId: 'dr.asha.rao',
  senderDeviceId: 'device-ward3b-pc01',
  payload: b64(`CME1 envelope ${seq}`),
  serverTime: '2026-12-03T07:00:00.000Z',
});
/** The junk a hostile or broken hub mixes into a page (issue 13's cases, and more). */
const junkItem = (seq: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant({ ...goodItem(seq), payload: '%%% not base64 %%%' }),
    fc.constant({
      ...goodItem(seq),
      payload: 'A'.repeat(FULL ? 10_000_000 : MAX_ENVELOPE_PAYLOAD_CHARS + 4),
    }),
    fc.constant({ ...goodItem(seq), payload: 'QUJD'.repeat(1_112_500) }), // ~4.45 million characters
    fc.constant({ ...goodItem(seq), seq: -seq }),
    fc.constant({ ...goodItem(seq), envelopeId: 'not-a-guid' }),
    fc.constant({ ...goodItem(seq), serverTime: 'yesterday' }),
    fc.anything({ maxDepth: 3 }),
  );

describe('a Sync page with bad items mixed in', () => {
  it('keeps every good item and refuses each bad one alone (conversation D arrives despite junk in G)', () => {
    const counts = tally.get('hub Sync page with junk items');
    const page = fc
      .tuple(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), fc.nat())
      .chain(([kinds]) =>
        fc.tuple(
          ...kinds.map((good, i) =>
            good
              ? fc.constant({ good: true, item: goodItem(i + 1, 'conv-D') as unknown })
              : junkItem(i + 1).map((item) => ({ good: false, item })),
          ),
        ),
      );
    const failures: string[] = [];
    fc.assert(
      fc.property(page, (items) => {
        counts.inputs++;
        let checked: SyncResult;
        try {
          checked = checkHubResult('Sync', { envelopes: items.map((i) => i.item), more: false }, sink);
        } catch (error) {
          counts.knownOpen++;
          failures.push(
            `page of ${items.length} refused whole: ${(error as Error).name} ${(error as Error).message}`,
          );
          return;
        }
        const good = items.filter((i) => i.good).length;
        if (checked.envelopes.length < good) {
          counts.knownOpen++;
          failures.push(`kept ${checked.envelopes.length} of ${good} good items`);
        }
        if (checked.envelopes.length + checked.refused.length + checked.unplaceable !== items.length) {
          counts.knownOpen++;
          failures.push(`an item was neither kept nor refused (${items.length} sent)`);
        }
        counts.refused += items.length - checked.envelopes.length;
      }),
      { numRuns: scale(60, 600), seed: SEED },
    );
    tally.get('hub Sync page with junk items').note = failures.length
      ? 'OPEN: hub validators (other engineer)'
      : undefined;
    expect(failures, '[open: hub validators, another engineer] a bad item must be refused alone').toEqual([]);
  });

  it('checks any single item without throwing', () => {
    const counts = tally.get('hub envelope item');
    fc.assert(
      fc.property(fc.oneof(junkItem(7), frames(HubEvents.Envelope as z.ZodType)), (item) => {
        counts.inputs++;
        try {
          if (!checkEnvelopeItem(item).ok) counts.refused++;
        } catch (error) {
          counts.knownOpen++;
          throw error;
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
