// Do not disturb on Dr Rao's workstation: routine arrivals make no OS notification (they stay unread in the
// app), urgent ones always do and keep re-notifying, and when Do not disturb ends she gets one summary of
// what is still unread, never a burst of the held notifications.
import { describe, expect, it } from 'vitest';
import {
  createNotifier,
  type OsNotification,
  type ReceivedMessage,
} from '../../../src/main/core/notifications';

const message = (over: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  conversationId: 'c-okafor',
  seq: 1,
  senderUserId: 'u-samuel',
  urgent: false,
  text: 'Bed 12 obs stable',
  ...over,
});

function setup() {
  const shown: OsNotification[] = [];
  const unread = new Set<string>();
  const timers: (() => void)[] = [];
  let dnd = true;
  const notifier = createNotifier({
    privacy: () => 'sender',
    show: (n) => shown.push(n),
    senderName: (id) => (id === 'u-samuel' ? 'Dr Samuel Okafor' : null),
    isRead: (c) => !unread.has(c),
    holdRoutine: () => dnd,
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => undefined,
  });
  const arrive = (m: ReceivedMessage) => {
    unread.add(m.conversationId);
    notifier.received([m]);
  };
  return { shown, unread, timers, notifier, arrive, setDnd: (on: boolean) => (dnd = on) };
}

describe('Do not disturb', () => {
  it('holds routine notifications and lets urgent ones through, re-notifying as usual', () => {
    const { shown, arrive, timers } = setup();
    arrive(message({ seq: 1 }));
    arrive(message({ seq: 2, conversationId: 'c-ward' }));
    expect(shown).toEqual([]);
    arrive(message({ seq: 3, urgent: true, text: 'K+ 6.9' }));
    expect(shown).toEqual([
      {
        title: 'Dr Samuel Okafor',
        body: 'Urgent: New secure message',
        urgent: true,
        conversationId: 'c-okafor',
      },
    ]);
    timers[0]!();
    expect(shown).toHaveLength(2);
  });

  it('an urgent message in the same batch as routine ones still notifies', () => {
    const { shown, notifier } = setup();
    notifier.received([message({ seq: 1 }), message({ seq: 2, urgent: true }), message({ seq: 3 })]);
    expect(shown.map((n) => n.urgent)).toEqual([true]);
  });

  it('shows one summary of what is still unread when it ends, and nothing when all was read', () => {
    const { shown, unread, notifier, arrive, setDnd } = setup();
    for (let seq = 1; seq <= 30; seq++) arrive(message({ seq, conversationId: `c-${seq % 3}` }));
    unread.delete('c-0');
    setDnd(false);
    notifier.releaseHeld();
    expect(shown).toEqual([
      {
        title: 'Clinical Messenger',
        body: '2 conversations have new messages from while you were on Do not disturb',
        urgent: false,
        conversationId: expect.stringMatching(/^c-[12]$/),
      },
    ]);
    expect(JSON.stringify(shown)).not.toMatch(/Bed 12|Okafor/);
    notifier.releaseHeld();
    expect(shown).toHaveLength(1);

    // Read before it ended: no summary at all.
    setDnd(true);
    arrive(message({ seq: 40 }));
    unread.clear();
    notifier.releaseHeld();
    expect(shown).toHaveLength(1);
  });

  it('without Do not disturb, routine messages notify as before', () => {
    const { shown, arrive, setDnd } = setup();
    setDnd(false);
    arrive(message());
    expect(shown).toHaveLength(1);
  });
});
