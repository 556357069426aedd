import { describe, expect, it } from 'vitest';
import {
  createNotifier,
  type OsNotification,
  type ReceivedMessage,
} from '../../../src/main/core/notifications';
import type { NotificationPrivacy } from '../../../src/main/core/policy/schema';

const message = (over: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  conversationId: 'c1',
  seq: 1,
  senderUserId: 'u-asha',
  urgent: false,
  text: 'Jane Doe MRN-004211: potassium 6.9',
  ...over,
});

/** Timers the test moves by hand (no real waiting). */
function manualTimers() {
  const timers = new Map<number, { fn: () => void; next: number }>();
  let now = 0;
  let id = 0;
  return {
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++id, { fn, next: now + ms });
      return id;
    },
    clearTimer: (handle: unknown) => void timers.delete(handle as number),
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.next <= end)
          .sort((a, b) => a[1].next - b[1].next)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].next;
        due[1].fn();
      }
      now = end;
    },
  };
}

function setup(privacy: NotificationPrivacy, read = new Set<string>()) {
  const shown: OsNotification[] = [];
  const timers = manualTimers();
  const notifier = createNotifier({
    privacy: () => privacy,
    show: (n) => shown.push(n),
    senderName: (id) => (id === 'u-asha' ? 'Dr Asha Rao' : null),
    isRead: (c, seq) => read.has(`${c}/${seq}`),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  return { shown, timers, notifier, read };
}

describe('OS notifications', () => {
  it('carry no patient data or text unless policy allows a preview', () => {
    for (const privacy of ['hidden', 'sender'] as const) {
      const { shown, notifier } = setup(privacy);
      notifier.received([message()]);
      expect(JSON.stringify(shown)).not.toMatch(/Jane|MRN|potassium/);
    }
    const hidden = setup('hidden');
    hidden.notifier.received([message()]);
    expect(hidden.shown).toEqual([
      { title: 'Clinical Messenger', body: 'New secure message', urgent: false, conversationId: 'c1' },
    ]);
    const sender = setup('sender');
    sender.notifier.received([message()]);
    expect(sender.shown[0]).toMatchObject({ title: 'Dr Asha Rao', body: 'New secure message' });
    const preview = setup('preview');
    preview.notifier.received([message()]);
    expect(preview.shown[0]!.body).toContain('potassium');
  });

  it('shows one notification per conversation for a batch of arrivals, urgent first', () => {
    const { shown, notifier } = setup('sender');
    notifier.received([
      message({ seq: 1 }),
      message({ seq: 2, urgent: true }),
      message({ seq: 3 }),
      message({ conversationId: 'c2', seq: 9 }),
    ]);
    expect(shown.map((n) => [n.conversationId, n.urgent])).toEqual([
      ['c1', true],
      ['c2', false],
    ]);
  });

  it('re-notifies an urgent message every two minutes until it is read', () => {
    const { shown, notifier, timers, read } = setup('sender');
    notifier.received([message({ urgent: true })]);
    expect(shown).toHaveLength(1);
    timers.advance(119_000);
    expect(shown).toHaveLength(1);
    timers.advance(1_000);
    expect(shown).toHaveLength(2);
    timers.advance(120_000);
    expect(shown).toHaveLength(3);
    expect(shown.at(-1)).toMatchObject({ urgent: true, body: 'Urgent: New secure message' });
    read.add('c1/1');
    timers.advance(600_000);
    expect(shown).toHaveLength(3);
  });

  it('does not re-notify routine messages', () => {
    const { shown, notifier, timers } = setup('sender');
    notifier.received([message()]);
    timers.advance(600_000);
    expect(shown).toHaveLength(1);
  });
});
