import type { AvailabilityLookup } from './availability';
import type { SignedRosterEntry } from './signed-roster';

export interface ResolvedPerson {
  userId: string;
  /** The availability status to show, or null. */
  status: string | null;
}

export type RoleResolution =
  /** `holders`: who a message to the role goes to now (never this user). */
  | {
      status: 'staffed';
      holders: ResolvedPerson[];
      unavailable: ResolvedPerson[];
      backup: ResolvedPerson | null;
    }
  /** Nobody holds the role, or nobody holding it is available: the sender is offered `backup`. */
  | { status: 'unstaffed'; holders: []; unavailable: ResolvedPerson[]; backup: ResolvedPerson | null };

/**
 * Who a message to a role goes to, from IT's verified entry alone: its holders who are available, never the
 * sender herself. Nobody else is ever added: with no available holder, the answer is 'unstaffed' and the
 * backup is only offered.
 */
export async function resolveRole(
  entry: SignedRosterEntry,
  selfUserId: string,
  availability: AvailabilityLookup,
): Promise<RoleResolution> {
  const others = entry.holders.filter((h) => h !== selfUserId);
  const asked = [...others, ...(entry.backup && entry.backup !== selfUserId ? [entry.backup] : [])];
  const known = asked.length > 0 ? await availability(asked) : new Map();
  const person = (userId: string): ResolvedPerson => ({ userId, status: known.get(userId)?.status ?? null });
  const holders = others.filter((h) => known.get(h)?.available !== false).map(person);
  const unavailable = others.filter((h) => known.get(h)?.available === false).map(person);
  const backup = entry.backup && entry.backup !== selfUserId ? person(entry.backup) : null;
  return holders.length > 0
    ? { status: 'staffed', holders, unavailable, backup }
    : { status: 'unstaffed', holders: [], unavailable, backup };
}
