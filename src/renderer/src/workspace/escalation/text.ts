// What the escalation views say, in one place (tested without a window).
import type { EscalationStepView } from '../../../../shared/contract';
import { t } from '../../i18n';
import { formatClock, formatTime } from '../time';

export type StepKind = EscalationStepView['kind'];

/**
 * One escalation step as the conversation's timeline shows it. `who`: the person it names; `role`: the role's
 * roster name when it escalated to a role.
 */
export function stepText(kind: StepKind, who: string | null, at: string, role: string | null = null): string {
  const time = formatClock(at);
  const as = role ? t('escalation.roleSuffix', { role }) : '';
  switch (kind) {
    case 'deadline-passed':
      return t('escalation.step.deadlinePassed', { time });
    case 'waiting-for-link':
      return t('escalation.step.waitingForLink', { time });
    case 'renotified':
      return t('escalation.step.renotified', { time });
    case 'escalated':
      return t('escalation.step.escalated', { time, who: who ?? t('escalation.theTarget'), as });
    case 'no-target':
      return t('escalation.step.noTarget', { time });
    case 'sender-alerted':
      return t('escalation.step.senderAlerted', { time });
    case 'acknowledged':
      return t('escalation.step.acknowledged', { time, who: who ?? t('escalation.aRecipient') });
    case 'acknowledged-late':
      return t('escalation.step.acknowledgedLate', { time, who: who ?? t('escalation.aRecipient') });
    case 'reminder-received':
      return t('escalation.step.reminderReceived', { time, who: who ?? t('escalation.theSender') });
    case 'resolution-sent':
      return t('escalation.step.resolutionSent', { time, who: who ?? t('escalation.aRecipient') });
    case 'resolved-received':
      return t('escalation.step.resolvedReceived', { time, who: who ?? t('escalation.aColleague'), as });
  }
}

/** "1 min 30 s left", or "Deadline passed". */
export function timeLeft(ms: number): string {
  if (ms <= 0) return t('escalation.deadlinePassed');
  const total = Math.ceil(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  if (minutes === 0) return t('escalation.secondsLeft', { seconds });
  return seconds === 0
    ? t('escalation.minutesLeft', { minutes })
    : t('escalation.minutesSecondsLeft', { minutes, seconds });
}

export const acknowledgeBy = (deadlineAt: string): string =>
  t('escalation.acknowledgeBy', { time: formatClock(deadlineAt) });

/** On the message at `seq`, once its sender said someone it escalated to acknowledged it; else null. */
export function escalationAckOf(
  steps: readonly EscalationStepView[],
  seq: number | null,
  nameOf: (userId: string) => string,
  roleName: (roleId: string) => string,
): string | null {
  const step = steps.find((s) => s.kind === 'resolved-received' && s.seq === seq && s.userId !== null);
  if (!step) return null;
  const role = step.roleId ? t('escalation.roleSuffix', { role: roleName(step.roleId) }) : '';
  return t('escalation.acknowledgedByAt', { name: nameOf(step.userId!), role, time: formatTime(step.at) });
}
