/**
 * User Timing marks for the phases of opening a conversation, read by tests/bench/scroll.bench.ts. Names only:
 * never an id or any text, so a profile or trace carries no PHI.
 */
export const openMarks = {
  /** The first page (the newest, or around a search hit) was asked of the core. */
  request: 'cm-open:request',
  /** The core's answer came back to the renderer. */
  response: 'cm-open:response',
  /** The rows of the newest page are committed to the DOM (a layout effect, before paint). */
  committed: 'cm-open:committed',
  /** The view was put at its end, before paint; the rows there render in the same task. */
  anchored: 'cm-open:anchored',
} as const;

export type OpenPhase = keyof typeof openMarks;

/** Marks one phase; a new opening's request clears the last opening's marks, so they never pile up. */
export function markOpen(phase: OpenPhase): void {
  if (phase === 'request') for (const name of Object.values(openMarks)) performance.clearMarks(name);
  performance.mark(openMarks[phase]);
}
