import { z } from 'zod';

export const ConnectionState = z.object({
  state: z.enum(['offline', 'connecting', 'connected', 'reconnecting', 'syncing']),
  since: z.iso.datetime(),
  queued: z.number().int().nonnegative(),
});
export type ConnectionState = z.infer<typeof ConnectionState>;

export const PolicyProblem = z.object({
  file: z.string(),
  field: z.string(),
  message: z.string(),
});
export type PolicyProblem = z.infer<typeof PolicyProblem>;

export const PolicySource = z.enum(['machine', 'user', 'default']);

/** What the renderer may know of the effective policy: no keys, no tokens. */
export const PolicySummary = z.object({
  hubUrl: z.string().nullable(),
  idpAuthority: z.string().nullable(),
  gatewayUrl: z.string().nullable(),
  idleLockMinutes: z.number().int().positive(),
  idleLockMaxMinutes: z.number().int().positive(),
  retentionDays: z.number().int().positive(),
  notificationPrivacy: z.enum(['hidden', 'sender', 'preview']),
  saveToDiskAllowed: z.boolean(),
  complianceCopy: z.boolean(),
  sources: z.record(z.string(), PolicySource),
  problems: z.array(PolicyProblem),
});
export type PolicySummary = z.infer<typeof PolicySummary>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  policy: PolicySummary,
});
export type AppInfo = z.infer<typeof AppInfo>;
