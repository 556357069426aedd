import type { Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useReducer } from 'react';
import type { IntegrityAlertView, MessageView } from '../../../../shared/contract';
import type { Row } from '../timeline';
import { fetchLoading, fetchRefresh } from './fetch';
import { markOpen } from './marks';
import { openTimeline, timelineReducer } from './reducer';
import { firstPageSize, readingRow, scrollDecision } from './scroll';
import { useRowVirtualizer } from './useRowVirtualizer';

/** What is loaded, as the rows are built from it. */
export type Loaded = {
  messages: MessageView[];
  alerts: IntegrityAlertView[];
  hasOlder: boolean;
  hasNewer: boolean;
};

/** The timeline as ConversationView renders it, and what the user can do with it. */
export interface Timeline extends Loaded {
  rows: Row[];
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  /** The search hit once the messages around it are loaded. */
  landed: { seq: number } | null;
  newBelow: boolean;
  onScroll: () => void;
  showOlder: () => void;
  showNewest: () => void;
  toEnd: () => void;
  /** Reads the conversation again (after the user acknowledged a message, say). */
  reload: () => void;
}

/**
 * One conversation's timeline in a virtualized scroll box: fetches what the reducer waits for (answers no
 * longer awaited are dropped there), listens to its own conversation's changes only, keeps the reading row in
 * place when an older page comes, follows new arrivals when the user is at the end and marks them read.
 */
export function useTimeline(options: {
  conversationId: string;
  focus: { seq: number } | null;
  scroller: React.RefObject<HTMLDivElement | null>;
  /** The rows of what is loaded; a new function rebuilds them. */
  rowsOf: (loaded: Loaded) => Row[];
}): Timeline {
  const { conversationId, focus, scroller, rowsOf } = options;
  const [state, dispatch] = useReducer(timelineReducer, { conversationId, focus }, openTimeline);
  // Another conversation or search hit: start afresh in this render, never showing the last one's messages.
  if (state.conversationId !== conversationId || state.focus !== focus) {
    dispatch({ type: 'open', conversationId, focus });
  }

  useEffect(
    () =>
      window.clinical.on('messages.changed', (changed) =>
        dispatch({ type: 'changed', conversationId: changed.conversationId }),
      ),
    [],
  );

  const { loading, refreshing, anchor } = state;
  // Asked in a layout effect: the page is what the user waits for, so it reaches the core ahead of the calls
  // the conversation's other parts make in their (passive) effects, and its answer comes back first.
  useLayoutEffect(() => {
    if (!loading) return;
    const failed = { type: 'failed', ticket: loading.ticket } as const;
    const opening = loading.kind === 'initial';
    if (opening) markOpen('request');
    fetchLoading(loading, firstPageSize(scroller.current?.clientHeight)).then(
      (answer) => {
        if (opening) markOpen('response');
        dispatch(answer ? { type: 'answered', ticket: loading.ticket, answer } : failed);
      },
      () => dispatch(failed),
    );
  }, [loading, scroller]);
  useEffect(() => {
    if (!refreshing) return;
    const failed = { type: 'failed', ticket: refreshing.ticket } as const;
    fetchRefresh(refreshing).then(
      (answer) => dispatch(answer ? { type: 'refreshed', ticket: refreshing.ticket, answer } : failed),
      () => dispatch(failed),
    );
  }, [refreshing]);

  const hasNewer = state.window === 'detached';
  const { messages, alerts, hasOlder } = state;
  const rows = useMemo(
    () => rowsOf({ messages, alerts, hasOlder, hasNewer }),
    [rowsOf, messages, alerts, hasOlder, hasNewer],
  );
  const opening = state.tail.came === 'opening';
  const owesEnd = state.followed !== state.follow;
  const { virtualizer, readScrollOffset } = useRowVirtualizer(rows, scroller, opening && owesEnd);

  const wantOlder = (): void => {
    const top = virtualizer.getVirtualItemForOffset(scroller.current?.scrollTop ?? 0);
    const row = readingRow(rows, top?.index ?? rows.length);
    if (row) dispatch({ type: 'olderWanted', anchor: row });
  };

  // An older page is rendered: back to the row the user was reading, then the next page if still at the top
  // (no scroll event may follow).
  useLayoutEffect(() => {
    if (!anchor?.arrived) return;
    const index = rows.findIndex((r) => r.key === anchor.key);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'start' });
    dispatch({ type: 'anchored' });
    const el = scroller.current;
    if (el && scrollDecision(el, { hasOlder, window: state.window }).wants === 'older') wantOlder();
  });

  // To the end before the browser paints, with the rows there rendered in the same frame: on opening, the
  // newest messages are the first thing shown.
  useLayoutEffect(() => {
    if (!owesEnd) return;
    if (opening) markOpen('committed');
    if (rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    readScrollOffset();
    dispatch({ type: 'followed', follow: state.follow });
    if (!opening) return;
    markOpen('anchored');
    // A first page that does not fill the view (rows folded into an alert, say): the next one, no scroll needed.
    const el = scroller.current;
    if (el && scrollDecision(el, { hasOlder, window: state.window }).wants === 'older') wantOlder();
  });

  // What others wrote counts as read once the user has been at the end with it.
  const newestOther = messages.findLast((m) => !m.own && m.seq !== null)?.seq ?? null;
  const readConversation = state.conversationId;
  useEffect(() => {
    if (!state.atEnd || newestOther === null) return;
    void window.clinical.call('messages.markRead', {
      conversationId: readConversation,
      uptoSeq: newestOther,
    });
  }, [state.atEnd, newestOther, readConversation]);

  return {
    rows,
    virtualizer,
    messages,
    alerts,
    hasOlder,
    hasNewer,
    landed: state.landed,
    newBelow: state.newBelow,
    onScroll: (): void => {
      const el = scroller.current;
      if (!el) return;
      const { atEnd, wants } = scrollDecision(el, state);
      if (atEnd !== state.atEnd) dispatch({ type: 'scrolled', atEnd });
      if (state.loading) return;
      if (wants === 'older') wantOlder();
      else if (wants === 'newer') dispatch({ type: 'newerWanted' });
    },
    showOlder: wantOlder,
    showNewest: () => dispatch({ type: 'showNewest' }),
    toEnd: () => dispatch({ type: 'toEnd' }),
    reload: () => dispatch({ type: 'changed', conversationId: state.conversationId }),
  };
}
