import { useCallback, useEffect, useRef, useState } from 'react';
import type { IntegrityAlertView, MessageView } from '../../../shared/contract';

export const pageSize = 200;
const aroundSize = pageSize / 2;

type PageArgs = { beforeSeq?: number; afterSeq?: number; limit: number };

/**
 * The newest message loaded, and how it came: with the newest page on opening, as a new arrival (sent or
 * received) while open, or with a page the user scrolled to (then the view stays where it is).
 */
export type Tail = { id: string | undefined; came: 'opening' | 'arrival' | 'paging' };

const firstSeq = (messages: MessageView[]): number | null =>
  messages.find((m) => m.seq !== null)?.seq ?? null;
const lastSeq = (messages: MessageView[]): number | null =>
  messages.findLast((m) => m.seq !== null)?.seq ?? null;

/** Keeps older pages already loaded and replaces the newest page with a fresh copy (receipts, new arrivals). */
function mergeNewest(current: MessageView[], newest: MessageView[]): MessageView[] {
  const oldestFresh = firstSeq(newest) ?? Infinity;
  return [...current.filter((m) => m.seq !== null && m.seq < oldestFresh), ...newest];
}

/** Replaces the loaded messages whose seq the fresh copy covers, keeping those before and after it. */
function mergeRange(current: MessageView[], fresh: MessageView[]): MessageView[] {
  const from = firstSeq(fresh);
  const to = lastSeq(fresh);
  if (from === null || to === null) return current;
  const seqOf = (m: MessageView) => m.seq ?? Infinity;
  return [...current.filter((m) => seqOf(m) < from), ...fresh, ...current.filter((m) => seqOf(m) > to)];
}

/**
 * A conversation's history, oldest first. It opens on the newest page, or around `focus.seq` (a search hit)
 * and then reads forward page by page until it meets the newest. Older pages load on demand (scrolling up);
 * whatever is loaded is refreshed whenever the core says messages changed.
 */
