import { z } from 'zod';

const id = z.string().min(1).max(128);

/** Who an unacknowledged message escalates to (docs/escalation.md). */
export const EscalationTargetView = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), userId: id }),
  z.strictObject({ kind: z.literal('role'), roleId: id }),
]);

/** What the composer offers: the policy's deadline choices and defaults. */
export const EscalationOptions = z.object({
  choices: z.array(z.int().positive()),
  defaultMinutes: z.int().positive(),
  defaultTarget: EscalationTargetView.nullable(),
});

export const EscalationStepView = z.object({
  conversationId: z.string(),
  /** The message the step belongs to (null while the sender's copy is not yet on the hub). */
  seq: z.int().positive().nullable(),
  envelopeId: z.string().nullable(),
  kind: z.enum([
    'deadline-passed',
    'waiting-for-link',
    'renotified',
    'escalated',
    'no-target',
    'sender-alerted',
    'acknowledged',
    'acknowledged-late',
    'reminder-received',
    /** The sender's client told where the message still waited who acknowledged it (docs/escalation.md). */
    'resolution-sent',
    /** The sender says someone else acknowledged it (the person it escalated to, or the original recipient). */
    'resolved-received',
  ]),
  at: z.string(),
  userId: z.string().nullable(),
  /** The role it escalated to ('escalated' to a role's holder or backup). */
  roleId: z.string().nullable(),
});
export type EscalationStepView = z.infer<typeof EscalationStepView>;

/** A message of mine with a deadline, not yet acknowledged by anyone. */
export const AwaitingOthersView = z.object({
  conversationId: z.string(),
  envelopeId: z.string(),
  seq: z.int().positive().nullable(),
  text: z.string(),
  deadlineAt: z.string(),
  /** Milliseconds left on the core's clock (0 once passed). */
  msLeft: z.int().nonnegative(),
  status: z.enum(['waiting', 'escalating', 'finished']),
  target: EscalationTargetView.nullable(),
  /** Sent from another workstation of mine: its escalation runs there, not on this one. */
  elsewhere: z.boolean(),
});

/** A message asking me for acknowledgement that I have not acknowledged. */
export const AwaitingMineView = z.object({
  conversationId: z.string(),
  seq: z.int().positive(),
  senderUserId: z.string(),
  text: z.string(),
  urgent: z.boolean(),
  /** From the signed payload; null for a message without a deadline. */
  deadlineAt: z.string().nullable(),
  target: EscalationTargetView.nullable(),
  /** Escalated to me from another conversation. */
  escalatedFrom: z
    .object({ conversationId: z.string(), seq: z.int().positive(), recipients: z.array(z.string()) })
    .nullable(),
});
