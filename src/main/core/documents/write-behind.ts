// Appends to a file in batches of about 1 MiB, with one batch being written (on libuv's thread pool) while
// the next one fills: the caller never waits for the disk unless it is a whole batch behind.
import type { FileHandle } from 'node:fs/promises';
import type { OpenPhase, PhaseClock } from './timings';

const BATCH = 1024 * 1024;

export class WriteBehind {
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private position = 0;
  private inFlight: Promise<void> | null = null;
  private readonly clock: PhaseClock | undefined;
  private readonly phase: OpenPhase;

  constructor(
    private readonly file: FileHandle,
    options: { clock?: PhaseClock; phase?: OpenPhase } = {},
  ) {
    this.clock = options.clock;
    this.phase = options.phase ?? 'wait for write';
  }

  /** Queues `chunk` (kept by reference: the caller must not change it afterwards). */
  async append(chunk: Uint8Array): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.byteLength;
    if (this.batchBytes >= BATCH) await this.ship();
  }

  /** Writes everything queued and waits until it is written. */
  async flush(): Promise<void> {
    await this.ship();
    await this.waitInFlight();
  }

  /** After a failure: waits for a write in flight (its error is not the one to report), so the file can be
   *  closed and removed. */
  async settle(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    this.inFlight = null;
  }

  private async waitInFlight(): Promise<void> {
    if (this.inFlight === null) return;
    const started = performance.now();
    try {
      await this.inFlight;
    } finally {
      this.inFlight = null;
      this.clock?.add(this.phase, performance.now() - started);
    }
  }

  private async ship(): Promise<void> {
    await this.waitInFlight();
    if (this.batchBytes === 0) return;
    const buffers = this.batch;
    const position = this.position;
    this.position += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    this.inFlight = writeAll(this.file, buffers, position);
    this.inFlight.catch(() => undefined); // observed by the next ship, flush or settle
  }
}

async function writeAll(file: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  for (;;) {
    const wanted = rest.reduce((sum, b) => sum + b.byteLength, 0);
    const { bytesWritten } = await file.writev(rest, at);
    if (bytesWritten >= wanted) return;
    // A short write (rare on files): continue after the bytes that did reach the file.
    at += bytesWritten;
    let skip = bytesWritten;
    const next: Uint8Array[] = [];
    for (const b of rest) {
      if (skip >= b.byteLength) skip -= b.byteLength;
      else {
        next.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    rest = next;
  }
}
