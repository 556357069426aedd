import { z } from 'zod';

/** What a colleague says about herself; Do not disturb always has an end. */
export const AvailabilityStatus = z.enum(['available', 'busy', 'in_theatre', 'off_shift', 'dnd']);
export type AvailabilityStatus = z.infer<typeof AvailabilityStatus>;

/** The longest Do not disturb one can set: it never outlives a shift by much. */
export const maxDoNotDisturbHours = 24;

/** A status as the hub reported it (the hub's word: a convenience, not a security claim). */
export const AvailabilityView = z.object({
  status: AvailabilityStatus,
  /** ISO time a Do not disturb ends; null for every other status. */
  until: z.iso.datetime().nullable(),
});
export type AvailabilityView = z.infer<typeof AvailabilityView>;

export const SetAvailabilityArgs = z.strictObject({
  status: AvailabilityStatus,
  /** Do not disturb only: when it ends (in the future, at most 24 hours ahead). */
  until: z.iso.datetime({ offset: true }).optional(),
});
export type SetAvailabilityArgs = z.infer<typeof SetAvailabilityArgs>;

/** This user's own setting, with whether the hub has it yet (it is published on every connect). */
export const MyAvailabilityView = z.object({
  availability: AvailabilityView,
  published: z.boolean(),
});
export type MyAvailabilityView = z.infer<typeof MyAvailabilityView>;

export const AvailabilityChangedEvent = z.object({
  userId: z.string(),
  availability: AvailabilityView.nullable(),
});
