// Where an open spends its time, for the benchmark's breakdown. Only filled when a caller passes a clock:
// milliseconds on the calling (main) thread, either working (block hash, decrypt, plaintext hash) or stalled
// waiting for another part of the pipeline (bytes from the disk or the network, a write behind).
export type OpenPhase =
  'read' | 'block hash' | 'decrypt' | 'plaintext hash' | 'wait for write' | 'wait for CAR copy write';

export interface PhaseClock {
  add(phase: OpenPhase, ms: number): void;
}

/** A clock that sums each phase; `totals` is read by the caller afterwards. */
export function phaseTotals(): PhaseClock & { totals: Map<OpenPhase, number> } {
  const totals = new Map<OpenPhase, number>();
  return {
    totals,
    add(phase, ms) {
      totals.set(phase, (totals.get(phase) ?? 0) + ms);
    },
  };
}
