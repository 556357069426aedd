/** Small shared helpers for tests/bench/*.bench.ts: scale, timing and a plain-text table. Never asserts. */
import { execFileSync } from 'node:child_process';

export type BenchScale = 'smoke' | 'full';

/** BENCH_SCALE=smoke|full (default full). */
export function benchScale(): BenchScale {
  const value = process.env.BENCH_SCALE ?? 'full';
  if (value !== 'smoke' && value !== 'full')
    throw new Error(`BENCH_SCALE must be smoke or full, not ${value}`);
  return value;
}

export interface Figure {
  name: string;
  ops: number;
  seconds: number;
  /** operations per second */
  rate: number;
  note?: string;
}

/** Runs `fn` (sync or async) and returns its rate for `ops` operations. */
export async function measure(
  name: string,
  ops: number,
  fn: () => unknown | Promise<unknown>,
  note?: string,
): Promise<Figure> {
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, ops, seconds, rate: ops / seconds, note };
}

/** Runs a synchronous operation `ops` times. */
export function measureLoop(name: string, ops: number, op: (i: number) => void, note?: string): Figure {
  for (let i = 0; i < Math.min(200, ops); i++) op(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) op(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, ops, seconds, rate: ops / seconds, note };
}

export function formatRate(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

export function printTable(title: string, figures: Figure[]): void {
  const nameWidth = Math.max(...figures.map((f) => f.name.length), 10);
  console.log(`\n${title}`);
  console.log(
    `${'what'.padEnd(nameWidth)} | ${'ops/s'.padStart(11)} | ${'ops'.padStart(7)} | ${'seconds'.padStart(7)} | note`,
  );
  console.log(`${'-'.repeat(nameWidth)}-+-${'-'.repeat(11)}-+-${'-'.repeat(7)}-+-${'-'.repeat(7)}-+-----`);
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(nameWidth)} | ${formatRate(f.rate).padStart(11)} | ${String(f.ops).padStart(7)} | ${f.seconds.toFixed(3).padStart(7)} | ${f.note ?? ''}`,
    );
  }
}

export interface Ratio {
  name: string;
  value: number;
  target?: string;
  met?: boolean;
  note?: string;
}

export function ratio(
  name: string,
  numerator: Figure,
  denominator: Figure,
  target?: number,
  note?: string,
): Ratio {
  const value = numerator.rate / denominator.rate;
  return {
    name,
    value,
    target: target === undefined ? undefined : `≥ ${target}`,
    met: target === undefined ? undefined : value >= target,
    note,
  };
}

export function printRatios(title: string, ratios: Ratio[]): void {
  const nameWidth = Math.max(...ratios.map((r) => r.name.length), 10);
  console.log(`\n${title}`);
  for (const r of ratios) {
    const verdict = r.met === undefined ? '' : r.met ? 'target met' : 'target NOT met';
    console.log(
      `${r.name.padEnd(nameWidth)} | ${r.value.toFixed(2).padStart(6)} | ${(r.target ?? '').padEnd(6)} | ${verdict}${r.note ? ` — ${r.note}` : ''}`,
    );
  }
}

/**
 * Puts every thread of this process (the event loop and V8's GC helpers alike) on a real-time round-robin policy,
 * where the OS allows it, so that other processes on a shared machine do not show up as this process's event-loop
 * blocks. Processes and threads started afterwards get the normal policy back (SCHED_RESET_ON_FORK): the hub and
 * the IdP still compete as usual. Returns what was done, for the benchmark to print.
 */
export function isolateFromOtherProcesses(): string {
  try {
    execFileSync('chrt', ['--all-tasks', '--reset-on-fork', '--rr', '--pid', '20', String(process.pid)], {
      stdio: 'ignore',
    });
    return 'this process ran at real-time priority (chrt --rr 20), so other processes on the machine are not counted as its blocks';
  } catch {
    return 'this process ran at normal priority (chrt was refused): other load on the machine shows up as blocks';
  }
}
