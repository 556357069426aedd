import { z } from 'zod';

/** The most roles one announcement may name (each is resolved to its holders at send time). */
export const maxBroadcastRoles = 16;

const id = z.string().min(1).max(128);

/** An announcement to a group of colleagues (a role's holders or a department once resolved to user ids). */
export const BroadcastSendArgs = z.strictObject({
  // May be empty when roleIds names at least one role; the core refuses an announcement to nobody.
  userIds: z.array(id).max(255),
  /** Roles resolved in the core to their current verified holders (refused or empty role: nothing sent). */
  roleIds: z.array(id).max(maxBroadcastRoles).optional(),
  text: z.string().min(1).max(65536),
  urgent: z.boolean(),
  ackRequired: z.boolean(),
});

export const BroadcastRef = z.strictObject({ conversationId: id, seq: z.int().positive() });

/**
 * The counts of an announcement the user sent. `delivered` and `read` are the server's report (receipts, not
 * proof); `acknowledged` counts verified signed acknowledgements only (an acknowledgement also counts as read).
 */
export const BroadcastStatusView = z.object({
  conversationId: z.string(),
  seq: z.int().positive(),
  ackRequired: z.boolean(),
  recipients: z.int().nonnegative(),
  delivered: z.int().nonnegative(),
  read: z.int().nonnegative(),
  acknowledged: z.int().nonnegative(),
});
export type BroadcastStatusView = z.infer<typeof BroadcastStatusView>;
