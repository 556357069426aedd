// Streaming CAR verification: every block's sha2-256 is checked against its CID (compared in constant time)
// before anything reads it, the header root must be the expected root, and the file's bytes are the DAG's
// leaves in order, walked from verified nodes only. The walk holds a stack of the links still to read; the
// CAR is depth-first with duplicates, so each block arrives when the walk wants it (blocks that come early
// are kept up to MAX_OUT_OF_ORDER bytes). Memory stays at a few blocks whatever the file size.
//
// Block hashes run on the calling thread (one-shot sha2-256 on a view of the read buffer): handing 1 MiB
// blocks to the thread pool (WebCrypto digest) copied each block first and cost the calling thread more than
// the hash itself. Reading overlaps anyway: the file stream or the socket reads ahead while a block is
// hashed and decrypted.
import { hash } from 'node:crypto';
import * as dagPb from '@ipld/dag-pb';
import { exporter } from 'ipfs-unixfs-exporter';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { constantTimeEqual } from '../crypto';
import { CarSections, type CarSection } from './car-reader';
import { DocumentCheckFailed, isAbort, type DocumentEvidence } from './errors';
import type { PhaseClock } from './timings';

/** Blocks received before they are wanted (a CAR in another order) are kept up to this many bytes. */
const MAX_OUT_OF_ORDER = 32 * 1024 * 1024;

export interface CarVerification {
  /** Blocks whose hash was checked. */
  blocks: number;
}

