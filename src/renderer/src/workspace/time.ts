// The one way to show times across the app: a 24-hour clock ("15:07", as wards read it, whatever the
// locale's habit), the locale's day and month for anything before today.
import { locale, t } from '../i18n';

const formats = {
  clock: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  shortDate: { day: 'numeric', month: 'short' },
  longDate: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  fullDate: { day: 'numeric', month: 'short', year: 'numeric' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

// The language shown decides the order and names of the date parts ("3 दिस॰" in Hindi); built once per locale.
const built = new Map<string, Intl.DateTimeFormat>();
function format(name: keyof typeof formats, d: Date): string {
  const key = `${locale()} ${name}`;
  let formatter = built.get(key);
  if (!formatter) built.set(key, (formatter = new Intl.DateTimeFormat(locale(), formats[name])));
  return formatter.format(d);
}

const dayKeyOf = (d: Date): string => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

export const dayKey = (iso: string): string => dayKeyOf(new Date(iso));

/** "15:07". */
export function formatClock(iso: string): string {
  return format('clock', new Date(iso));
}

/** "15:07" today, "3 Dec 15:07" before. */
export function formatTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return format('clock', d);
  return `${format('shortDate', d)} ${format('clock', d)}`;
}

/** "at 15:07" today, "on 3 Dec at 15:07" before: for sentences. */
export function atTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return t('time.at', { clock: format('clock', d) });
  return t('time.onAt', { date: format('shortDate', d), clock: format('clock', d) });
}

/** "3 Dec 2026 15:07": the whole date, for records kept as evidence. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return `${format('fullDate', d)} ${format('clock', d)}`;
}

/** The label of a day separator: "Today", "Yesterday", or the full date. */
export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKeyOf(d) === dayKeyOf(now)) return t('time.today');
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKeyOf(d) === dayKeyOf(yesterday)) return t('time.yesterday');
  return format('longDate', d);
}
