// Development/test start of the open-pool worker from TypeScript sources (vitest, tsx). On Node 20, a
// worker's `execArgv: ['--import', 'tsx']` does not apply tsx's loader to the worker's own entry
// (ERR_UNKNOWN_FILE_EXTENSION), so the loader is registered here, then the .ts entry is imported.
// The built app never uses this file: it starts the bundled open-worker.js (see open-pool.ts).
import { register } from 'tsx/esm/api';

register();
await import('./open-worker.ts');
