/**
 * Whether a holder can take a message now. AVAILABILITY's statuses (docs: Available, Busy, In theatre, Off
 * shift, Do not disturb until) come through presence; resolution takes them through this lookup, injected,
 * so it can say "Dr Rao is in theatre; backup: Dr Okafor" before anything is sent.
 */
export interface HolderAvailability {
  available: boolean;
  /** The status to show ('in_theatre', 'off_shift', ...), or null when none is known. */
  status: string | null;
}

export type AvailabilityLookup = (userIds: readonly string[]) => Promise<Map<string, HolderAvailability>>;

/** The default until availability is wired in: everyone holding a role can take a message. */
export const everyoneAvailable: AvailabilityLookup = (userIds) =>
  Promise.resolve(new Map(userIds.map((id) => [id, { available: true, status: null }])));
