import type { IntegrityAlertView, MessageView } from '../../../../shared/contract';
import { aroundSize, pageSize, type Answer, type FreshCopy, type Loading, type Refresh } from './reducer';

type PageArgs = { beforeSeq?: number; afterSeq?: number; limit: number };

/** One page from the core, oldest first; null if the core refused. */
async function page(conversationId: string, args: PageArgs): Promise<MessageView[] | null> {
  const answer = await window.clinical.call('messages.page', { conversationId, ...args });
  return answer.ok ? [...answer.value].reverse() : null;
}

async function alerts(conversationId: string): Promise<IntegrityAlertView[] | null> {
  const answer = await window.clinical.call('integrity.alerts', { conversationId });
  return answer.ok ? answer.value : null;
}

async function newest(conversationId: string, limit = pageSize): Promise<FreshCopy | null> {
  const [messages, found] = await Promise.all([page(conversationId, { limit }), alerts(conversationId)]);
  return messages && found ? { kind: 'newest', newest: messages, alerts: found, limit } : null;
}

/** The messages around `seq`, joined to the newest page when the hit is among the newest messages. */
async function around(conversationId: string, seq: number): Promise<FreshCopy | null> {
  const [before, after, found] = await Promise.all([
    page(conversationId, { beforeSeq: seq + 1, limit: aroundSize }),
    page(conversationId, { afterSeq: seq, limit: aroundSize }),
    alerts(conversationId),
  ]);
  if (!before || !after || !found) return null;
  // A short `after` reached the newest: the window joins the newest page (with pending own messages).
  const newest =
    after.length < aroundSize ? ((await page(conversationId, { limit: pageSize })) ?? after) : null;
  return { kind: 'around', before, after, newest, alerts: found };
}

/**
 * Asks the core for what the timeline is waiting for; null if it refused. Opening at the newest asks for
 * `firstPage` messages (see firstPageSize); older pages come as the user scrolls.
 */
export async function fetchLoading(loading: Loading, firstPage = pageSize): Promise<Answer | null> {
  const { conversationId } = loading;
  switch (loading.kind) {
    case 'initial':
      return loading.focus === null
        ? newest(conversationId, firstPage)
        : around(conversationId, loading.focus.seq);
    case 'older': {
      const older = await page(conversationId, { beforeSeq: loading.beforeSeq, limit: pageSize });
      return older && { kind: 'older', page: older };
    }
    case 'newer': {
      const newer = await page(conversationId, { afterSeq: loading.afterSeq, limit: pageSize });
      if (!newer) return null;
      const latest = newer.length < pageSize ? await page(conversationId, { limit: pageSize }) : null;
      return { kind: 'newer', page: newer, newest: latest };
    }
  }
}

export function fetchRefresh(refresh: Refresh): Promise<FreshCopy | null> {
  const { conversationId, aroundSeq } = refresh;
  return aroundSeq === null ? newest(conversationId) : around(conversationId, aroundSeq);
}
