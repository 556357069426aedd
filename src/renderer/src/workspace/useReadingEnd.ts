import type { Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageView } from '../../../shared/contract';
import type { Tail } from './useHistory';

/** Within this distance of the end, the user is reading the newest messages. */
export const nearEndPx = 400;

/**
 * The live end of a conversation. On opening the view goes to the end. A new arrival follows the view to the
 * end if the user is there (or sent it); otherwise the view stays on what they are reading and says there is
 * something new below. What others wrote counts as read only once the user has been at the end with it.
 */
export function useReadingEnd(options: {
  conversationId: string;
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  rowCount: number;
  messages: MessageView[];
  tail: Tail;
  scroller: React.RefObject<HTMLDivElement | null>;
}): { newBelow: boolean; toEnd: () => void; onScroll: () => void; atEnd: () => boolean } {
  const { conversationId, virtualizer, rowCount, messages, tail, scroller } = options;
  const atEnd = useRef(true);
  const [newBelow, setNewBelow] = useState(false);

  const markRead = useCallback(() => {
    const newest = messages.findLast((m) => !m.own && m.seq !== null);
    if (newest?.seq) void window.clinical.call('messages.markRead', { conversationId, uptoSeq: newest.seq });
  }, [messages, conversationId]);

  const scrollToEnd = (): void => {
    if (rowCount > 0) virtualizer.scrollToIndex(rowCount - 1, { align: 'end' });
    atEnd.current = true;
    setNewBelow(false);
  };

  useEffect(() => {
    if (tail.came === 'paging' || rowCount === 0) return;
    if (tail.came === 'opening' || atEnd.current || messages.at(-1)?.own) scrollToEnd();
    else setNewBelow(true);
  }, [tail]);

  useEffect(() => {
    if (atEnd.current) markRead();
  }, [markRead]);

  return {
    newBelow,
    toEnd: () => {
      scrollToEnd();
      markRead();
    },
    atEnd: () => atEnd.current,
    onScroll: () => {
      const el = scroller.current;
      if (!el) return;
      const wasAtEnd = atEnd.current;
      atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < nearEndPx;
      if (atEnd.current && !wasAtEnd) {
        setNewBelow(false);
        markRead();
      }
    },
  };
}
