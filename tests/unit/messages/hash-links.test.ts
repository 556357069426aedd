import { describe, expect, it } from 'vitest';
import { checkHashLinks, type LinkedEnvelope } from '../../../src/main/core/messages';

const h = (n: number) => n.toString(16).padStart(64, '0');
const env = (seq: number, prev: number[] = [seq - 1], hash = h(seq)): LinkedEnvelope => ({
  seq,
  hash,
  prev: prev.filter((p) => p > 0).map(h),
  envelopeId: `e${seq}-${hash.slice(-4)}`,
});

/** Stored messages 1..n with hash h(i). */
const storedUpTo = (n: number) => (hash: string) => {
  const seq = parseInt(hash, 16);
  return seq >= 1 && seq <= n ? seq : null;
};

describe('checkHashLinks', () => {
  it('a clean history raises nothing (first batch, next batch, several prevs, any order)', () => {
    expect(checkHashLinks(storedUpTo(0), 0, [env(1, []), env(2), env(3, [2, 1])])).toEqual([]);
    expect(checkHashLinks(storedUpTo(3), 3, [env(5, [4, 3]), env(4)])).toEqual([]);
    expect(checkHashLinks(storedUpTo(3), 3, [])).toEqual([]);
  });

  it('a seq jump is a gap naming the missing seqs', () => {
    expect(checkHashLinks(storedUpTo(3), 3, [env(4), env(7, [4])])).toEqual([
      { kind: 'gap', fromSeq: 5, toSeq: 6, details: { missing: 2 } },
    ]);
    // a gap right after the cursor
    expect(checkHashLinks(storedUpTo(3), 3, [env(6, [3])])).toEqual([
      { kind: 'gap', fromSeq: 4, toSeq: 5, details: { missing: 2 } },
    ]);
  });

  it('a prev hash neither stored nor in the batch is a missing predecessor naming the seq and the hash', () => {
    const stray = 'ab'.repeat(32);
    expect(checkHashLinks(storedUpTo(3), 3, [{ ...env(4), prev: [h(3), stray] }])).toEqual([
      {
        kind: 'missing-predecessor',
        fromSeq: 4,
        toSeq: 4,
        details: { envelopeId: 'e4-0004', missingHash: stray },
      },
    ]);
  });

  it('a prev naming a message with a higher seq is reordered', () => {
    // 4 names 5: the hub swapped their order
    expect(checkHashLinks(storedUpTo(3), 3, [env(4, [5]), env(5, [3])])).toEqual([
      {
        kind: 'reordered',
        fromSeq: 4,
        toSeq: 5,
        details: { envelopeId: 'e4-0004', prevHash: h(5), prevSeq: 5 },
      },
    ]);
  });

  it('the same seq delivered again with another envelope is altered (within a batch and against history)', () => {
    const other = 'cd'.repeat(32);
    expect(checkHashLinks(storedUpTo(3), 3, [env(4), env(4, [3], other)])).toEqual([
      {
        kind: 'altered',
        fromSeq: 4,
        toSeq: 4,
        details: {
          envelopeId: 'e4-0004',
          hash: h(4),
          otherEnvelopeId: `e4-${other.slice(-4)}`,
          otherHash: other,
        },
      },
    ]);
    // seq 2 was delivered before with h(2); now another one arrives
    expect(checkHashLinks(storedUpTo(3), 3, [env(2, [1], other)])).toEqual([
      {
        kind: 'altered',
        fromSeq: 2,
        toSeq: 2,
        details: { storedHash: null, otherEnvelopeId: `e2-${other.slice(-4)}`, otherHash: other },
      },
    ]);
    // with the stored hash at hand, the alert names it
    expect(
      checkHashLinks(storedUpTo(3), 3, [env(2, [1], other)], (seq) => h(seq))[0]!.details.storedHash,
    ).toBe(h(2));
  });

  it('a replay of stored envelopes is fine; a stored envelope moved to another seq is reordered', () => {
    expect(checkHashLinks(storedUpTo(3), 3, [env(2), env(3)])).toEqual([]);
    expect(checkHashLinks(storedUpTo(3), 3, [{ ...env(3), seq: 1 }])).toEqual([
      expect.objectContaining({ kind: 'reordered', fromSeq: 1, toSeq: 3 }),
    ]);
  });

  it('with storedHashAt, a late arrival filling a hole below the cursor is accepted and its links checked', () => {
    const known = (hash: string) => ({ [h(1)]: 1, [h(4)]: 4 })[hash] ?? null;
    const at = (seq: number) => (seq === 1 ? h(1) : seq === 4 ? h(4) : null);
    expect(checkHashLinks(known, 4, [env(2, [1]), env(3, [2])], at)).toEqual([]);
    expect(checkHashLinks(known, 4, [env(2, [9])], at)).toEqual([
      expect.objectContaining({ kind: 'missing-predecessor', fromSeq: 2 }),
    ]);
  });
});
