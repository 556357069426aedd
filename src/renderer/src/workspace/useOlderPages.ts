import type { Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef } from 'react';

const nearTopPx = 400;

/**
 * Loads older pages as the user scrolls up (or asks with the button), keeping the row they were reading in
 * place when a page is prepended.
 */
export function useOlderPages(options: {
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  rows: { key: string; kind: string }[];
  scroller: React.RefObject<HTMLDivElement | null>;
  hasOlder: boolean;
  loadOlder: () => Promise<number>;
}): { showOlder: () => void; onScroll: () => void } {
  const { virtualizer, rows, scroller, hasOlder, loadOlder } = options;
  const anchor = useRef<string | null>(null);
  const loading = useRef(false);
  const firstKey = useRef<string | undefined>(undefined);
  const prepended = useRef(false);

  const showOlder = async (): Promise<void> => {
    if (loading.current) return;
    const offset = virtualizer.scrollOffset ?? 0;
    // A message row: a day separator's key names the first message of its day, which a prepended page changes.
    // An alert row's key never changes: a page of junk folded into its burst alert has no message row.
    const first = virtualizer
      .getVirtualItems()
      .find((item) => item.end > offset && ['message', 'alert'].includes(rows[item.index]?.kind ?? ''));
    if (!first) return;
    loading.current = true;
    anchor.current = rows[first.index]!.key;
    let added = 0;
    try {
      added = await loadOlder();
    } finally {
      // A page that came stays "loading" until it is rendered and the view is back on the anchor: a scroll
      // in between must not ask for the next page and overwrite the anchor (the view would skip a page).
      if (added === 0) {
        anchor.current = null;
        loading.current = false;
      }
    }
  };

  // Only a prepended page moves the first row (a refresh of the newest page does not): then scroll back.
  useLayoutEffect(() => {
    const key = rows[0]?.key;
    if (anchor.current && key !== firstKey.current) {
      const index = rows.findIndex((r) => r.key === anchor.current);
      anchor.current = null;
      loading.current = false;
      prepended.current = true;
      if (index >= 0) virtualizer.scrollToIndex(index, { align: 'start' });
    }
    firstKey.current = key;
  }, [rows, virtualizer]);

  const nearTop = (): boolean => (scroller.current?.scrollTop ?? Infinity) < nearTopPx;
  // Still at the top once a page is in (no scroll event follows): fetch the next one. Not on opening.
  useEffect(() => {
    const afterPage = prepended.current;
    prepended.current = false;
    if (afterPage && hasOlder && nearTop()) void showOlder();
  }, [rows.length, hasOlder]);

  return {
    showOlder: () => void showOlder(),
    onScroll: () => {
      if (hasOlder && nearTop()) void showOlder();
    },
  };
}
