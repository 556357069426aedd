// `npm run bench`: every tests/bench/*.bench.ts, each in its own process (so one's memory and JIT state do not
// colour the next). BENCH_SCALE=smoke|full (default full) is passed through. At full size they run one at a
// time, so each has the machine to itself; at smoke size (the test command's check that they still work, whose
// figures mean little) two run side by side, and each one's output is printed whole when it ends.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { trustTestCa } from '../setup/global-setup';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const scale = process.env.BENCH_SCALE ?? 'full';
const lanes = scale === 'smoke' ? 2 : 1;
process.env.CM_LOG_LEVEL ??= 'warn';
trustTestCa(); // the benchmarks that start the reference servers need their CA trusted from the start

/** Runs one benchmark; alone, its output streams as it goes, beside another it is kept until the end. */
function run(bench: string): Promise<boolean> {
  const header = `\n=== ${bench} (BENCH_SCALE=${scale})`;
  if (lanes === 1) console.log(header);
  const child = spawn(process.execPath, ['--import', 'tsx', join(dir, bench)], {
    stdio: lanes === 1 ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  const output: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (lanes > 1) process.stdout.write(`${header}\n${Buffer.concat(output).toString('utf8')}`);
      if (code !== 0) console.error(`${bench} failed (exit ${code ?? signal})`);
      resolve(code === 0);
    });
  });
}

const queue = [...benches];
let failed = 0;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    for (let bench = queue.shift(); bench; bench = queue.shift()) if (!(await run(bench))) failed++;
  }),
);
process.exit(failed === 0 ? 0 : 1);
