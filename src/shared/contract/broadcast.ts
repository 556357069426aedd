import { z } from 'zod';

const id = z.string().min(1).max(128);

/** An announcement to a group of colleagues (a role's holders or a department once resolved to user ids). */
export const BroadcastSendArgs = z.strictObject({
  userIds: z.array(id).min(1).max(255),
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
