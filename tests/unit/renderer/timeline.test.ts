// Where integrity alerts stand in a conversation's timeline: in place, before the first message at or after
// the seq they are about; held back while their page is not loaded.
import { describe, expect, it } from 'vitest';
import type { IntegrityAlertView, MessageView } from '../../../src/shared/contract';
import { messageView } from './message-view';
import { alertText, timelineRows, type Row } from '../../../src/renderer/src/workspace/timeline';

const at = '2026-11-20T09:00:00.000Z';
const message = (seq: number | null, time = at): MessageView =>
  messageView({ seq, time, own: seq === null, pending: seq === null });
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

describe('items that failed verification, as Dr Samuel Okafor sees them', () => {
  const junk = (seq: number, reason = 'malformed'): MessageView => ({
    ...message(seq),
    verdict: 'quarantined',
    reason,
    kind: null,
    text: null,
  });
  const burst = (id: number, fromSeq: number, toSeq: number, count: number): IntegrityAlertView => ({
    ...alert(id, 'quarantined', fromSeq, toSeq),
    details: { count, lastAt: at },
  });

  it('a burst is one alert row in place of its items; the real messages around it stay', () => {
    const messages = [message(1), junk(2), junk(3), junk(4), message(5), junk(6), message(7)];
    const rows = timelineRows(messages, [burst(1, 2, 6, 4)], { hasOlder: false, hasNewer: false });
    expect(shape(rows)).toEqual(['day', 1, 'quarantined 2', 5, 7]);
  });

  it('a message waiting for its key or a held workstation is never folded: it is a real message', () => {
    const messages = [junk(2), junk(3, 'awaiting-key'), junk(4, 'device-not-accepted'), junk(5)];
    const rows = timelineRows(messages, [burst(1, 2, 5, 2)], { hasOlder: false, hasNewer: false });
    expect(shape(rows)).toEqual(['day', 'quarantined 2', 3, 4]);
  });

  it('a single failed item stays the "could not verify" row, with no second row for its alert', () => {
    const rows = timelineRows([message(1), junk(2), message(3)], [burst(1, 2, 2, 1)], {
      hasOlder: false,
      hasNewer: false,
    });
    expect(shape(rows)).toEqual(['day', 1, 2, 3]);
  });

  it('says how many, where, that they are not messages, and to tell IT', () => {
    expect(alertText(burst(1, 12, 20_011, 20_000))).toBe(
      '20,000 items from the server (12–20,011) failed the security checks and are not shown as messages; they are kept as evidence. Tell IT: the server may be faulty or tampered with.',
    );
    expect(alertText(burst(2, 7, 7, 1))).toBe(
      'One item from the server (7) failed the security checks and is not shown as a message; it is kept as evidence. Tell IT: the server may be faulty or tampered with.',
    );
  });
});

it('a page that is all junk of a burst that began further back shows the burst alert, not an empty timeline', () => {
  const junkPage: MessageView[] = [453, 454, 455].map((seq) => ({
    ...message(seq),
    verdict: 'quarantined',
    reason: 'malformed',
    kind: null,
    text: null,
  }));
  const burst: IntegrityAlertView = {
    ...alert(1, 'quarantined', 3, 502),
    details: { count: 500, lastAt: at },
  };
  const rows = timelineRows(junkPage, [burst, alert(2, 'gap', 2)], { hasOlder: true, hasNewer: false });
  expect(shape(rows)).toEqual(['day', 'quarantined 3']);
});
