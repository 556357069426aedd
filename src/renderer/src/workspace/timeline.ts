import type {
  DeviceNoticeView,
  EscalationStepView,
  IntegrityAlertView,
  MessageView,
} from '../../../shared/contract';
import { formatNumber, t } from '../i18n';
import { atTime, dayKey, dayLabel } from './time';

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'alert'; key: string; alert: IntegrityAlertView }
  | { kind: 'notice'; key: string; notice: DeviceNoticeView }
  | { kind: 'escalation'; key: string; step: EscalationStepView }
  | { kind: 'message'; key: string; message: MessageView };

export function alertText(a: IntegrityAlertView, nameOf?: (userId: string) => string): string {
  switch (a.kind) {
    case 'gap':
      return a.fromSeq === a.toSeq
        ? t('alert.gapOne', { seq: a.fromSeq })
        : t('alert.gap', { from: a.fromSeq, to: a.toSeq });
    case 'reordered':
      return t('alert.reordered', { seq: a.fromSeq });
    case 'altered':
      return t('alert.altered', { seq: a.fromSeq });
    case 'missing-predecessor':
      return t('alert.missingPredecessor', { seq: a.fromSeq });
    case 'unsigned-ack': {
      const who = typeof a.details.userId === 'string' && nameOf ? nameOf(a.details.userId) : null;
      return t('alert.unsignedAck', { who: who ?? t('alert.someone'), seq: a.fromSeq });
    }
    case 'unconfirmed-member': {
      const who = typeof a.details.userId === 'string' && nameOf ? nameOf(a.details.userId) : null;
      return t('alert.unconfirmedMember', { who: who ?? t('alert.someone') });
    }
    case 'quarantined':
      return quarantinedText(a);
  }
}

/** Failed items of one burst: how many, where, that they are not messages, and to tell IT. */
function quarantinedText(a: IntegrityAlertView): string {
  const n = typeof a.details.count === 'number' ? a.details.count : 1;
  const where =
    a.fromSeq === a.toSeq ? formatNumber(a.fromSeq) : `${formatNumber(a.fromSeq)}–${formatNumber(a.toSeq)}`;
  return n === 1 ? t('alert.quarantinedOne', { where }) : t('alert.quarantined', { count: n, where });
}

/** Quarantined message rows an alert stands for: those inside a burst of more than one item. */
function foldedBy(alerts: IntegrityAlertView[]): (m: MessageView) => boolean {
  const bursts = alerts.filter(
    (a) => a.kind === 'quarantined' && typeof a.details.count === 'number' && a.details.count > 1,
  );
  return (m) =>
    m.verdict === 'quarantined' &&
    m.reason !== 'awaiting-key' &&
    m.reason !== 'device-not-accepted' &&
    m.seq !== null &&
    bursts.some((a) => a.fromSeq <= m.seq! && m.seq! <= a.toSeq);
}

/**
 * A colleague's new device, as the conversation shows it: "Dr Samuel Okafor signed in on a new workstation,
 * WARD3B-PC02, at 14:02." (the name and time the device signed), and what that means for this conversation.
 */
export function deviceNoticeText(n: DeviceNoticeView, name: string, now = new Date()): string {
  const where = n.deviceName ?? t('notice.unnamed');
  const said = t('notice.signedIn', { name, where, when: atTime(n.enrolledAt ?? n.seenAt, now) });
  switch (n.state) {
    case 'in-use':
      return t('notice.inUse', { said, name });
    case 'awaiting-acceptance':
      return t('notice.awaitingAcceptance', { said, name });
    case 'accepted':
      return t('notice.accepted', { said });
    case 'revoked':
      return t('notice.revoked', { said });
  }
}

/**
 * The rows of a conversation's timeline, oldest first: its loaded messages, a separator before the first
 * message of each day, each integrity alert in place, just before the first message at or after the
 * seq it is about, and each new-device notice just before the first message after this computer saw the
 * device, and each escalation step just before the first message after it happened. An alert, notice or step
 * outside the loaded messages waits for its page (older or newer) to load.
 * Items that failed verification in a burst are not rows of their own: the burst's one alert stands for them
 * (a single failed item stays a row, saying it could not be verified, and its alert adds no second row).
 * An escalation step message (a reminder, a resolution) is not a row either: its step row stands for it.
 */
export function timelineRows(
  messages: MessageView[],
  alerts: IntegrityAlertView[],
  loaded: { hasOlder: boolean; hasNewer: boolean },
  notices: DeviceNoticeView[] = [],
  steps: EscalationStepView[] = [],
): Row[] {
  const firstSeq = messages.find((m) => m.seq !== null)?.seq ?? Infinity;
  const firstTime = messages.length > 0 ? Date.parse(messages[0]!.time) : Infinity;
  const folded = foldedBy(alerts);
  const stepsWaiting = steps
    .map((step, i) => ({ step, key: `step-${i}-${step.kind}-${step.at}` }))
    .filter((s) => !(loaded.hasOlder && Date.parse(s.step.at) < firstTime))
    .sort((a, b) => Date.parse(a.step.at) - Date.parse(b.step.at));
  const pending = [...alerts]
    .filter((a) => !(a.kind === 'quarantined' && a.details.count === 1))
    // a burst still running into the loaded page stands at its top: it is what the folded rows there are
    .filter(
      (a) => !(loaded.hasOlder && a.fromSeq < firstSeq && !(a.kind === 'quarantined' && a.toSeq >= firstSeq)),
    )
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
  const systemRowsBefore = (time: number): void => {
    while (waiting.length > 0 && Date.parse(waiting[0]!.seenAt) < time) {
      const notice = waiting.shift()!;
      rows.push({ kind: 'notice', key: `notice-${notice.userId}-${notice.deviceId}`, notice });
    }
    while (stepsWaiting.length > 0 && Date.parse(stepsWaiting[0]!.step.at) < time) {
      const { step, key } = stepsWaiting.shift()!;
      rows.push({ kind: 'escalation', key, step });
    }
  };
  let day: string | null = null;
  for (const m of messages) {
    const key = dayKey(m.time);
    if (key !== day) {
      rows.push({ kind: 'day', key: `day-${key}-${m.envelopeId}`, label: dayLabel(m.time) });
      day = key;
    }
    systemRowsBefore(Date.parse(m.time));
    alertsUpTo(m.seq ?? Infinity);
    if (folded(m) || m.escalationStep) continue;
    rows.push({ kind: 'message', key: m.envelopeId, message: m });
  }
  if (!loaded.hasNewer) {
    alertsUpTo(Infinity);
    systemRowsBefore(Infinity);
  }
  return rows;
}
