// Development/test start of a worker thread from TypeScript sources (vitest, tsx). A worker's
// `execArgv: ['--import', 'tsx']` resolves tsx from the working directory (and on Node 20 did not apply to the
// worker's own entry at all), so the loader is registered here, from this file, then the .ts entry named in
// workerData is imported. The built app never uses this file: it starts the bundled worker scripts (worker-entry.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
