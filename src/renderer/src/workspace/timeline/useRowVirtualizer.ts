import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import type { Row } from '../timeline';

const estimates: Partial<Record<Row['kind'], number>> = {
  day: 36,
  alert: 56,
  notice: 56,
  escalation: 56,
  message: 96,
};

/**
 * The timeline's rows virtualized in `scroller`. A hook of its own so that the React compiler's lint rules,
 * which cannot check the virtualizer's API and skip any function calling it, still check useTimeline.
 */
export function useRowVirtualizer(
  rows: Row[],
  scroller: React.RefObject<HTMLDivElement | null>,
): Virtualizer<HTMLDivElement, Element> {
  // The warning only says the compiler skips this function; nothing else lives here.
  // eslint-disable-next-line react-hooks/incompatible-library
  return useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => estimates[rows[i]?.kind ?? 'message'] ?? 96,
    getItemKey: (i) => rows[i]!.key,
    overscan: 8,
  });
}
