import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import pinoRoll from 'pino-roll';
import { createLogger, type Logger } from './logger';

export const logBaseName = 'clinical-messenger';

export interface LogFileOptions {
  /** The per-user app data folder; the logs go in its `logs` folder. */
  appDataDir: string;
  level?: string;
  /** Also write to stdout (development runs). */
  stdout?: boolean;
  /** A file is rolled over at this size (pino-roll units: 10m, 512k) or at midnight, whichever comes first. */
  maxFileSize?: string;
  /** Rolled-over files kept besides the one being written; older ones are deleted. */
  keep?: number;
  platform?: NodeJS.Platform;
}

export interface LogFiles {
  dir: string;
  /** The log files in the folder, oldest first (the last one is being written). */
  list(): string[];
  /** The last `count` lines written, across files, oldest first. */
  lastLines(count: number): string[];
  /** Writes out what is buffered (before reading the files). */
  flush(): void;
  close(): Promise<void>;
}

// Files are named <base>.<yyyy-MM-dd>.<n>.log by pino-roll.
const fileNamePattern = new RegExp(`^${logBaseName}\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)\\.log$`);
const tailBytes = 256 * 1024;

function listLogFiles(dir: string): string[] {
  const order = (name: string): [string, number] => {
    const m = fileNamePattern.exec(name)!;
    return [m[1]!, Number(m[2])];
  };
  return readdirSync(dir)
    .filter((name) => fileNamePattern.test(name))
    .sort((a, b) => {
      const [da, na] = order(a);
      const [db, nb] = order(b);
      return da === db ? na - nb : da < db ? -1 : 1;
    })
    .map((name) => join(dir, name));
}

function tailOf(file: string, bytes: number): string {
  const size = statSync(file).size;
  const start = Math.max(0, size - bytes);
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  // A cut line at the start is dropped rather than shown half.
  return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
}

/**
 * Rotating log files in `<appData>/logs` (by size and by day, a bounded number kept), written through
 * pino-roll in this process: a worker-thread transport cannot load from inside a packaged app's ASAR.
 * The files are readable by this OS user only.
 */
export async function createFileLogger(options: LogFileOptions): Promise<{ log: Logger; files: LogFiles }> {
  const dir = join(options.appDataDir, 'logs');
  const posix = (options.platform ?? process.platform) !== 'win32';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (posix) {
    chmodSync(dir, 0o700);
    // Files left by an older version may have been created with looser modes.
    for (const file of listLogFiles(dir)) chmodSync(file, 0o600);
  }
  const roll = await pinoRoll({
    file: join(dir, logBaseName),
    extension: '.log',
    dateFormat: 'yyyy-MM-dd',
    frequency: 'daily',
    size: options.maxFileSize ?? '10m',
    // With removeOtherLogFiles, pino-roll's count is of all files, the one being written included.
    limit: { count: (options.keep ?? 9) + 1, removeOtherLogFiles: true },
    mode: 0o600,
    // Each line is on disk when the call returns: the last lines before a crash are the ones IT needs.
    sync: true,
  });
  // A failing disk must not take the app down with it; the lines are lost, the app goes on.
  roll.on('error', () => undefined);
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: roll }];
  if (options.stdout) streams.push({ level: 'trace', stream: process.stdout });
  const log = createLogger({
    ...(options.level ? { level: options.level } : {}),
    destination: pino.multistream(streams),
  });
  const flush = (): void => {
    try {
      roll.flushSync();
    } catch {
      // Not open yet (nothing written) or the disk refused: there is nothing more to write out.
    }
  };
  const files: LogFiles = {
    dir,
    list: () => listLogFiles(dir),
    lastLines(count) {
      if (count <= 0) return [];
      flush();
      const lines: string[] = [];
      for (const file of listLogFiles(dir).reverse()) {
        const text = tailOf(file, tailBytes);
        const found = text.split('\n').filter((line) => line.length > 0);
        lines.unshift(...found.slice(-(count - lines.length)));
        if (lines.length >= count) break;
      }
      return lines;
    },
    flush,
    close: () =>
      new Promise<void>((resolve) => {
        roll.once('close', resolve);
        roll.end();
      }),
  };
  return { log, files };
}

/**
 * The app's logger: the log files, or, when they cannot be opened (a full disk, a folder the user may not
 * write), the console alone, so that a logging problem never stops the app from starting.
 */
export async function openAppLog(options: LogFileOptions): Promise<{ log: Logger; files: LogFiles | null }> {
  try {
    return await createFileLogger(options);
  } catch (error) {
    const log = createLogger(options.level ? { level: options.level } : {});
    log.warn(
      { code: (error as NodeJS.ErrnoException).code ?? 'internal' },
      'log files could not be opened; logging to the console only',
    );
    return { log, files: null };
  }
}
