// What the escalation views say, in one place (tested without a window).
import type { EscalationStepView } from '../../../../shared/contract';
import { formatClock, formatTime } from '../time';

export type StepKind = EscalationStepView['kind'];

/**
 * One escalation step as the conversation's timeline shows it. `who`: the person it names; `role`: the role's
 * roster name when it escalated to a role.
 */
export function stepText(kind: StepKind, who: string | null, at: string, role: string | null = null): string {
  const time = formatClock(at);
  const as = role ? ` (${role})` : '';
  switch (kind) {
    case 'deadline-passed':
      return `${time} · No acknowledgement by the deadline: escalating`;
    case 'waiting-for-link':
      return `${time} · Escalation waits for the server connection`;
    case 'renotified':
      return `${time} · Recipients notified again`;
    case 'escalated':
      return `${time} · Sent to ${who ?? 'the escalation target'}${as}, quoted as you signed it`;
    case 'no-target':
      return `${time} · Nobody to escalate to: nothing was sent to anyone else`;
    case 'sender-alerted':
      return `${time} · You were alerted`;
    case 'acknowledged':
      return `${time} · Acknowledged by ${who ?? 'a recipient'}: escalation stopped`;
    case 'acknowledged-late':
      return `${time} · Acknowledged late by ${who ?? 'a recipient'}: escalation stopped`;
    case 'reminder-received':
      return `${time} · ${who ?? 'The sender'} is waiting for your acknowledgement`;
    case 'resolution-sent':
      return `${time} · Those still waiting were told ${who ?? 'a recipient'} acknowledged it`;
    case 'resolved-received':
      return `${time} · Acknowledged by ${who ?? 'a colleague'}${as}: no longer awaiting your acknowledgement`;
  }
}

/** "1 min 30 s left", or "Deadline passed". */
export function timeLeft(ms: number): string {
  if (ms <= 0) return 'Deadline passed';
  const total = Math.ceil(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  if (minutes === 0) return `${seconds} s left`;
  return seconds === 0 ? `${minutes} min left` : `${minutes} min ${seconds} s left`;
}

export const acknowledgeBy = (deadlineAt: string): string => `Acknowledge by ${formatClock(deadlineAt)}`;

/** On the message at `seq`, once its sender said someone it escalated to acknowledged it; else null. */
export function escalationAckOf(
  steps: readonly EscalationStepView[],
  seq: number | null,
  nameOf: (userId: string) => string,
  roleName: (roleId: string) => string,
): string | null {
  const step = steps.find((s) => s.kind === 'resolved-received' && s.seq === seq && s.userId !== null);
  if (!step) return null;
  const role = step.roleId ? ` (${roleName(step.roleId)})` : '';
  return `Acknowledged by ${nameOf(step.userId!)}${role} at ${formatTime(step.at)}`;
}
