import { Worker } from 'node:worker_threads';

/** Where a worker thread's script is, and how to start it. */
export interface WorkerEntry {
  url: URL;
  execArgv: string[];
  /** From TypeScript sources only: the .ts module that tsx-worker.mjs imports. */
  tsEntry?: string;
}

/**
 * The worker script `name` that sits beside the module at `callerUrl`. From a build: the bundled `<name>.js`
 * beside the main bundle (electron-vite emits each worker as its own entry: electron.vite.config.ts). From
 * TypeScript sources (vitest, tsx): tsx-worker.mjs, which registers tsx's loader and imports `<name>.ts`.
 */
export function workerEntry(callerUrl: string, name: string): WorkerEntry {
  if (!callerUrl.endsWith('.ts')) return { url: new URL(`./${name}.js`, callerUrl), execArgv: [] };
  return {
    url: new URL('./tsx-worker.mjs', import.meta.url),
    execArgv: [],
    tsEntry: new URL(`./${name}.ts`, callerUrl).href,
  };
}

export function startWorker(entry: WorkerEntry, workerData: object): Worker {
  return new Worker(entry.url, {
    execArgv: entry.execArgv,
    workerData: entry.tsEntry ? { ...workerData, tsEntry: entry.tsEntry } : workerData,
  });
}
