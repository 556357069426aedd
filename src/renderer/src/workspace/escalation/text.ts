// What the escalation views say, in one place (tested without a window).
import type { EscalationStepView } from '../../../../shared/contract';
import { formatClock24 } from '../time';

export type StepKind = EscalationStepView['kind'];

/** One escalation step as the conversation's timeline shows it. */
export function stepText(kind: StepKind, who: string | null, at: string): string {
  const time = formatClock24(at);
  switch (kind) {
    case 'deadline-passed':
      return `${time} · No acknowledgement by the deadline: escalating`;
    case 'waiting-for-link':
      return `${time} · Escalation waits for the server connection`;
    case 'renotified':
      return `${time} · Recipients notified again`;
    case 'escalated':
      return `${time} · Sent, quoted, to ${who ?? 'the escalation target'}`;
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

export const acknowledgeBy = (deadlineAt: string): string => `Acknowledge by ${formatClock24(deadlineAt)}`;
