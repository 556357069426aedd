// Argon2id takes 64 MiB of libsodium's WebAssembly memory, which never shrinks: run on the main thread, the
// PIN would keep a quarter of the app's idle memory for as long as it runs. It runs on a worker that exits.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('setting and checking a PIN leaves the main thread’s memory as it was', () => {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'pin-memory-child.ts')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  const { before, after, wrong } = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    before: number;
    after: number;
    wrong: string;
  };
  expect(wrong).toBe('pin_wrong'); // the worker's verdicts are the real ones
  const grownMiB = (after - before) / 1024 / 1024;
  expect(grownMiB, `external memory grew by ${grownMiB.toFixed(1)} MiB`).toBeLessThan(16);
});
