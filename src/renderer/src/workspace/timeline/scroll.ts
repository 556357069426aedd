import type { Row } from '../timeline';
import { pageSize } from './reducer';

/** Within this distance of the top, older messages load; within it of the end, the user is reading the newest. */
const nearEdgePx = 400;

/** The least height a message row can take: one line of small text, no padding. */
const minRowPx = 16;

/**
 * How many of the newest messages to open a conversation with in a view `viewHeight` px high: surely two
 * screenfuls (the one shown, and one above it to scroll into while the next page loads), at most `pageSize`.
 * Fewer messages cost less at every step of the opening: the query, the bridge, the rows.
 */
export function firstPageSize(viewHeight: number | undefined): number {
  if (!viewHeight || viewHeight <= 0) return pageSize;
  return Math.min(pageSize, Math.ceil((2 * viewHeight) / minRowPx));
}

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
