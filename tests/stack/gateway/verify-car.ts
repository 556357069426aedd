// What a careful client does with a CAR from an untrusted gateway: every block's sha2-256 against its CID,
// the header root against the expected root, then the file is exported from verified blocks only.
import { CarBlockIterator } from '@ipld/car';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { exporter } from 'ipfs-unixfs-exporter';
import { equals } from 'multiformats/bytes';
import type { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

export class BlockHashMismatchError extends Error {
  constructor(readonly cid: string) {
    super(`Block ${cid} does not hash to its CID (sha2-256 mismatch).`);
    this.name = 'BlockHashMismatchError';
  }
}

export interface VerifiedCar {
  roots: CID[];
  order: CID[];
  blocks: MemoryBlockstore;
}

export async function verifyCar(source: AsyncIterable<Uint8Array>, expectedRoot: CID): Promise<VerifiedCar> {
  const iterator = await CarBlockIterator.fromIterable(source);
  const roots = await iterator.getRoots();
  if (roots.length !== 1 || !roots[0]?.equals(expectedRoot)) {
    throw new Error(`CAR roots ${roots.join(',')} are not ${expectedRoot.toString()}.`);
  }
  const blocks = new MemoryBlockstore();
  const order: CID[] = [];
  for await (const { cid, bytes } of iterator) {
    if (cid.multihash.code !== sha256.code) throw new Error(`Block ${cid.toString()} is not sha2-256.`);
    const digest = await sha256.digest(bytes);
    if (!equals(digest.digest, cid.multihash.digest)) throw new BlockHashMismatchError(cid.toString());
    await blocks.put(cid, bytes);
    order.push(cid);
  }
  return { roots, order, blocks };
}

/** The file's bytes, read from verified blocks; throws if a block of the DAG is missing. */
export async function* exportFile(root: CID, blocks: MemoryBlockstore): AsyncGenerator<Uint8Array> {
  const entry = await exporter(root, blocks);
  if (entry.type !== 'file' && entry.type !== 'raw')
    throw new Error(`${root.toString()} is a ${entry.type}.`);
  yield* entry.content();
}
