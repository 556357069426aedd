/**
 * Envelopes that failed verification are alerts, not messages: one alert per conversation and burst. This
 * module holds the two rules (which quarantined rows are such failures, and when one joins a burst); the
 * store applies them as it ingests.
 */

/** Quarantine reasons that are a wait, not a verdict: the envelope opens later and is a real message. */
export const WAITING_REASONS = ['awaiting-key', 'device-not-accepted'] as const;

/** A quarantined row that will never open: an integrity failure, shown as an alert and never unread. */
export function isVerificationFailure(reason: string): boolean {
  return !(WAITING_REASONS as readonly string[]).includes(reason);
}

/**
 * How long after the last item of a burst a failure that is not next to it in seq still joins it (this
 * computer's clock, not the hub's: a hostile hub sets server times freely, and interleaving junk with real
 * messages must not split a flood into one alert per item).
 */
export const BURST_WINDOW_MS = 10 * 60_000;

export interface QuarantineBurst {
  fromSeq: number;
  toSeq: number;
  count: number;
  /** ISO time (this computer's) the last item was folded in. */
  lastAt: string;
}

/** A failure at `seq`, received at `at`, joins the burst if it is next to (or inside) its seqs, or arrives soon after. */
export function joinsBurst(burst: QuarantineBurst, seq: number, at: Date): boolean {
  if (seq >= burst.fromSeq - 1 && seq <= burst.toSeq + 1) return true;
  const since = at.getTime() - Date.parse(burst.lastAt);
  return Number.isFinite(since) && Math.abs(since) <= BURST_WINDOW_MS;
}

export function foldIntoBurst(burst: QuarantineBurst, seq: number, at: Date): QuarantineBurst {
  return {
    fromSeq: Math.min(burst.fromSeq, seq),
    toSeq: Math.max(burst.toSeq, seq),
    count: burst.count + 1,
    lastAt: at.toISOString(),
  };
}

export function newBurst(seq: number, at: Date): QuarantineBurst {
  return { fromSeq: seq, toSeq: seq, count: 1, lastAt: at.toISOString() };
}

/** The burst an alert's details describe (null if they do not: then a new burst starts). */
export function burstOf(alert: {
  fromSeq: number;
  toSeq: number;
  details: Record<string, unknown>;
}): QuarantineBurst | null {
  const { count, lastAt } = alert.details;
  if (!Number.isSafeInteger(count) || (count as number) < 1 || typeof lastAt !== 'string') return null;
  return { fromSeq: alert.fromSeq, toSeq: alert.toSeq, count: count as number, lastAt };
}
