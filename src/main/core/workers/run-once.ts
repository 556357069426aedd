import { startWorker, type WorkerEntry } from './worker-entry';

/**
 * Runs one job on a worker thread that posts one answer and exits, taking its memory with it (WebAssembly
 * memory, for one, never shrinks in a thread that keeps running). A worker that cannot start, or that dies
 * without answering, is not an answer: the same job then runs here, through `here`.
 */
export function runOnce<Answer>(
  entry: WorkerEntry,
  workerData: object,
  here: () => Answer | Promise<Answer>,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let answered = false;
    const onThisThread = () => {
      if (answered) return;
      answered = true;
      Promise.resolve()
        .then(here)
        .then(resolve, (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    };
    let worker;
    try {
      worker = startWorker(entry, workerData);
    } catch {
      onThisThread();
      return;
    }
    worker.once('message', (answer: Answer) => {
      if (answered) return;
      answered = true;
      resolve(answer);
    });
    worker.once('error', onThisThread);
    worker.once('exit', onThisThread);
  });
}
