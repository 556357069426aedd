import { useCallback, useEffect, useRef, useState } from 'react';
import type { IntegrityAlertView, MessageView } from '../../../shared/contract';

export const pageSize = 200;

/** Keeps older pages already loaded and replaces the newest page with a fresh copy (receipts, new arrivals). */
function mergeNewest(current: MessageView[], newest: MessageView[]): MessageView[] {
  const oldestFresh = newest.find((m) => m.seq !== null)?.seq ?? Infinity;
  return [...current.filter((m) => m.seq !== null && m.seq < oldestFresh), ...newest];
}

/** A full page whose oldest message is not the conversation's first (seq 1) may have more before it. */
function moreBefore(page: MessageView[]): boolean {
  const oldest = page.find((m) => m.seq !== null)?.seq ?? null;
  return page.length === pageSize && oldest !== null && oldest > 1;
}

/**
 * A conversation's history, oldest first: the newest page at once, older pages on demand (scrolling up),
 * refreshed whenever the core says messages changed.
 */
export function useHistory(
  conversationId: string,
  changes: number,
): {
  messages: MessageView[];
  alerts: IntegrityAlertView[];
  hasOlder: boolean;
  loadOlder: () => Promise<number>;
  reload: () => Promise<void>;
} {
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [alerts, setAlerts] = useState<IntegrityAlertView[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const loading = useRef(false);
  const current = useRef<MessageView[]>([]);
  current.current = messages;

  const reload = useCallback(async () => {
    const [page, found] = await Promise.all([
      window.clinical.call('messages.page', { conversationId, limit: pageSize }),
      window.clinical.call('integrity.alerts', { conversationId }),
    ]);
    if (page.ok) {
      const newest = [...page.value].reverse();
      setMessages((old) => {
        const merged = old[0]?.conversationId === conversationId ? mergeNewest(old, newest) : newest;
        if (merged.length === newest.length) setHasOlder(moreBefore(newest));
        return merged;
      });
    }
    if (found.ok) setAlerts(found.value);
  }, [conversationId]);

  useEffect(() => {
    setMessages([]);
    setHasOlder(false);
  }, [conversationId]);
  useEffect(() => {
    void reload();
  }, [reload, changes]);

  const loadOlder = useCallback(async (): Promise<number> => {
    const oldest = current.current.find((m) => m.seq !== null)?.seq ?? undefined;
    if (loading.current || oldest === undefined) return 0;
    if (oldest <= 1) {
      setHasOlder(false);
      return 0;
    }
    loading.current = true;
    try {
      const page = await window.clinical.call('messages.page', {
        conversationId,
        beforeSeq: oldest,
        limit: pageSize,
      });
      if (!page.ok) return 0;
      const older = [...page.value].reverse();
      setHasOlder(moreBefore(older));
      setMessages((old) => [...older, ...old]);
      return older.length;
    } finally {
      loading.current = false;
    }
  }, [conversationId]);

  return { messages, alerts, hasOlder, loadOlder, reload };
}
