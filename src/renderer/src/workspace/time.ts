// One way to show times across the app: the time of day for today, the date too for anything older.

const dayKeyOf = (d: Date): string => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

export const dayKey = (iso: string): string => dayKeyOf(new Date(iso));

export function formatClock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function formatTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return formatClock(iso);
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${formatClock(iso)}`;
}

/** The label of a day separator: "Today", "Yesterday", or the full date. */
export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKeyOf(d) === dayKeyOf(yesterday)) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/** "14:05": a 24-hour clock whatever the locale, for records such as acknowledgements. */
export function formatClock24(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** As formatTime, on a 24-hour clock: "14:05" today, "3 Dec 14:05" before. */
export function formatTime24(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return formatClock24(iso);
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${formatClock24(iso)}`;
}
