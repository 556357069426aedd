// The one way to show times across the app: a 24-hour clock ("15:07", as wards read it, whatever the
// locale's habit), the locale's day and month for anything before today.

// undefined: the locale of this computer, for the order and names of the date parts.
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const longDate = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const fullDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

const dayKeyOf = (d: Date): string => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

export const dayKey = (iso: string): string => dayKeyOf(new Date(iso));

/** "15:07". */
export function formatClock(iso: string): string {
  return clock.format(new Date(iso));
}

/** "15:07" today, "3 Dec 15:07" before. */
export function formatTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return clock.format(d);
  return `${shortDate.format(d)} ${clock.format(d)}`;
}

/** "at 15:07" today, "on 3 Dec at 15:07" before: for sentences. */
export function atTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return `at ${clock.format(d)}`;
  return `on ${shortDate.format(d)} at ${clock.format(d)}`;
}

/** "3 Dec 2026 15:07": the whole date, for records kept as evidence. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return `${fullDate.format(d)} ${clock.format(d)}`;
}

/** The label of a day separator: "Today", "Yesterday", or the full date. */
export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKeyOf(d) === dayKeyOf(yesterday)) return 'Yesterday';
  return longDate.format(d);
}
