/** Small shared helpers for tests/bench/*.bench.ts: scale, timing and a plain-text table. Never asserts. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

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

// ---- where the CPU went ----------------------------------------------------------------------------------------

/**
 * CPU seconds used so far: this process's main thread, the whole process (its workers too), each thread of it that
 * is still running (by thread id, with its name) and other processes.
 */
export interface CpuSample {
  mainThread: number;
  process: number;
  threads: Map<string, { name: string; seconds: number }>;
  others: Map<number, number>;
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User and system CPU seconds from a /proc stat file (null where it cannot be read: not Linux, or gone). */
function cpuSecondsOf(statFile: string): number | null {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}

function threadsOfThisProcess(): Map<string, { name: string; seconds: number }> {
  const threads = new Map<string, { name: string; seconds: number }>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const seconds = cpuSecondsOf(`/proc/self/task/${tid}/stat`);
    let name = '?';
    try {
      name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    } catch {
      // gone meanwhile
    }
    if (seconds !== null) threads.set(tid, { name, seconds });
  }
  return threads;
}

export function sampleCpu(otherPids: number[] = []): CpuSample {
  const seconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
  const others = new Map<number, number>();
  for (const pid of otherPids) {
    const s = cpuSecondsOf(`/proc/${pid}/stat`);
    if (s !== null) others.set(pid, s);
  }
  return {
    mainThread: seconds(process.threadCpuUsage()),
    process: seconds(process.cpuUsage()),
    threads: threadsOfThisProcess(),
    others,
  };
}

/**
 * CPU used between two samples, in seconds: this main thread, this process's other threads (and by kind: V8's
 * helpers, worker threads, libuv's pool…, with those that ended meanwhile as "ended"), the other processes.
 */
export interface CpuSpent {
  mainThread: number;
  otherThreads: number;
  byThreadName: Map<string, number>;
  others: number;
}

export function cpuSpent(from: CpuSample, to: CpuSample): CpuSpent {
  let others = 0;
  for (const [pid, s] of to.others) others += s - (from.others.get(pid) ?? s);
  const mainThread = to.mainThread - from.mainThread;
  const otherThreads = to.process - from.process - mainThread;
  const byThreadName = new Map<string, number>();
  let named = 0;
  for (const [tid, { name, seconds }] of to.threads) {
    if (name === 'MainThread') continue;
    const spent = seconds - (from.threads.get(tid)?.seconds ?? 0);
    if (spent <= 0) continue;
    byThreadName.set(name, (byThreadName.get(name) ?? 0) + spent);
    named += spent;
  }
  if (to.threads.size > 0 && otherThreads - named > 0.005) byThreadName.set('ended', otherThreads - named);
  return { mainThread, otherThreads, byThreadName, others };
}

/** One line: where the CPU went over `wallSeconds`, in seconds and cores busy on average. */
export function describeCpu(spent: CpuSpent, wallSeconds: number, othersName: string): string {
  const cores = (s: number) => (s / wallSeconds).toFixed(2);
  const kinds = [...spent.byThreadName]
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${s.toFixed(2)}`)
    .join(', ');
  return (
    `main thread ${spent.mainThread.toFixed(2)} s (${cores(spent.mainThread)} cores), ` +
    `this process's other threads ${spent.otherThreads.toFixed(2)} s (${cores(spent.otherThreads)}${kinds ? `: ${kinds}` : ''}), ` +
    `${othersName} ${spent.others.toFixed(2)} s (${cores(spent.others)})`
  );
}

/** CPU spent over a span of `seconds` wall time. */
export interface CpuSpan {
  spent: CpuSpent;
  seconds: number;
}

/** All the CPU spent: the main thread, this process's other threads and the other processes. */
export const cpuTotal = (s: CpuSpent): number => s.mainThread + s.otherThreads + s.others;

/**
 * The shortest wall time this CPU could have taken on this machine: no shorter than the main thread's own share,
 * nor than all of it spread over every core.
 */
export const shortestWall = (s: CpuSpent): number =>
  Math.max(s.mainThread, cpuTotal(s) / availableParallelism());

/** The mean of several spans' CPU (per run, over runs of the same thing). */
export function meanCpu(spans: CpuSpent[]): CpuSpent {
  const n = spans.length || 1;
  const byThreadName = new Map<string, number>();
  for (const span of spans)
    for (const [name, s] of span.byThreadName) byThreadName.set(name, (byThreadName.get(name) ?? 0) + s / n);
  const mean = (f: (s: CpuSpent) => number) => spans.reduce((sum, span) => sum + f(span), 0) / n;
  return {
    mainThread: mean((s) => s.mainThread),
    otherThreads: mean((s) => s.otherThreads),
    byThreadName,
    others: mean((s) => s.others),
  };
}
