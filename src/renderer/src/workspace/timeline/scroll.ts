import type { Row } from '../timeline';

/** Within this distance of the top, older messages load; within it of the end, the user is reading the newest. */
const nearEdgePx = 400;

/** Where the scroll box stands, as the DOM reports it. */
export type ScrollBox = { scrollTop: number; scrollHeight: number; clientHeight: number };

/**
 * What a scroll means: whether the user is at the end, and which page, if any, to ask for. The reducer
 * refuses a page while another is loading, so this only says what the position wants.
 */
export function scrollDecision(
  box: ScrollBox,
  loaded: { hasOlder: boolean; window: 'live' | 'detached' },
): { atEnd: boolean; wants: 'older' | 'newer' | null } {
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < nearEdgePx;
  const wants =
    loaded.hasOlder && box.scrollTop < nearEdgePx
      ? 'older'
      : loaded.window === 'detached' && atEnd
        ? 'newer'
        : null;
  return { atEnd, wants };
}

/**
 * The row to keep in place while an older page loads: the first message or alert row from `top` (the row at
 * the top of the view) down. Never a day separator: its key names the first message of its day, which a
 * prepended page changes, so the anchor would vanish.
 */
export function readingRow(rows: Row[], top: number): string | null {
  for (let i = Math.max(0, top); i < rows.length; i++) {
    const row = rows[i]!;
    if (row.kind === 'message' || row.kind === 'alert') return row.key;
  }
  return null;
}
