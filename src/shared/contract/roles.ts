import { z } from 'zod';

const id = z.string().min(1).max(128);

const Person = z.object({ userId: z.string(), displayName: z.string() });
/** `status`: the availability status to show ('in_theatre', 'off_shift', ...), null when none is known. */
const PersonStatus = Person.extend({ status: z.string().nullable() });

/** A role of the roster (docs/roster.md) with IT's verified holders; 'refused' when the hub's entry failed. */
export const RoleView = z.object({
  roleId: z.string(),
  name: z.string(),
  state: z.enum(['verified', 'refused']),
  refusal: z.enum(['malformed', 'no-pinned-keys', 'signature-invalid', 'replayed']).nullable(),
  holders: z.array(Person),
  backup: Person.nullable(),
  serial: z.int().positive().nullable(),
  signedAt: z.string().nullable(),
});
export type RoleView = z.infer<typeof RoleView>;

/** Who a message to the role would go to now; 'unstaffed': nobody available, `backup` is what to offer. */
export const RoleResolutionView = z.object({
  roleId: z.string(),
  name: z.string(),
  status: z.enum(['staffed', 'unstaffed']),
  holders: z.array(PersonStatus),
  unavailable: z.array(PersonStatus),
  backup: PersonStatus.nullable(),
});
export type RoleResolutionView = z.infer<typeof RoleResolutionView>;

export const RoleSendArgs = z.strictObject({
  roleId: id,
  text: z.string().min(1).max(65536),
  urgent: z.boolean(),
  ackRequired: z.boolean(),
  patient: z.object({ mrn: z.string().min(1).max(64), name: z.string().min(1).max(200) }).nullable(),
  /** After being told nobody holding the role is available: send to its backup instead. */
  toBackup: z.boolean(),
  /** With ackRequired: the deadline in minutes, one of the policy's choices (docs/escalation.md). */
  ackDeadlineMinutes: z.int().min(1).max(60).optional(),
});

export const RoleSendResult = z.object({
  conversationId: z.string(),
  envelopeId: z.string(),
  holders: z.array(z.string()),
});
