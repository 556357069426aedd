import type { AvailabilityStatus, AvailabilityView } from '../../../../shared/contract';
import { formatTime } from '../time';

export const statusNames: Record<AvailabilityStatus, string> = {
  available: 'Available',
  busy: 'Busy',
  in_theatre: 'In theatre',
  off_shift: 'Off shift',
  dnd: 'Do not disturb',
};

/** A shape beside the words, so a status never rests on colour alone. */
export const statusSymbols: Record<AvailabilityStatus, string> = {
  available: '●',
  busy: '◐',
  in_theatre: '✚',
  off_shift: '☾',
  dnd: '⊘',
};

export function availabilityLabel(view: AvailabilityView): string {
  return view.status === 'dnd' && view.until
    ? `Do not disturb until ${formatTime(view.until)}`
    : statusNames[view.status];
}

/** The next time the clock shows `hhmm` (today, or tomorrow when it has passed), as an ISO time. */
export function nextOccurrence(hhmm: string, now = new Date()): string | null {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) return null;
  const at = new Date(now);
  at.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
  return at.toISOString();
}
