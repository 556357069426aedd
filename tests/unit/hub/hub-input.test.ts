// What the hub sends is checked item by item, in linear time, before any heavy work (issue 13, "Sync and hub
// input"): a bad item of a Sync page is refused alone, base64 is checked without a regex (which throws
// RangeError near 4.45 million characters), and crafted nesting in an envelope is refused before JSON.parse.
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeLimits } from '../../../src/main/core/envelope/schema';
import { jsonDepthWithin, maxHeaderDepth, splitEnvelope } from '../../../src/main/core/envelope/wire';
import { fromBase64 } from '../../../src/main/core/crypto';
import { checkHubResult } from '../../../src/main/core/hub';
import { createLogger } from '../../../src/main/core/log/logger';
import {
  checkEnvelopeItem,
  isBase64,
  MAX_ENVELOPE_BYTES,
  MAX_ENVELOPE_PAYLOAD_CHARS,
  SyncResult,
} from '../../../src/shared/hub-protocol';

const oldPattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64ish = fc.string({
  unit: fc.constantFrom(...'ABCDEFabcdef0123456789+/=-_ \n%'.split('')),
  maxLength: 64,
});

const envelope = (fields: Record<string, unknown> = {}) => ({
  conversationId: 'conv-ward3b',
  seq: 7,
  envelopeId: randomUUID(),
  senderUserId: 'user-asha',
  senderDeviceId: 'WARD3B-PC01',
  payload: randomBytes(90).toString('base64'),
  serverTime: '2026-12-03T07:00:00.000Z',
  ...fields,
});

describe('base64 without a regex', () => {
  it('accepts exactly what the old pattern accepted, on short strings', () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        expect(isBase64(text)).toBe(oldPattern.test(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it('accepts every encoding of random bytes, and decodes it back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(isBase64(text)).toBe(true);
        expect(fromBase64(text)).toEqual(new Uint8Array(bytes));
      }),
    );
  });

  it('checks 14 million characters without a RangeError (where the old pattern throws)', () => {
    const huge = randomBytes(10 * 1024 * 1024).toString('base64');
    expect(() => oldPattern.test(huge)).toThrow(RangeError);
    expect(isBase64(huge)).toBe(true);
    expect(fromBase64(huge)?.byteLength).toBe(10 * 1024 * 1024);
  });
});

describe('a Sync page, item by item', () => {
  it('keeps the size limit in step with the envelope format', () => {
    expect(MAX_ENVELOPE_BYTES).toBe(
      4 + 4 + envelopeLimits.maxHeaderBytes + 4 + envelopeLimits.maxBodyBytes + 64,
    );
  });

  it('refuses a 10 MB item as too large, by its length alone', () => {
    const payload = randomBytes(10 * 1024 * 1024).toString('base64');
    expect(payload.length).toBeGreaterThan(MAX_ENVELOPE_PAYLOAD_CHARS);
    const checked = checkEnvelopeItem(envelope({ payload }));
    expect(checked).toMatchObject({
      ok: false,
      refused: { conversationId: 'conv-ward3b', seq: 7, reason: 'too-large', payload: null },
    });
  });

  it('refuses the bad items alone and keeps the rest of the page', () => {
    const good = [envelope({ conversationId: 'conv-d', seq: 3 }), envelope({ seq: 9 })];
    const raw = {
      envelopes: [
        good[0],
        envelope({ seq: 4, payload: '%%% not base64 %%%' }),
        envelope({ seq: 5, envelopeId: 'not-a-guid' }),
        envelope({ seq: 6, serverTime: 'soon' }),
        envelope({ seq: 7, senderUserId: 'x'.repeat(5_000) }),
        envelope({ seq: -1, payload: 'junk' }),
        'not even an object',
        good[1],
      ],
      more: false,
    };
    const violations: unknown[] = [];
    const page = checkHubResult('Sync', raw, {
      log: createLogger({ level: 'silent' }),
      onProtocolViolation: (v) => violations.push(v),
    });
    expect(page.envelopes).toEqual(good);
    expect(page.refused.map((r) => [r.seq, r.reason])).toEqual([
      [4, 'malformed'],
      [5, 'malformed'],
      [6, 'malformed'],
      [7, 'malformed'],
    ]);
    expect(page.refused[1]).toMatchObject({ envelopeId: null, senderUserId: 'user-asha' });
    expect(page.refused[3]).toMatchObject({ senderUserId: null });
    expect(page.unplaceable).toBe(2);
    expect(violations).toHaveLength(1); // one report per page, not one per item
  });

  it('never throws, whatever an item holds', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 20 }), fc.boolean(), (items, more) => {
        const parsed = SyncResult.safeParse({ envelopes: items, more });
        expect(parsed.success).toBe(true);
        const page = parsed.data!;
        expect(page.envelopes.length + page.refused.length + page.unplaceable).toBe(items.length);
      }),
      { numRuns: 2_000 },
    );
  });

  it('still refuses a page whose frame is wrong (too many items, no `more`)', () => {
    expect(SyncResult.safeParse({ envelopes: new Array(1_001).fill(envelope()), more: false }).success).toBe(
      false,
    );
    expect(SyncResult.safeParse({ envelopes: [] }).success).toBe(false);
  });
});

describe('nesting limits before JSON.parse', () => {
  it('measures depth outside strings only', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(jsonDepthWithin(bytes('{"a":[{"b":"[[[[[[[[{{{{"}]}'), 3)).toBe(true);
    expect(jsonDepthWithin(bytes('{"a":"\\"[[[["}'), 1)).toBe(true);
    expect(jsonDepthWithin(bytes('[[[[1]]]]'), 3)).toBe(false);
  });

  it('refuses a crafted envelope with a deeply nested header as malformed, cheaply', () => {
    const header = new TextEncoder().encode('['.repeat(200_000) + ']'.repeat(200_000));
    const body = randomBytes(40);
    const wire = new Uint8Array(4 + 4 + header.byteLength + 4 + body.byteLength + 64);
    const view = new DataView(wire.buffer);
    wire.set([0x43, 0x4d, 0x45, 0x32], 0);
    view.setUint32(4, header.byteLength);
    wire.set(header, 8);
    view.setUint32(8 + header.byteLength, body.byteLength);
    wire.set(body, 12 + header.byteLength);
    expect(jsonDepthWithin(header, maxHeaderDepth)).toBe(false);
    expect(splitEnvelope(wire)).toBeNull();
  });
});
