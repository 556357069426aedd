// Where integrity alerts stand in a conversation's timeline: in place, before the first message at or after
// the seq they are about; held back while their page is not loaded.
import { expect, it } from 'vitest';
import type { IntegrityAlertView, MessageView } from '../../../src/shared/contract';
import { timelineRows, type Row } from '../../../src/renderer/src/workspace/timeline';

const at = '2026-11-20T09:00:00.000Z';
const message = (seq: number | null, time = at): MessageView => ({
  conversationId: 'c1',
  seq,
  envelopeId: `e${seq ?? 'pending'}`,
  senderUserId: 'u1',
  own: seq === null,
  pending: seq === null,
  sendFailure: null,
  time,
  verdict: 'valid',
  reason: null,
  kind: 'text',
  text: `m${seq}`,
  urgent: false,
  ackRequired: false,
  patient: null,
  document: null,
  receipts: [],
  acknowledgements: [],
});
const alert = (
  id: number,
  kind: IntegrityAlertView['kind'],
  fromSeq: number,
  toSeq = fromSeq,
): IntegrityAlertView => ({
  id,
  conversationId: 'c1',
  kind,
  fromSeq,
  toSeq,
  details: {},
  raisedAt: at,
});
const shape = (rows: Row[]) =>
  rows.map((r) =>
    r.kind === 'message' ? r.message.seq : r.kind === 'alert' ? `${r.alert.kind} ${r.alert.fromSeq}` : 'day',
  );

it('puts a gap where the missing messages would be and an alteration just before the altered message', () => {
  const rows = timelineRows(
    [message(1), message(2), message(5), message(6), message(null)],
    [alert(2, 'altered', 6), alert(1, 'gap', 3, 4)],
    { hasOlder: false, hasNewer: false },
  );
  expect(shape(rows)).toEqual(['day', 1, 2, 'gap 3', 5, 'altered 6', 6, null]);
});

it('puts the day separator before an alert on the first message of a day', () => {
  const rows = timelineRows([message(1), message(3, '2026-11-21T09:00:00.000Z')], [alert(1, 'gap', 2)], {
    hasOlder: false,
    hasNewer: false,
  });
  expect(shape(rows)).toEqual(['day', 1, 'day', 'gap 2', 3]);
});

it('holds back alerts about pages not loaded yet, older or newer', () => {
  const alerts = [alert(1, 'gap', 3), alert(2, 'reordered', 120)];
  const window = [message(50), message(51)];
  expect(shape(timelineRows(window, alerts, { hasOlder: true, hasNewer: true }))).toEqual(['day', 50, 51]);
  // Once the oldest and the newest are loaded, both show: at the top and at the end.
  expect(shape(timelineRows(window, alerts, { hasOlder: false, hasNewer: false }))).toEqual([
    'day',
    'gap 3',
    50,
    51,
    'reordered 120',
  ]);
});
