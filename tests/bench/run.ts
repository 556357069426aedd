// `npm run bench`: every tests/bench/*.bench.ts in turn, each in its own process (so one's memory and JIT
// state do not colour the next). BENCH_SCALE=smoke|full (default full) is passed through.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { trustTestCa } from '../setup/global-setup';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
process.env.CM_LOG_LEVEL ??= 'warn';
trustTestCa(); // the benchmarks that start the reference servers need their CA trusted from the start
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench} (BENCH_SCALE=${process.env.BENCH_SCALE ?? 'full'})`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, bench)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.error(`${bench} failed (exit ${run.status ?? run.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