/** Whether `bytes` hash to the multihash in `cid`, compared in constant time. */
function hashMatches(cid: CID, bytes: Uint8Array): boolean {
  const expected = cid.multihash.digest;
  if (cid.multihash.code === sha256.code) return constantTimeEqual(hash('sha256', bytes, 'buffer'), expected);
  // An identity "hash" is the data itself; any other hash function is refused rather than trusted unchecked.
  if (cid.multihash.code === identity.code) return constantTimeEqual(bytes, expected);
  return false;
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

function malformed(evidence: DocumentEvidence, detail: string, cause?: unknown): DocumentCheckFailed {
  return new DocumentCheckFailed(
    'wrong-root',
    { ...evidence, detail: `the DAG is not a well-formed file (${detail})` },
    cause === undefined ? undefined : { cause },
  );
}

/** Hands out the CAR's blocks by CID, each checked against its CID first. */
class VerifiedBlocks {
  private readonly early = new Map<string, CarSection>();
  private earlyBytes = 0;

  constructor(
    private readonly sections: CarSections,
    private readonly stats: CarVerification,
    private readonly evidence: DocumentEvidence,
    private readonly signal?: AbortSignal,
    private readonly clock?: PhaseClock,
  ) {}

  private async next(): Promise<CarSection | undefined> {
    try {
      return await this.sections.next();
    } catch (err) {
      throw carParseFailure(err, this.evidence, this.signal);
    }
  }

  private checked(block: CarSection): Uint8Array {
    const started = this.clock === undefined ? 0 : performance.now();
    const ok = hashMatches(block.cid, block.bytes);
    this.clock?.add('block hash', performance.now() - started);
    if (!ok) {
      throw new DocumentCheckFailed('block-hash', {
        ...this.evidence,
        blockCid: block.cid.toString(),
        detail: block.cid.multihash.code === sha256.code ? 'sha2-256 mismatch' : 'unsupported hash function',
      });
    }
    this.stats.blocks++;
    return block.bytes;
  }

  /** The verified bytes of `cid`, or a typed failure. */
  async take(cid: CID): Promise<Uint8Array> {
    const key = cid.toString();
    const kept = this.early.get(key);
    if (kept !== undefined) {
      this.early.delete(key);
      this.earlyBytes -= kept.bytes.byteLength;
      return kept.bytes; // checked when it arrived
    }
    for (;;) {
      if (this.signal?.aborted === true) throw new DocumentCheckFailed('cancelled', this.evidence);
      const block = await this.next();
      if (block === undefined) {
        throw new DocumentCheckFailed('missing-block', { ...this.evidence, blockCid: key });
      }
      if (block.cid.equals(cid)) return this.checked(block);
      // Out of order: checked now (a bad block is named at once), used when the walk gets to it.
      this.checked(block);
      const early = block.cid.toString();
      if (!this.early.has(early)) this.earlyBytes += block.bytes.byteLength;
      this.early.set(early, block);
      if (this.earlyBytes > MAX_OUT_OF_ORDER) {
        throw new DocumentCheckFailed('missing-block', {
          ...this.evidence,
          blockCid: key,
          detail: 'not found in the next blocks of the CAR',
        });
      }
    }
  }

  /** Checks whatever blocks remain after the file was read. */
  async drain(): Promise<void> {
    this.early.clear();
    for (let block = await this.next(); block !== undefined; block = await this.next()) this.checked(block);
  }
}

/** A dag-pb node's links and the UnixFS bytes it holds itself, or a typed failure if it is not a file. */
async function fileNode(
  cid: CID,
  bytes: Uint8Array,
  evidence: DocumentEvidence,
): Promise<{ data: Uint8Array | undefined; links: CID[]; sizes: bigint[]; size: bigint }> {
  let entry;
  try {
    // The exporter reads the one (already verified) block it is given: used only to interpret UnixFS.
    entry = await exporter(cid, {
      get: async function* one() {
        yield bytes;
      },
    });
  } catch (err) {
    throw malformed(evidence, err instanceof Error ? err.name : 'unreadable node', err);
  }
  if (entry.type !== 'file') {
    throw new DocumentCheckFailed('wrong-root', { ...evidence, detail: `the root is a ${entry.type}` });
  }
  const links = entry.node.Links.map((link) => link.Hash);
  const sizes = entry.unixfs.blockSizes;
  if (links.length !== sizes.length) throw malformed(evidence, 'links and block sizes differ');
  return { data: entry.unixfs.data, links, sizes, size: entry.unixfs.fileSize() };
}

interface Frame {
  links: CID[];
  sizes: bigint[];
  next: number;
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
  clock?: PhaseClock,
): AsyncGenerator<Uint8Array> {
  const sections = new CarSections(car, clock === undefined ? undefined : (ms) => clock.add('read', ms));
  let roots: CID[];
  try {
    roots = await sections.roots();
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
  const blocks = new VerifiedBlocks(sections, stats, evidence, signal, clock);
  if (root.code === raw.code) {
    yield await blocks.take(root);
  } else if (root.code === dagPb.code) {
    const top = await fileNode(root, await blocks.take(root), evidence);
    if (top.data !== undefined && top.data.byteLength > 0) yield top.data;
    const stack: Frame[] = [{ links: top.links, sizes: top.sizes, next: 0 }];
    let total = BigInt(top.data?.byteLength ?? 0);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      if (frame.next === frame.links.length) {
        stack.pop();
        continue;
      }
      const i = frame.next++;
      const cid = frame.links[i] as CID;
      const declared = frame.sizes[i] as bigint;
      const bytes = await blocks.take(cid);
      if (cid.code === raw.code) {
        if (BigInt(bytes.byteLength) !== declared)
          throw malformed(evidence, 'a leaf is not its declared size');
        total += declared;
        yield bytes;
      } else if (cid.code === dagPb.code) {
        const node = await fileNode(cid, bytes, evidence);
        if (node.size !== declared) throw malformed(evidence, 'a node is not its declared size');
        if (node.data !== undefined && node.data.byteLength > 0) {
          total += BigInt(node.data.byteLength);
          yield node.data;
        }
        stack.push({ links: node.links, sizes: node.sizes, next: 0 });
      } else {
        throw malformed(evidence, `unsupported codec ${cid.code}`);
      }
    }
    if (total !== top.size) throw malformed(evidence, 'the leaves do not add up to the file size');
  } else {
    throw new DocumentCheckFailed('wrong-root', {
      ...evidence,
      detail: `unsupported root codec ${root.code}`,
    });
  }
  await blocks.drain();
}
