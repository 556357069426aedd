import type { NotificationPrivacy } from '../policy/schema';

/** A message from someone else that just arrived, verified. */
export interface ReceivedMessage {
  conversationId: string;
  seq: number;
  senderUserId: string;
  urgent: boolean;
  text: string;
}

/** What the OS shows. By default it carries no patient data: the sender at most, never the text. */
export interface OsNotification {
  title: string;
  body: string;
  urgent: boolean;
  conversationId: string;
}

export interface NotifierOptions {
  /** Read at every notification: the user may change it while signed in. */
  privacy: () => NotificationPrivacy;
  show: (notification: OsNotification) => void;
  senderName: (userId: string) => string | null;
  /** Whether the user has read the conversation up to this message. */
  isRead: (conversationId: string, seq: number) => boolean;
  renotifyMs?: number;
  /**
   * While true (the user's Do not disturb), routine arrivals make no OS notification; they stay unread as
   * usual. Urgent ones always notify.
   */
  holdRoutine?: () => boolean;
  /** Calls `fn` once after `ms` (real timers by default; tests pass a controlled clock's). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface Notifier {
  /** One batch of arrivals: one notification per conversation, however many messages it brought. */
  received(messages: ReceivedMessage[]): void;
  /** Do not disturb ended: one summary of the held messages still unread, never a replay of each. */
  releaseHeld(): void;
  dispose(): void;
}

const genericBody = 'New secure message';

/**
 * OS notifications for new messages, as private as the policy says (hidden: nothing but the app's name;
 * sender: who wrote; preview: who and the first line of text). Urgent messages notify again every two
 * minutes until they are read.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const renotifyMs = options.renotifyMs ?? 2 * 60 * 1000;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const pendingUrgent = new Map<string, { message: ReceivedMessage; timer: unknown }>();
  const held = new Map<string, ReceivedMessage>();

  const render = (m: ReceivedMessage): OsNotification => {
    const sender = options.senderName(m.senderUserId) ?? 'A colleague';
    const urgentPrefix = m.urgent ? 'Urgent: ' : '';
    switch (options.privacy()) {
      case 'hidden':
        return {
          title: 'Clinical Messenger',
          body: `${urgentPrefix}${genericBody}`,
          urgent: m.urgent,
          conversationId: m.conversationId,
        };
      case 'sender':
        return {
          title: sender,
          body: `${urgentPrefix}${genericBody}`,
          urgent: m.urgent,
          conversationId: m.conversationId,
        };
      case 'preview':
        return {
          title: sender,
          body: `${urgentPrefix}${m.text.split('\n')[0]!.slice(0, 120)}`,
          urgent: m.urgent,
          conversationId: m.conversationId,
        };
    }
  };

  const watchUrgent = (m: ReceivedMessage): void => {
    const key = `${m.conversationId}/${m.seq}`;
    if (pendingUrgent.has(key)) return;
    const arm = () => {
      const timer = setTimer(() => {
        if (options.isRead(m.conversationId, m.seq)) {
          pendingUrgent.delete(key);
          return;
        }
        options.show(render(m));
        arm();
      }, renotifyMs);
      pendingUrgent.set(key, { message: m, timer });
    };
    arm();
  };

  return {
    received(messages) {
      const newest = new Map<string, ReceivedMessage>();
      for (const m of messages) {
        const current = newest.get(m.conversationId);
        // An urgent message outranks a newer routine one in the same batch.
        if (
          !current ||
          (m.urgent && !current.urgent) ||
          (m.urgent === current.urgent && m.seq > current.seq)
        ) {
          newest.set(m.conversationId, m);
        }
        if (m.urgent) watchUrgent(m);
      }
      for (const m of newest.values()) {
        if (!m.urgent && options.holdRoutine?.()) held.set(m.conversationId, m);
        else options.show(render(m));
      }
    },
    releaseHeld() {
      const unread = [...held.values()].filter((m) => !options.isRead(m.conversationId, m.seq));
      held.clear();
      if (unread.length === 0) return;
      options.show({
        title: 'Clinical Messenger',
        body:
          unread.length === 1
            ? '1 conversation has new messages from while you were on Do not disturb'
            : `${unread.length} conversations have new messages from while you were on Do not disturb`,
        urgent: false,
        conversationId: unread.at(-1)!.conversationId,
      });
    },
    dispose() {
      for (const { timer } of pendingUrgent.values()) clearTimer(timer);
      pendingUrgent.clear();
      held.clear();
    },
  };
}
