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
