import { z } from 'zod';

/** Signed updates and the hub's minimum version, as the window shows them (docs/updates.md). */
export const UpdateStatusView = z.object({
  currentVersion: z.string().max(64),
  /** The minimum the hub announced (x.y.z), or null. */
  minimumVersion: z.string().max(20).nullable(),
  /** This version is below the hub's minimum: sending is refused (`update_required`), reading goes on. */
  updateRequired: z.boolean(),
  mode: z.enum(['auto', 'notify', 'off']),
  /** The last update check: its outcome, the version it concerned, and for IT "update refused: <reason>". */
  lastCheck: z
    .object({
      status: z.enum(['off', 'not-configured', 'up-to-date', 'available', 'installing', 'refused', 'failed']),
      version: z.string().max(20).nullable(),
      message: z.string().max(300).nullable(),
    })
    .nullable(),
});
export type UpdateStatusView = z.infer<typeof UpdateStatusView>;
