// The streaming CAR verifier on hand-built CARs: every block against its CID, the root against the expected
// one, the DAG walked from verified blocks only — each fault named by its check, with the block's CID.
import { randomFillSync } from 'node:crypto';
import { CarWriter } from '@ipld/car/writer';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importByteStream, type ImporterOptions } from 'ipfs-unixfs-importer';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { DocumentCheckFailed, importerOptions } from '../../../src/main/core/documents';
import { verifiedCarContent } from '../../../src/main/core/documents/verify-car';

const MiB = 1024 * 1024;

interface Block {
  cid: CID;
  bytes: Uint8Array;
}

/** A file imported with the gateway's parameters: its root and blocks in depth-first order. */
async function dag(
  size: number,
  options: ImporterOptions = importerOptions(),
): Promise<{ content: Uint8Array; root: CID; blocks: Block[] }> {
  const content = randomFillSync(new Uint8Array(size));
  const store = new MemoryBlockstore();
  const root = (await importByteStream([content], store, options)).cid;
  const get = async (cid: CID): Promise<Uint8Array> => {
    const parts: Uint8Array[] = [];
    for await (const part of store.get(cid)) parts.push(part);
    return Buffer.concat(parts);
  };
  const blocks: Block[] = [];
  const walk = async (cid: CID): Promise<void> => {
    const bytes = await get(cid);
    blocks.push({ cid, bytes });
    if (cid.code === dagPb.code) for (const link of dagPb.decode(bytes).Links) await walk(link.Hash);
  };
  await walk(root);
  return { content, root, blocks };
}

async function car(roots: CID[], blocks: Block[]): Promise<Buffer> {
  const { writer, out } = CarWriter.create(roots);
  const parts: Uint8Array[] = [];
  const drained = (async () => {
    for await (const part of out) parts.push(part);
  })();
  for (const block of blocks) await writer.put(block);
  await writer.close();
  await drained;
  return Buffer.concat(parts);
}

async function* pieces(bytes: Uint8Array, size = 100_003): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

async function read(
  carBytes: Uint8Array,
  root: CID,
  pieceSize?: number,
): Promise<{ content: Buffer; blocks: number }> {
  const stats = { blocks: 0 };
  const parts: Uint8Array[] = [];
  const source = pieces(carBytes, pieceSize);
  for await (const part of verifiedCarContent(source, root, { cid: root.toString() }, stats)) {
    parts.push(part);
  }
  return { content: Buffer.concat(parts), blocks: stats.blocks };
}

async function failure(carBytes: Uint8Array, root: CID): Promise<DocumentCheckFailed> {
  const err = await read(carBytes, root).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DocumentCheckFailed);
  return err as DocumentCheckFailed;
}

const corrupt = (block: Block): Block => {
  const bytes = Uint8Array.from(block.bytes);
  bytes[bytes.byteLength >> 1] = (bytes[bytes.byteLength >> 1] as number) ^ 0xff;
  return { cid: block.cid, bytes };
};

describe('verifiedCarContent', () => {
  it('reads a multi-block file from a depth-first CAR, checking every block', async () => {
    const file = await dag(3 * MiB + 5);
    const result = await read(await car([file.root], file.blocks), file.root);
    expect(result.content.equals(file.content)).toBe(true);
    expect(result.blocks).toBe(5);
  });

  it('reads the same file whatever the chunks the CAR arrives in', async () => {
    const file = await dag(2 * MiB + 3);
    const bytes = await car([file.root], file.blocks);
    for (const size of [7, 16 * 1024, MiB, MiB + 41, bytes.byteLength]) {
      const result = await read(bytes, file.root, size);
      expect(result.content.equals(file.content)).toBe(true);
      expect(result.blocks).toBe(4);
    }
  });

  it('reads a DAG of more than one level of nodes (as a file over 1 GiB is)', async () => {
    // Two links per node instead of 1024: five leaves need three levels of nodes above them.
    const file = await dag(5 * MiB, { ...importerOptions(), layout: balanced({ maxChildrenPerNode: 2 }) });
    const nodes = file.blocks.filter((b) => b.cid.code === dagPb.code).length;
    expect(nodes).toBeGreaterThan(2);
    const result = await read(await car([file.root], file.blocks), file.root);
    expect(result.content.equals(file.content)).toBe(true);
    expect(result.blocks).toBe(file.blocks.length);
  });

  it('reads a single-block file (the root is the raw leaf)', async () => {
    const file = await dag(1000);
    expect(file.root.code).toBe(raw.code);
    expect((await read(await car([file.root], file.blocks), file.root)).content.equals(file.content)).toBe(
      true,
    );
  });

  it('reads a CAR in another order while it fits the out-of-order allowance', async () => {
    const file = await dag(3 * MiB);
    const reordered = [...file.blocks.slice(1).reverse(), file.blocks[0] as Block];
    expect((await read(await car([file.root], reordered), file.root)).content.equals(file.content)).toBe(
      true,
    );
  });

  it('names an altered leaf and an altered root node (block-hash)', async () => {
    const file = await dag(3 * MiB);
    for (const index of [0, 2]) {
      const blocks = file.blocks.map((b, i) => (i === index ? corrupt(b) : b));
      const err = await failure(await car([file.root], blocks), file.root);
      expect(err.check).toBe('block-hash');
      expect(err.evidence.blockCid).toBe(file.blocks[index]?.cid.toString());
    }
  });

  it('checks blocks after the file too (block-hash on a trailing block)', async () => {
    const file = await dag(2 * MiB);
    const other = await dag(1000);
    const extra = corrupt(other.blocks[0] as Block);
    const err = await failure(await car([file.root], [...file.blocks, extra]), file.root);
    expect(err.check).toBe('block-hash');
    expect(err.evidence.blockCid).toBe(extra.cid.toString());
  });

  it('refuses a CAR naming another root (wrong-root)', async () => {
    const file = await dag(2 * MiB);
    const other = await dag(2 * MiB);
    const err = await failure(await car([other.root], file.blocks), file.root);
    expect(err.check).toBe('wrong-root');
    expect(err.evidence).toMatchObject({ expected: file.root.toString(), found: other.root.toString() });
    const two = await failure(await car([file.root, other.root], file.blocks), file.root);
    expect(two.check).toBe('wrong-root');
  });

  it('refuses a CAR without a leaf (missing-block) and one cut inside a block (truncated)', async () => {
    const file = await dag(3 * MiB);
    const missing = await failure(await car([file.root], file.blocks.slice(0, -1)), file.root);
    expect(missing.check).toBe('missing-block');
    expect(missing.evidence.blockCid).toBe(file.blocks.at(-1)?.cid.toString());

    const whole = await car([file.root], file.blocks);
    const cut = await failure(whole.subarray(0, whole.byteLength - 1000), file.root);
    expect(cut.check).toBe('truncated');
  });

  it('refuses bytes that are not a CAR (content-type)', async () => {
    const file = await dag(1000);
    const page = `<html><body>${'Please sign in to continue. '.repeat(20)}</body></html>`;
    const err = await failure(Buffer.from(page), file.root);
    expect(err.check).toBe('content-type');
  });

  it('does not trust blocks whose CID uses another hash function', async () => {
    const file = await dag(1000);
    const bytes = file.blocks[0]?.bytes as Uint8Array;
    // A CID that claims the block under a hash the verifier does not accept.
    const weak = CID.createV1(raw.code, createDigest(0x13 /* sha2-512 */, new Uint8Array(64)));
    const err = await failure(await car([weak], [{ cid: weak, bytes }]), weak);
    expect(err.check).toBe('block-hash');
  });
});
