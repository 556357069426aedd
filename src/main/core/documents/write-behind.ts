// Appends to a file in batches of 1 MiB, with one batch being written (on libuv's thread pool) while the next
// one fills: the caller never waits for the disk unless it is a whole batch behind. The two batches are reused
// for the whole file, so what is appended is copied and may be a view that its owner overwrites next.
import type { FileHandle } from 'node:fs/promises';
import type { OpenPhase, PhaseClock } from './timings';

const BATCH = 1024 * 1024;

export class WriteBehind {
  /** The batch being filled, and the other one (being written, or free once that write is waited for). */
  private filling: Buffer | null = null;
  private spare: Buffer | null = null;
  private filled = 0;
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

  /** Copies `chunk` into the batch (the caller may reuse it at once), writing the batch once it is full. */
  async append(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      this.filling ??= Buffer.allocUnsafeSlow(BATCH);
      const take = Math.min(BATCH - this.filled, chunk.byteLength - offset);
      this.filling.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === BATCH) await this.ship();
    }
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
    await this.waitInFlight(); // the spare batch is free from here on
    if (this.filled === 0 || this.filling === null) return;
    const full = this.filling.subarray(0, this.filled);
    const position = this.position;
    this.position += this.filled;
    [this.filling, this.spare] = [this.spare, this.filling];
    this.filled = 0;
    this.inFlight = writeAll(this.file, full, position);
    this.inFlight.catch(() => undefined); // observed by the next ship, flush or settle
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    // A short write (rare on files) continues after the bytes that did reach the file.
    const { bytesWritten } = await file.write(bytes, written, bytes.byteLength - written, position + written);
    if (bytesWritten === 0) throw new Error('the file accepted no bytes');
    written += bytesWritten;
  }
}
