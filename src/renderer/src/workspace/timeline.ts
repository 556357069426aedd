import type { DeviceNoticeView, IntegrityAlertView, MessageView } from '../../../shared/contract';
import { dayKey, dayLabel, formatClock24 } from './time';

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'alert'; key: string; alert: IntegrityAlertView }
  | { kind: 'notice'; key: string; notice: DeviceNoticeView }
  | { kind: 'message'; key: string; message: MessageView };

export function alertText(a: IntegrityAlertView, nameOf?: (userId: string) => string): string {
  switch (a.kind) {
    case 'gap':
      return a.fromSeq === a.toSeq
        ? `Message ${a.fromSeq} is missing from the server's copy.`
        : `Messages ${a.fromSeq}–${a.toSeq} are missing from the server's copy.`;
    case 'reordered':
      return `Messages around ${a.fromSeq} were reordered by the server.`;
    case 'altered':
      return `Message ${a.fromSeq} was altered on the server.`;
    case 'missing-predecessor':
      return `Message ${a.fromSeq} refers to a message this computer never received.`;
    case 'unsigned-ack': {
      const who = typeof a.details.userId === 'string' && nameOf ? nameOf(a.details.userId) : null;
      return `The server says ${who ?? 'someone'} acknowledged message ${a.fromSeq}, but no signed acknowledgement came with it: it is not shown as acknowledged.`;
    }
    case 'unconfirmed-member': {
      const who = typeof a.details.userId === 'string' && nameOf ? nameOf(a.details.userId) : null;
      return `The server lists ${who ?? 'someone'} as a member, but no member added them: nothing you send is sealed to them.`;
    }
  }
}

/** "at 14:02" today, "on 3 Dec at 14:02" before: 24-hour time, as ward staff read it. */
export function atTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKey(iso) === dayKey(now.toISOString())) return `at ${formatClock24(iso)}`;
  return `on ${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} at ${formatClock24(iso)}`;
}

/**
 * A colleague's new device, as the conversation shows it: "Dr Samuel Okafor signed in on a new workstation,
 * WARD3B-PC02, at 14:02." (the name and time the device signed), and what that means for this conversation.
 */
export function deviceNoticeText(n: DeviceNoticeView, name: string, now = new Date()): string {
  const where = n.deviceName ?? 'an earlier workstation that gives no name';
  const said = `${name} signed in on a new workstation, ${where}, ${atTime(n.enrolledAt ?? n.seenAt, now)}.`;
  switch (n.state) {
    case 'in-use':
      return `${said} If ${name} did not, tell IT.`;
    case 'awaiting-acceptance':
      return `${said} Nothing of this conversation reaches it until someone compares the safety number with ${name} and accepts it in contact details.`;
    case 'accepted':
      return `${said} It was accepted after comparing safety numbers.`;
    case 'revoked':
      return `${said} It has since been removed.`;
  }
}

/**
 * The rows of a conversation's timeline, oldest first: its loaded messages, a separator before the first
 * message of each day, each integrity alert in place, just before the first message at or after the
 * seq it is about, and each new-device notice just before the first message after this computer saw the
 * device. An alert or notice outside the loaded messages waits for its page (older or newer) to load.
 */
export function timelineRows(
  messages: MessageView[],
  alerts: IntegrityAlertView[],
  loaded: { hasOlder: boolean; hasNewer: boolean },
  notices: DeviceNoticeView[] = [],
): Row[] {
  const firstSeq = messages.find((m) => m.seq !== null)?.seq ?? Infinity;
  const firstTime = messages.length > 0 ? Date.parse(messages[0]!.time) : Infinity;
  const pending = [...alerts]
    .filter((a) => !(loaded.hasOlder && a.fromSeq < firstSeq))
    .sort((a, b) => a.fromSeq - b.fromSeq || a.id - b.id);
  const waiting = [...notices]
    .filter((n) => !(loaded.hasOlder && Date.parse(n.seenAt) < firstTime))
    .sort((a, b) => Date.parse(a.seenAt) - Date.parse(b.seenAt));
  const rows: Row[] = [];
  const alertsUpTo = (seq: number): void => {
    while (pending.length > 0 && pending[0]!.fromSeq <= seq) {
      const alert = pending.shift()!;
      rows.push({ kind: 'alert', key: `alert-${alert.id}`, alert });
    }
  };
  const noticesBefore = (time: number): void => {
    while (waiting.length > 0 && Date.parse(waiting[0]!.seenAt) < time) {
      const notice = waiting.shift()!;
      rows.push({ kind: 'notice', key: `notice-${notice.userId}-${notice.deviceId}`, notice });
    }
  };
  let day: string | null = null;
  for (const m of messages) {
    const key = dayKey(m.time);
    if (key !== day) {
      rows.push({ kind: 'day', key: `day-${key}-${m.envelopeId}`, label: dayLabel(m.time) });
      day = key;
    }
    noticesBefore(Date.parse(m.time));
    alertsUpTo(m.seq ?? Infinity);
    rows.push({ kind: 'message', key: m.envelopeId, message: m });
  }
  if (!loaded.hasNewer) {
    alertsUpTo(Infinity);
    noticesBefore(Infinity);
  }
  return rows;
}
