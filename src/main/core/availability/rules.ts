import {
  maxDoNotDisturbHours,
  type AvailabilityView,
  type SetAvailabilityArgs,
} from '../../../shared/contract/availability';
import type { HubAvailability } from '../../../shared/hub-protocol';
import { AppError } from '../errors';

const maxAheadMs = maxDoNotDisturbHours * 3_600_000;
/** What a hub's clock may differ from ours before its Do not disturb end counts as out of bounds. */
const hubSkewMs = 5 * 60_000;

export const available: AvailabilityView = { status: 'available', until: null };

/** A status the user chose, checked: Do not disturb ends in the future and at most 24 hours ahead. */
export function checkChoice(args: SetAvailabilityArgs, now: number): AvailabilityView {
  if (args.status !== 'dnd') {
    if (args.until !== undefined)
      throw new AppError('availability_invalid', 'Only Do not disturb has an end time.');
    return { status: args.status, until: null };
  }
  if (args.until === undefined)
    throw new AppError('availability_invalid', 'Choose when Do not disturb ends.');
  const end = Date.parse(args.until);
  if (!Number.isFinite(end) || end <= now)
    throw new AppError('availability_invalid', 'Do not disturb must end at a time still to come.');
  if (end > now + maxAheadMs)
    throw new AppError(
      'availability_invalid',
      `Do not disturb can be set for at most ${maxDoNotDisturbHours} hours.`,
    );
  return { status: 'dnd', until: new Date(end).toISOString() };
}

/**
 * What the hub said a colleague set, read as attacker-written: a Do not disturb needs a real end within the
 * bound (else it is dropped), other statuses carry none. `undefined`: the hub said nothing (an older hub).
 */
export function fromHub(
  raw: HubAvailability | null | undefined,
  now: number,
): AvailabilityView | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  if (raw.status !== 'dnd') return { status: raw.status, until: null };
  const end = raw.until === null ? NaN : Date.parse(raw.until);
  if (!Number.isFinite(end) || end > now + maxAheadMs + hubSkewMs) return null;
  return current({ status: 'dnd', until: new Date(end).toISOString() }, now);
}

/** The availability as of now: a Do not disturb whose end has passed is over. */
export function current(view: AvailabilityView | null, now: number): AvailabilityView | null {
  if (view?.status === 'dnd' && (view.until === null || Date.parse(view.until) <= now)) return null;
  return view;
}

/** Whether an arrival may make an OS notification now: urgent ones always break through Do not disturb. */
export function notifiesNow(message: { urgent: boolean }, doNotDisturb: boolean): boolean {
  return message.urgent || !doNotDisturb;
}
