// The renderer tells the idle lock that someone is at the keyboard at most every 10 s, and never drops the
// last keypress: otherwise a 1-minute lock could come 30 s after the user stopped typing.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { activityReporter } from '../../../src/renderer/src/session/activityReporter';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('reports the first use at once and a later use inside the interval when the interval ends', () => {
  const sent: number[] = [];
  const start = Date.now();
  const { report } = activityReporter(10_000, () => sent.push(Date.now() - start));
  report();
  vi.advanceTimersByTime(3_000);
  report();
  vi.advanceTimersByTime(3_000);
  report(); // the last keypress, at 6 s
  expect(sent).toEqual([0]);
  vi.advanceTimersByTime(4_000);
  expect(sent).toEqual([0, 10_000]);
  vi.advanceTimersByTime(60_000);
  expect(sent).toEqual([0, 10_000]);
});

it('reports at once again after a quiet interval, and sends nothing after cancel', () => {
  const sent: number[] = [];
  const { report, cancel } = activityReporter(10_000, () => sent.push(Date.now()));
  report();
  vi.advanceTimersByTime(15_000);
  report();
  expect(sent).toHaveLength(2);
  vi.advanceTimersByTime(1_000);
  report();
  cancel();
  vi.advanceTimersByTime(60_000);
  expect(sent).toHaveLength(2);
});
