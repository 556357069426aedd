import {
  defaultRangeExtractor,
  observeElementOffset,
  useVirtualizer,
  type Range,
  type Virtualizer,
} from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { Row } from '../timeline';

const estimates: Partial<Record<Row['kind'], number>> = {
  day: 36,
  alert: 56,
  notice: 56,
  escalation: 56,
  message: 96,
};

/** The last rows, as many as the range would render from the top: what the view shows once at its end. */
function endRange(range: Range): number[] {
  const wanted = range.endIndex - range.startIndex + 1 + range.overscan;
  const first = Math.max(0, range.count - wanted);
  return Array.from({ length: range.count - first }, (_, i) => first + i);
}

/**
 * The timeline's rows virtualized in `scroller`. A hook of its own so that the React compiler's lint rules,
 * which cannot check the virtualizer's API and skip any function calling it, still check useTimeline.
 * `readScrollOffset` tells the virtualizer where the box stands now: after a scroll written in a layout effect
 * it renders the rows there before the browser paints, instead of a frame later on the scroll event.
 * `pinEnd`: the view is about to go to the end (opening): render the last rows, not those at the top.
 */
export function useRowVirtualizer(
  rows: Row[],
  scroller: React.RefObject<HTMLDivElement | null>,
  pinEnd: boolean,
): { virtualizer: Virtualizer<HTMLDivElement, Element>; readScrollOffset: () => void } {
  const read = useRef<() => void>(() => undefined);
  // The warning only says the compiler skips this function; nothing else lives here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => estimates[rows[i]?.kind ?? 'message'] ?? 96,
    getItemKey: (i) => rows[i]!.key,
    overscan: 8,
    rangeExtractor: pinEnd ? endRange : defaultRangeExtractor,
    observeElementOffset: (instance, report) => {
      read.current = () => {
        const el = instance.scrollElement;
        if (el) report(el.scrollTop, false);
      };
      return observeElementOffset(instance, report);
    },
  });
  return { virtualizer, readScrollOffset: () => read.current() };
}
