import type { ConversationView } from '../../../../shared/contract';

/** The accessible name of a conversation's unread badge: "3 unread, 1 urgent". */
export function unreadLabel(unread: number, urgent: number): string {
  return urgent > 0 ? `${unread} unread, ${urgent} urgent` : `${unread} unread`;
}

/** What the lock screen says of urgent messages: "1 urgent message", and nothing else of them. */
export function urgentCountText(urgent: number): string {
  return `${urgent} urgent ${urgent === 1 ? 'message' : 'messages'}`;
}

/** Conversations with urgent messages unread first, each group in the order given (most recent first). */
export function urgentFirst(conversations: readonly ConversationView[]): ConversationView[] {
  return [
    ...conversations.filter((c) => c.urgentUnread > 0),
    ...conversations.filter((c) => c.urgentUnread === 0),
  ];
}
