// Streaming CAR verification: every block's hash is checked against its CID as it arrives, the header root
// must be the expected root, and the file is read with ipfs-unixfs-exporter from a blockstore that only ever
// hands out verified blocks. Memory stays at a few blocks whatever the file size: the CAR is depth-first with
// duplicates, so each block arrives when the DAG walk wants it, and block reads wait while more than
// MAX_AHEAD bytes are read but not yet consumed downstream.
import { CarBlockIterator } from '@ipld/car/iterator';
import { exporter } from 'ipfs-unixfs-exporter';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { blockMatchesCid } from './cid';
import { DocumentCheckFailed, isAbort, type DocumentEvidence } from './errors';

const MAX_AHEAD = 8 * 1024 * 1024;
/** Blocks received before they are wanted (a CAR in another order) are kept up to this many bytes. */
const MAX_OUT_OF_ORDER = 32 * 1024 * 1024;

export interface CarVerification {
  /** Blocks whose hash was checked. */
  blocks: number;
}

interface CarBlock {
  cid: CID;
  bytes: Uint8Array;
}

function carParseFailure(err: unknown, evidence: DocumentEvidence, signal?: AbortSignal): Error {
  if (err instanceof DocumentCheckFailed) return err;
  if (isAbort(err, signal)) return new DocumentCheckFailed('cancelled', evidence, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  if (/unexpected end of data/i.test(message)) {
    return new DocumentCheckFailed(
      'truncated',
      { ...evidence, detail: 'the CAR ends inside a block' },
      { cause: err },
    );
  }
  return new DocumentCheckFailed(
    'content-type',
    { ...evidence, expected: 'a CARv1 stream', detail: message.slice(0, 120) },
    { cause: err },
  );
}

/** Hands out blocks from a CAR stream, each checked against its CID before anyone sees it. */
class VerifiedCarBlocks {
  private closed = false;
  private readonly early = new Map<string, Uint8Array>();
  private earlyBytes = 0;
  private ahead = 0;
  private hungry = false;
  private wake: (() => void) | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: AsyncIterator<CarBlock>,
    private readonly stats: CarVerification,
    private readonly evidence: DocumentEvidence,
    private readonly signal?: AbortSignal,
  ) {}

  /** The exporter's view: a blockstore whose `get` yields a verified block or throws a typed failure. */
  readonly blockstore = {
    get: (cid: CID): AsyncGenerator<Uint8Array> => {
      const take = (this.queue = this.queue.then(
        () => this.take(cid),
        () => this.take(cid),
      ) as Promise<Uint8Array>);
      return (async function* one() {
        yield await take;
      })();
    },
  };

  /** Downstream consumed `n` bytes, or is waiting for more: block reads may go ahead. */
  consumed(n: number): void {
    this.ahead -= n;
    this.poke();
  }

  setHungry(hungry: boolean): void {
    this.hungry = hungry;
    if (hungry) this.poke();
  }

  /** Reading stopped (done or failed): a DAG walk still running gets no more blocks. */
  close(): void {
    this.closed = true;
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async next(): Promise<CarBlock | undefined> {
    let result: IteratorResult<CarBlock>;
    try {
      result = await this.source.next();
    } catch (err) {
      throw carParseFailure(err, this.evidence, this.signal);
    }
    if (result.done === true) return undefined;
    const { cid, bytes } = result.value;
    if (!(await blockMatchesCid(cid, bytes))) {
      throw new DocumentCheckFailed('block-hash', {
        ...this.evidence,
        blockCid: cid.toString(),
        detail: cid.multihash.code === 0x12 ? 'sha2-256 mismatch' : 'unsupported hash function',
      });
    }
    this.stats.blocks++;
    return { cid, bytes };
  }

  private async take(cid: CID): Promise<Uint8Array> {
    if (cid.code === raw.code) {
      while (this.ahead >= MAX_AHEAD && !this.hungry && !this.closed) {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
    const key = cid.toString();
    let bytes = this.early.get(key);
    if (bytes !== undefined) {
      this.early.delete(key);
      this.earlyBytes -= bytes.byteLength;
    }
    while (bytes === undefined) {
      if (this.closed) throw new DocumentCheckFailed('cancelled', this.evidence);
      if (this.signal?.aborted === true) throw new DocumentCheckFailed('cancelled', this.evidence);
      const block = await this.next();
      if (block === undefined) {
        throw new DocumentCheckFailed('missing-block', { ...this.evidence, blockCid: key });
      }
      if (block.cid.equals(cid)) {
        bytes = block.bytes;
        break;
      }
      this.early.set(block.cid.toString(), block.bytes);
      this.earlyBytes += block.bytes.byteLength;
      if (this.earlyBytes > MAX_OUT_OF_ORDER) {
        throw new DocumentCheckFailed('missing-block', {
          ...this.evidence,
          blockCid: key,
          detail: 'not found in the next blocks of the CAR',
        });
      }
    }
    if (cid.code === raw.code) this.ahead += bytes.byteLength;
    return bytes;
  }

  /** Reads (and checks) whatever blocks remain after the file was read. */
  async drain(): Promise<void> {
    await this.queue.catch(() => undefined);
    while ((await this.next()) !== undefined) {
      /* every remaining block is still hash-checked */
    }
  }
}

/**
 * The file bytes (here: the ciphertext) named by `root`, read from a CAR stream and verified on the way:
 * 'wrong-root' (CAR names another root, or the DAG is not a file), 'block-hash' (with the block's CID),
 * 'missing-block', 'truncated', 'content-type' (not a CAR). Every block of the CAR is checked, also those
 * after the file's last block. `stats` is filled in as blocks are checked.
 */
export async function* verifiedCarContent(
  car: AsyncIterable<Uint8Array>,
  root: CID,
  evidence: DocumentEvidence,
  stats: CarVerification,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let iterator: CarBlockIterator;
  let roots: CID[];
  try {
    iterator = await CarBlockIterator.fromIterable(car);
    roots = await iterator.getRoots();
  } catch (err) {
    throw carParseFailure(err, evidence, signal);
  }
  if (roots.length !== 1 || roots[0]?.equals(root) !== true) {
    throw new DocumentCheckFailed('wrong-root', {
      ...evidence,
      expected: root.toString(),
      found: roots.map((r) => r.toString()).join(',') || '(none)',
    });
  }
  const blocks = new VerifiedCarBlocks(iterator[Symbol.asyncIterator](), stats, evidence, signal);
  try {
    let entry;
    try {
      entry = await exporter(root, blocks.blockstore, signal === undefined ? {} : { signal });
    } catch (err) {
      throw dagFailure(err, evidence, signal);
    }
    if (entry.type !== 'file' && entry.type !== 'raw') {
      throw new DocumentCheckFailed('wrong-root', { ...evidence, detail: `the root is a ${entry.type}` });
    }
    const content = entry.content({ blockReadConcurrency: 1, ...(signal === undefined ? {} : { signal }) });
    const it = content[Symbol.asyncIterator]();
    for (;;) {
      blocks.setHungry(true);
      let step: IteratorResult<Uint8Array>;
      try {
        step = await it.next();
      } catch (err) {
        throw dagFailure(err, evidence, signal);
      } finally {
        blocks.setHungry(false);
      }
      if (step.done === true) break;
      yield step.value;
      blocks.consumed(step.value.byteLength);
    }
    await blocks.drain();
  } finally {
    blocks.close();
  }
}

function dagFailure(err: unknown, evidence: DocumentEvidence, signal?: AbortSignal): Error {
  if (err instanceof DocumentCheckFailed) return err;
  if (isAbort(err, signal)) return new DocumentCheckFailed('cancelled', evidence, { cause: err });
  const name = err instanceof Error ? err.name : 'Error';
  if (name === 'UnderReadError') {
    return new DocumentCheckFailed('truncated', {
      ...evidence,
      detail: 'the DAG holds fewer bytes than it declares',
    });
  }
  return new DocumentCheckFailed(
    'wrong-root',
    { ...evidence, detail: `the DAG is not a well-formed file (${name})` },
    { cause: err },
  );
}
