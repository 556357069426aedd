import type { AvailabilityStatus, AvailabilityView } from '../../../../shared/contract';
import { t } from '../../i18n';
import { formatTime } from '../time';

export const statuses: AvailabilityStatus[] = ['available', 'busy', 'in_theatre', 'off_shift', 'dnd'];

export function statusName(status: AvailabilityStatus): string {
  switch (status) {
    case 'available':
      return t('availability.available');
    case 'busy':
      return t('availability.busy');
    case 'in_theatre':
      return t('availability.inTheatre');
    case 'off_shift':
      return t('availability.offShift');
    case 'dnd':
      return t('availability.dnd');
  }
}

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
    ? t('availability.dndUntil', { time: formatTime(view.until) })
    : statusName(view.status);
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
