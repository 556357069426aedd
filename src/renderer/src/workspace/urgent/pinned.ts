import type { MessageView } from '../../../../shared/contract';

/**
 * The urgent messages of others pinned above a conversation's timeline, oldest first: one that asks for
 * acknowledgement until this user acknowledged it (on any of her devices), any other until it is read.
 * `urgentUnread` is the conversation's count of unread urgent messages; reading moves one mark up the seqs,
 * so the unread ones are the newest that many.
 */
export function pinnedUrgent(messages: readonly MessageView[], urgentUnread: number): MessageView[] {
  const urgent = messages
    .filter((m) => m.urgent && !m.own && m.verdict === 'valid' && m.seq !== null && !m.escalationStep)
    .sort((a, b) => a.seq! - b.seq!);
  const firstUnread = urgent.length - urgentUnread;
  return urgent.filter((m, i) => (m.ackRequired ? !m.acknowledgements.some((a) => a.own) : i >= firstUnread));
}
