import { z } from 'zod';
import { RoleResolutionView } from './roles';

/** The most roles one announcement may name (each is resolved to its holders at send time). */
export const maxBroadcastRoles = 16;
/** The hub's limit on members per conversation (CreateConversation memberIds), the sender excluded. */
export const maxBroadcastRecipients = 255;

const id = z.string().min(1).max(128);

/** An announcement to a group of colleagues (a role's holders or a department once resolved to user ids). */
export const BroadcastSendArgs = z.strictObject({
  // May be empty when roleIds names at least one role; the core refuses an announcement to nobody.
  userIds: z.array(id).max(maxBroadcastRecipients),
  /** Roles resolved in the core to their current available verified holders (else nothing is sent). */
  roleIds: z.array(id).max(maxBroadcastRoles).optional(),
  text: z.string().min(1).max(65536),
  urgent: z.boolean(),
  ackRequired: z.boolean(),
  /** With ackRequired: the deadline in minutes, one of the policy's choices (docs/escalation.md). */
  ackDeadlineMinutes: z.int().min(1).max(60).optional(),
});

/** Whom an announcement would reach now, asked before sending. */
export const BroadcastPreviewArgs = z.strictObject({
  userIds: z.array(id).max(maxBroadcastRecipients),
  roleIds: z.array(id).max(maxBroadcastRoles),
});

/**
 * One role of an announcement as it resolves now, judged alone: 'staffed' (its available holders), 'unstaffed'
 * (nobody available: offer `backup`), 'unverified' (IT's signature check failed) or 'not_found'; `problem` says
 * why the last two cannot be used.
 */
export const RolePreviewView = RoleResolutionView.extend({
  status: z.enum(['staffed', 'unstaffed', 'unverified', 'not_found']),
  problem: z.string().nullable(),
});
export type RolePreviewView = z.infer<typeof RolePreviewView>;

/** `recipients`: distinct colleagues (the sender left out) from the named ones and the staffed roles. */
export const BroadcastPreviewView = z.object({
  recipients: z.int().nonnegative(),
  roles: z.array(RolePreviewView),
});
export type BroadcastPreviewView = z.infer<typeof BroadcastPreviewView>;

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
