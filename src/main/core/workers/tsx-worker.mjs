// Development/test start of a worker thread from TypeScript sources (vitest, tsx). On Node 20, a worker's
// `execArgv: ['--import', 'tsx']` does not apply tsx's loader to the worker's own entry
// (ERR_UNKNOWN_FILE_EXTENSION), so the loader is registered here, then the .ts entry named in workerData is
// imported. The built app never uses this file: it starts the bundled worker scripts (worker-entry.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
