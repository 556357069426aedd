import type { ConversationView } from '../../../../shared/contract';
import { t } from '../../i18n';

/** The accessible name of a conversation's unread badge: "3 unread, 1 urgent". */
export function unreadLabel(unread: number, urgent: number): string {
  return urgent > 0 ? t('urgent.unreadUrgent', { unread, urgent }) : t('urgent.unread', { unread });
}

/** What the lock screen says of urgent messages: "1 urgent message", and nothing else of them. */
export function urgentCountText(urgent: number): string {
  return t('urgent.count', { count: urgent });
}

/** Conversations with urgent messages unread first, each group in the order given (most recent first). */
export function urgentFirst(conversations: readonly ConversationView[]): ConversationView[] {
  return [
    ...conversations.filter((c) => c.urgentUnread > 0),
    ...conversations.filter((c) => c.urgentUnread === 0),
  ];
}
