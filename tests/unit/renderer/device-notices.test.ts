// A colleague's new device in a conversation's timeline: "Dr Okafor signed in on a new workstation,
// WARD3B-PC02, at 14:02", placed after what was said before this computer saw the device, 24-hour time.
import { expect, it } from 'vitest';
import type { DeviceNoticeView, MessageView } from '../../../src/shared/contract';
import { messageView } from './message-view';
import { deviceNoticeText, timelineRows, type Row } from '../../../src/renderer/src/workspace/timeline';

const message = (seq: number, time: string): MessageView => messageView({ seq, time });
const local = (h: number, m: number, day = new Date()): string => {
  const d = new Date(day);
  d.setHours(h, m, 0, 0);
  return d.toISOString();
};
const notice = (seenAt: string, state: DeviceNoticeView['state'] = 'in-use'): DeviceNoticeView => ({
  userId: 'okafor',
  deviceId: 'pc02',
  deviceName: 'WARD3B-PC02',
  enrolledAt: local(14, 2),
  seenAt,
  state,
});
const shape = (rows: Row[]) =>
  rows.map((r) => (r.kind === 'message' ? r.message.seq : r.kind === 'notice' ? 'notice' : r.kind));

it('places the notice before the first message after the device was seen, or at the end', () => {
  const messages = [message(1, local(13, 0)), message(2, local(14, 30))];
  expect(
    shape(timelineRows(messages, [], { hasOlder: false, hasNewer: false }, [notice(local(14, 5))])),
  ).toEqual(['day', 1, 'notice', 2]);
  expect(
    shape(timelineRows(messages, [], { hasOlder: false, hasNewer: false }, [notice(local(15, 0))])),
  ).toEqual(['day', 1, 2, 'notice']);
  // Newer messages not loaded yet: the notice waits for them; older ones not loaded: an older notice waits.
  expect(
    shape(timelineRows(messages, [], { hasOlder: false, hasNewer: true }, [notice(local(15, 0))])),
  ).toEqual(['day', 1, 2]);
  expect(
    shape(timelineRows(messages, [], { hasOlder: true, hasNewer: false }, [notice(local(12, 0))])),
  ).toEqual(['day', 1, 2]);
});

it('says who, which workstation and when (24-hour), and what it means under each policy', () => {
  const seen = local(14, 5);
  expect(deviceNoticeText(notice(seen), 'Dr Samuel Okafor')).toBe(
    'Dr Samuel Okafor signed in on a new workstation, WARD3B-PC02, at 14:02. If Dr Samuel Okafor did not, tell IT.',
  );
  expect(deviceNoticeText(notice(seen, 'awaiting-acceptance'), 'Dr Samuel Okafor')).toMatch(
    /at 14:02\. Nothing of this conversation reaches it until someone compares the safety number/,
  );
  expect(deviceNoticeText({ ...notice(seen), deviceName: null }, 'Dr Samuel Okafor')).toMatch(
    /signed in on a new workstation, an earlier workstation that gives no name, at 14:02/,
  );
  const yesterday = new Date(Date.now() - 86_400_000);
  expect(
    deviceNoticeText({ ...notice(seen), enrolledAt: local(9, 30, yesterday) }, 'Dr Samuel Okafor'),
  ).toMatch(/, on (\d{1,2} \w+|\w+ \d{1,2}) at 09:30\./);
});
