// Issue 15: wards read 24-hour time. Every time the app shows (message headers, the conversation list, escalation
// steps, acknowledgements, document evidence) comes from the one formatter in time.ts, on a 24-hour clock
// whatever the hour and whatever the locale's habit, with the locale's day and month for anything older.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  atTime,
  dayLabel,
  formatClock,
  formatDateTime,
  formatTime,
} from '../../../src/renderer/src/workspace/time';

// Local times, so what is expected does not depend on the machine's time zone.
const local = (h: number, m: number, day = 3) => new Date(2026, 11, day, h, m).toISOString();
const now = new Date(2026, 11, 3, 18, 0);
const shortDate = /^(3 Dec|Dec 3)$/;

it('shows the afternoon page from Dr Asha Rao at 15:07 and the night one at 00:05, never AM or PM', () => {
  expect(formatClock(local(15, 7))).toBe('15:07');
  expect(formatClock(local(0, 5))).toBe('00:05');
  expect(formatTime(local(15, 7), now)).toBe('15:07');
  expect(atTime(local(23, 59), now)).toBe('at 23:59');
});

it('names the day for anything before today, still on the 24-hour clock', () => {
  const yesterday = new Date(2026, 11, 4, 9, 0);
  const [date, clock] = formatTime(local(15, 7), yesterday).split(/ (?=\d\d:\d\d$)/);
  expect(date).toMatch(shortDate);
  expect(clock).toBe('15:07');
  expect(atTime(local(15, 7), yesterday)).toMatch(/^on (3 Dec|Dec 3) at 15:07$/);
  expect(dayLabel(local(15, 7), yesterday)).toBe('Yesterday');
  // Evidence keeps the year: a report read months later must not be ambiguous.
  expect(formatDateTime(local(15, 7))).toMatch(/^(3 Dec 2026|Dec 3, 2026) 15:07$/);
});

it('reads every minute of any day on a 24-hour clock', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (h, m) => {
      const shown = formatClock(local(h, m));
      expect(shown).toBe(`${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    }),
  );
});

it('leaves time formatting to time.ts alone: no other renderer file formats a clock itself', () => {
  const root = join(__dirname, '../../../src/renderer/src');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
    });
  const own = files(root)
    .filter((f) => !f.endsWith(join('workspace', 'time.ts')))
    .filter((f) =>
      /toLocaleTimeString|toLocaleDateString|hour12|hourCycle|DateTimeFormat|toLocaleString\(\)/.test(
        readFileSync(f, 'utf8'),
      ),
    )
    .map((f) => relative(root, f));
  expect(own).toEqual([]);
});
