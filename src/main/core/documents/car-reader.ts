// A BytesReader (the interface @ipld/car's decoder parses with) over a stream of chunks that copies only what
// it must: a block inside one chunk is handed out as a view of it, a block spanning chunks is copied once.
// (@ipld/car's own stream reader copies everything it holds into a fresh buffer each time it needs more,
// which cost more than the block hashes.) Nothing here checks a hash: verify-car.ts does.
import { readBlockHead, readHeader } from '@ipld/car/decoder';
import type { CID } from 'multiformats/cid';

/** No CAR section we read may be larger: our blocks are at most 1 MiB plus a small node. */
export const MAX_SECTION_BYTES = 8 * 1024 * 1024;

const EMPTY = new Uint8Array(0);

class ChunkReader {
  /** Chunks not yet consumed start at chunks[head] (an index, not shift(): a stream of tiny chunks must not
   *  cost quadratic time). */
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes of chunks[head] already consumed. */
  private offset = 0;
  private available = 0;
  private ended = false;
  pos = 0;

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly onWait?: (ms: number) => void,
  ) {}

  private async fill(length: number): Promise<void> {
    if (length > MAX_SECTION_BYTES) throw new Error(`CAR section larger than ${MAX_SECTION_BYTES} bytes`);
    while (this.available < length && !this.ended) {
      const started = this.onWait === undefined ? 0 : performance.now();
      const next = await this.source.next();
      this.onWait?.(performance.now() - started);
      if (next.done === true) this.ended = true;
      else if (next.value.byteLength > 0) {
        this.chunks.push(next.value);
        this.available += next.value.byteLength;
      }
    }
  }

  /** Drops chunks[head] (fully consumed), letting go of it at once. */
  private dropHead(): void {
    this.chunks[this.head] = EMPTY;
    this.head++;
    this.offset = 0;
    if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The next `length` (≤ available) bytes as one view; chunks are merged (one copy) only when spanned. */
  private front(length: number): Uint8Array {
    const first = this.chunks[this.head];
    if (length === 0 || first === undefined) return new Uint8Array(0);
    if (first.byteLength - this.offset >= length) return first.subarray(this.offset, this.offset + length);
    const merged = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[this.head] as Uint8Array;
      const part = chunk.subarray(this.offset, this.offset + (length - filled));
      merged.set(part, filled);
      filled += part.byteLength;
      if (this.offset + part.byteLength === chunk.byteLength) this.dropHead();
      else this.offset += part.byteLength;
    }
    // The merged bytes take the place of what they were copied from (the last chunk's rest stays next).
    if (this.offset > 0) {
      this.chunks[this.head] = (this.chunks[this.head] as Uint8Array).subarray(this.offset);
      this.offset = 0;
    }
    if (this.head > 0) this.chunks[--this.head] = merged;
    else this.chunks.unshift(merged);
    return merged;
  }

  async upTo(length: number): Promise<Uint8Array> {
    await this.fill(length);
    return this.front(Math.min(length, this.available));
  }

  async exactly(length: number, seek = false): Promise<Uint8Array> {
    await this.fill(length);
    if (this.available < length) throw new Error('Unexpected end of data');
    const out = this.front(length);
    if (seek) this.seek(length);
    return out;
  }

  seek(length: number): void {
    this.pos += length;
    this.available -= length;
    let rest = length;
    while (rest > 0) {
      const chunk = this.chunks[this.head];
      if (chunk === undefined) throw new Error('Unexpected end of data');
      const inFirst = chunk.byteLength - this.offset;
      if (rest < inFirst) {
        this.offset += rest;
        return;
      }
      rest -= inFirst;
      this.dropHead();
    }
  }
}

export interface CarSection {
  cid: CID;
  bytes: Uint8Array;
}

/** A CARv1 stream: `roots()` first, then `next()` until it answers undefined. Throws plain Errors. */
export class CarSections {
  private readonly reader: ChunkReader;

  /** `onWait` is told how long each wait for the source took (for the benchmark's breakdown). */
  constructor(source: AsyncIterable<Uint8Array>, onWait?: (ms: number) => void) {
    this.reader = new ChunkReader(source[Symbol.asyncIterator](), onWait);
  }

  async roots(): Promise<CID[]> {
    return (await readHeader(this.reader, 1)).roots;
  }

  async next(): Promise<CarSection | undefined> {
    if ((await this.reader.upTo(8)).byteLength === 0) return undefined;
    const { cid, blockLength } = await readBlockHead(this.reader);
    if (blockLength < 0) throw new Error('Invalid CAR section (shorter than its CID)');
    return { cid, bytes: await this.reader.exactly(blockLength, true) };
  }
}