export function useHistory(
  conversationId: string,
  changes: number,
  focus: { seq: number } | null,
): {
  messages: MessageView[];
  alerts: IntegrityAlertView[];
  tail: Tail;
  /** The focus once the messages around it are loaded (null before, and when opened at the newest). */
  landed: { seq: number } | null;
  hasOlder: boolean;
  hasNewer: boolean;
  loadOlder: () => Promise<number>;
  loadNewer: () => Promise<number>;
  showNewest: () => void;
  reload: () => Promise<void>;
} {
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [alerts, setAlerts] = useState<IntegrityAlertView[]>([]);
  const [tail, setTail] = useState<Tail>({ id: undefined, came: 'opening' });
  const [hasOlder, setHasOlder] = useState(false);
  const [hasNewer, setHasNewer] = useState(false);
  const [landed, setLanded] = useState<{ seq: number } | null>(null);
  const loading = useRef(false);
  const current = useRef<MessageView[]>([]);
  current.current = messages;
  // Mirrors hasNewer for the callbacks: the loaded window stops short of the newest messages.
  const detached = useRef(false);

  const fetchPage = useCallback(
    async (args: PageArgs): Promise<MessageView[] | null> => {
      const page = await window.clinical.call('messages.page', { conversationId, ...args });
      return page.ok ? [...page.value].reverse() : null;
    },
    [conversationId],
  );
  /**
   * A page going back in time and whether anything lies before it: a full answer's oldest message is held
   * back as the probe (the conversation's first seqs may be chain entries, so "seq > 1" proves nothing).
   */
  const fetchBack = useCallback(
    async (args: PageArgs): Promise<{ page: MessageView[]; more: boolean } | null> => {
      const page = await fetchPage(args);
      if (!page) return null;
      const more = page.length === args.limit;
      return { page: more ? page.slice(1) : page, more };
    },
    [fetchPage],
  );

  const markTail = (loaded: MessageView[], paging: boolean): void => {
    const id = loaded.at(-1)?.envelopeId;
    setTail((old) =>
      old.id === id ? old : { id, came: paging ? 'paging' : old.id === undefined ? 'opening' : 'arrival' },
    );
  };

  const attach = (attached: boolean): void => {
    detached.current = !attached;
    setHasNewer(!attached);
  };

  const refreshNewest = useCallback(async () => {
    const fetched = await fetchBack({ limit: pageSize });
    if (!fetched || detached.current) return;
    const newest = fetched.page;
    const merged = mergeNewest(current.current, newest);
    if (merged.length === newest.length) setHasOlder(fetched.more);
    current.current = merged;
    setMessages(merged);
    markTail(merged, false);
  }, [fetchBack]);

  const around = useCallback(
    async (
      seq: number,
    ): Promise<{ before: MessageView[]; moreBefore: boolean; after: MessageView[] } | null> => {
      const [before, after] = await Promise.all([
        fetchBack({ beforeSeq: seq + 1, limit: aroundSize }),
        fetchPage({ afterSeq: seq, limit: aroundSize }),
      ]);
      return before && after ? { before: before.page, moreBefore: before.more, after } : null;
    },
    [fetchBack, fetchPage],
  );

  const jump = useCallback(
    async (target: { seq: number }) => {
      const span = await around(target.seq);
      if (!span) return;
      const { before, after } = span;
      setHasOlder(span.moreBefore);
      if (after.length === aroundSize) {
        attach(false);
        current.current = [...before, ...after];
      } else {
        // The hit is among the newest messages: the window joins the newest page (with pending own messages).
        const newest = await fetchPage({ limit: pageSize });
        attach(true);
        current.current = mergeNewest(before, newest ?? after);
      }
      setMessages(current.current);
      markTail(current.current, true);
      setLanded(target);
    },
    [around, fetchPage],
  );

  const loadAlerts = useCallback(async () => {
    const found = await window.clinical.call('integrity.alerts', { conversationId });
    if (found.ok) setAlerts(found.value);
  }, [conversationId]);

  const reload = useCallback(async () => {
    await loadAlerts();
    if (!detached.current) return refreshNewest();
    if (focus === null) return;
    const span = await around(focus.seq);
    if (!span) return;
    current.current = mergeRange(current.current, [...span.before, ...span.after]);
    setMessages(current.current);
  }, [loadAlerts, focus, refreshNewest, around]);

  // Opening (or a new search hit): start afresh, around the hit or at the newest.
  useEffect(() => {
    current.current = [];
    setMessages([]);
    setHasOlder(false);
    attach(true);
    setTail({ id: undefined, came: 'opening' });
    setLanded(null);
    void loadAlerts();
    void (focus === null ? refreshNewest() : jump(focus));
  }, [loadAlerts, focus, refreshNewest, jump]);

  const seenChanges = useRef(changes);
  useEffect(() => {
    if (seenChanges.current === changes) return;
    seenChanges.current = changes;
    void reload();
  }, [changes, reload]);

  const page = async (edge: () => Promise<number>): Promise<number> => {
    if (loading.current) return 0;
    loading.current = true;
    try {
      return await edge();
    } finally {
      loading.current = false;
    }
  };

  const loadOlder = useCallback(
    (): Promise<number> =>
      page(async () => {
        const oldest = firstSeq(current.current);
        if (oldest === null) return 0;
        if (oldest <= 1) {
          setHasOlder(false);
          return 0;
        }
        const fetched = await fetchBack({ beforeSeq: oldest, limit: pageSize });
        if (!fetched) return 0;
        const older = fetched.page;
        setHasOlder(fetched.more);
        current.current = [...older, ...current.current];
        setMessages(current.current);
        return older.length;
      }),
    [fetchBack],
  );

  const loadNewer = useCallback(
    (): Promise<number> =>
      page(async () => {
        const newestLoaded = lastSeq(current.current);
        if (!detached.current || newestLoaded === null) return 0;
        const newer = await fetchPage({ afterSeq: newestLoaded, limit: pageSize });
        if (!newer) return 0;
        let loaded = [...current.current, ...newer];
        if (newer.length < pageSize) {
          // Met the newest: from here on the view is the live end of the conversation again.
          const newest = await fetchPage({ limit: pageSize });
          if (newest) loaded = mergeNewest(loaded, newest);
          attach(true);
        }
        current.current = loaded;
        setMessages(loaded);
        markTail(loaded, true);
        return newer.length;
      }),
    [fetchPage],
  );

  const showNewest = useCallback(() => {
    current.current = [];
    attach(true);
    setTail({ id: undefined, came: 'opening' });
    void refreshNewest();
  }, [refreshNewest]);

  return { messages, alerts, tail, landed, hasOlder, hasNewer, loadOlder, loadNewer, showNewest, reload };
}
