import type { IntegrityAlert } from './types';

export interface LinkedEnvelope {
  seq: number;
  hash: string;
  prev: readonly string[];
  envelopeId: string;
}

/**
 * The per-conversation integrity rules, pure. `known(hash)` gives the seq of a stored message of this
 * conversation (or null), `lastSeq` the highest seq received so far (the sync cursor), `incoming` one batch of
 * one conversation in any order. Optional `storedHashAt(seq)` gives the hash stored at a seq (null if none):
 * with it, an envelope at or below lastSeq filling a hole is accepted as a late arrival; without it any
 * unknown envelope at or below lastSeq is taken as a rewrite of history.
 *
 * - the hub's seq jumps → 'gap' naming fromSeq..toSeq (the missing seqs);
 * - a `prev` hash neither stored nor in the batch → 'missing-predecessor' (the seq and the hash);
 * - a `prev` naming a message with a higher (or the same) seq → 'reordered';
 * - the same seq delivered again with another envelope id / hash → 'altered' (both named).
 *
 * Hashes are public (SHA-256 of ciphertext envelopes), so plain string comparison is fine here.
 */
export function checkHashLinks(
  known: (hash: string) => number | null,
  lastSeq: number,
  incoming: readonly LinkedEnvelope[],
  storedHashAt?: (seq: number) => string | null,
): IntegrityAlert[] {
  const alerts: IntegrityAlert[] = [];
  const sorted = [...incoming].sort((a, b) => a.seq - b.seq);
  const firstAtSeq = new Map<number, LinkedEnvelope>();
  const batchSeqOf = new Map<string, number>();
  for (const m of sorted) {
    if (!firstAtSeq.has(m.seq)) firstAtSeq.set(m.seq, m);
    if (!batchSeqOf.has(m.hash)) batchSeqOf.set(m.hash, m.seq);
  }
  let expected = lastSeq + 1;
  for (const m of sorted) {
    const first = firstAtSeq.get(m.seq)!;
    if (first !== m) {
      if (first.envelopeId !== m.envelopeId || first.hash !== m.hash) {
        alerts.push({
          kind: 'altered',
          fromSeq: m.seq,
          toSeq: m.seq,
          details: {
            envelopeId: first.envelopeId,
            hash: first.hash,
            otherEnvelopeId: m.envelopeId,
            otherHash: m.hash,
          },
        });
      }
      continue;
    }
    if (m.seq <= lastSeq) {
      const knownSeq = known(m.hash);
      if (knownSeq === m.seq) continue; // already stored: a replay
      if (knownSeq !== null) {
        alerts.push({
          kind: 'reordered',
          fromSeq: Math.min(m.seq, knownSeq),
          toSeq: Math.max(m.seq, knownSeq),
          details: { envelopeId: m.envelopeId, hash: m.hash, storedSeq: knownSeq, deliveredSeq: m.seq },
        });
        continue;
      }
      const stored = storedHashAt ? storedHashAt(m.seq) : undefined;
      if (stored !== null) {
        alerts.push({
          kind: 'altered',
          fromSeq: m.seq,
          toSeq: m.seq,
          details: { storedHash: stored ?? null, otherEnvelopeId: m.envelopeId, otherHash: m.hash },
        });
        continue;
      }
      // a late arrival filling a hole: check its links below
    } else {
      if (m.seq > expected) {
        alerts.push({
          kind: 'gap',
          fromSeq: expected,
          toSeq: m.seq - 1,
          details: { missing: m.seq - expected },
        });
      }
      expected = m.seq + 1;
    }
    for (const h of m.prev) {
      const s = batchSeqOf.get(h) ?? known(h);
      if (s === null || s === undefined) {
        alerts.push({
          kind: 'missing-predecessor',
          fromSeq: m.seq,
          toSeq: m.seq,
          details: { envelopeId: m.envelopeId, missingHash: h },
        });
      } else if (s >= m.seq) {
        alerts.push({
          kind: 'reordered',
          fromSeq: m.seq,
          toSeq: s,
          details: { envelopeId: m.envelopeId, prevHash: h, prevSeq: s },
        });
      }
    }
  }
  return alerts;
}
