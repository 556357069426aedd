// What a message says about acknowledgement and delivery: acknowledged only from verified signed entries, on a
// 24-hour clock; the server's delivered and read reports named as its word.
import { expect, it } from 'vitest';
import type { IntegrityAlertView, MessageView } from '../../../src/shared/contract';
import { acknowledgementStatus, deliveryStatus } from '../../../src/renderer/src/workspace/acknowledgement';
import { messageView } from './message-view';
import { alertText } from '../../../src/renderer/src/workspace/timeline';

const names: Record<string, string> = { rao: 'Dr Asha Rao', okafor: 'Dr Samuel Okafor' };
const nameOf = (id: string) => names[id] ?? id;
// Local times, so the expected clock does not depend on the machine's time zone.
const now = new Date(2026, 2, 1, 18, 0);
const local = (h: number, m: number, day = 1) => new Date(2026, 2, day, h, m).toISOString();

const message = (over: Partial<MessageView> = {}): MessageView =>
  messageView({
    senderUserId: 'nair',
    time: local(14, 0),
    text: 'please come now',
    urgent: true,
    ackRequired: true,
    ...over,
  });

it('asks for acknowledgement, with the button, until this user acknowledged', () => {
  expect(acknowledgementStatus(message(), nameOf, now)).toEqual({
    text: 'Acknowledgement required',
    canAcknowledge: true,
  });
  expect(
    acknowledgementStatus(
      message({ acknowledgements: [{ userId: 'rao', own: true, at: local(14, 5) }] }),
      nameOf,
      now,
    ),
  ).toEqual({ text: 'You acknowledged at 14:05', canAcknowledge: false });
  // Someone else acknowledged in a group: she sees it, and may still acknowledge herself.
  expect(
    acknowledgementStatus(
      message({ acknowledgements: [{ userId: 'okafor', own: false, at: local(16, 30) }] }),
      nameOf,
      now,
    ),
  ).toEqual({ text: 'Acknowledged by Dr Samuel Okafor at 16:30', canAcknowledge: true });
});

it('the sender sees who acknowledged and when (24-hour clock, the date when not today); never a button', () => {
  const sent = message({
    own: true,
    senderUserId: 'nair',
    acknowledgements: [
      { userId: 'rao', own: false, at: local(14, 5) },
      { userId: 'okafor', own: false, at: local(9, 7, 2) },
    ],
  });
  const status = acknowledgementStatus(sent, nameOf, new Date(2026, 2, 2, 10, 0));
  expect(status.canAcknowledge).toBe(false);
  expect(status.text).toMatch(/^Acknowledged by Dr Asha Rao at \S+ \S+ 14:05, Dr Samuel Okafor at 09:07$/);
  expect(deliveryStatus(sent)).toBeNull(); // the signed acknowledgement says more than the server's report
  expect(acknowledgementStatus(message({ own: true }), nameOf, now)).toEqual({
    text: 'Acknowledgement required',
    canAcknowledge: false,
  });
});

it('says nothing about acknowledgement for a message that asks for none, or could not be verified', () => {
  const none = { text: null, canAcknowledge: false };
  expect(acknowledgementStatus(message({ ackRequired: false }), nameOf, now)).toEqual(none);
  expect(
    acknowledgementStatus(message({ verdict: 'quarantined', reason: 'bad-signature' }), nameOf, now),
  ).toEqual(none);
});

it('delivered and read are the server’s report, and say so', () => {
  const own = (over: Partial<MessageView>) => message({ own: true, ackRequired: false, ...over });
  expect(deliveryStatus(own({ seq: null, pending: true }))).toBe('Sending…');
  expect(deliveryStatus(own({ sendFailure: 'too_large' }))).toBe('Not sent (too_large)');
  expect(deliveryStatus(own({}))).toBe('Sent');
  expect(deliveryStatus(own({ receipts: [{ userId: 'rao', kind: 'delivered', at: local(14, 1) }] }))).toBe(
    'Delivered (reported by the server)',
  );
  expect(
    deliveryStatus(
      own({
        receipts: [
          { userId: 'rao', kind: 'delivered', at: local(14, 1) },
          { userId: 'rao', kind: 'read', at: local(14, 2) },
        ],
      }),
    ),
  ).toBe('Read (reported by the server)');
  expect(deliveryStatus(message())).toBeNull();
});

it('an unsigned acknowledgement alert names who the server says acknowledged', () => {
  const alert: IntegrityAlertView = {
    id: 1,
    conversationId: 'c1',
    kind: 'unsigned-ack',
    fromSeq: 4,
    toSeq: 4,
    details: { userId: 'rao', seq: 4 },
    raisedAt: local(14, 6),
  };
  expect(alertText(alert, nameOf)).toBe(
    'The server says Dr Asha Rao acknowledged message 4, but no signed acknowledgement came with it: it is not shown as acknowledged.',
  );
  expect(alertText(alert)).toMatch(/^The server says someone acknowledged message 4/);
});
