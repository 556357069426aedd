// Depth-first walk over a stored DAG in link order (IPIP-412 `order=dfs`): a parent block, then each of
// its children's subtrees, left to right. Only dag-pb nodes have links here; raw leaves end a branch.
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import type { CarDups, DagScope } from './negotiate';

export interface Block {
  cid: CID;
  bytes: Uint8Array;
}

export async function* walkDfs(
  root: CID,
  read: (cid: CID) => Promise<Uint8Array>,
  opts: { dups: CarDups; scope: DagScope },
): AsyncGenerator<Block> {
  const seen = new Set<string>();
  const stack: CID[] = [root];
  let first = true;
  while (stack.length > 0) {
    const cid = stack.pop() as CID;
    // Identity CIDs carry their data inline; the spec forbids sending them as blocks.
    if (cid.multihash.code === identity.code) continue;
    const key = cid.toString();
    if (opts.dups === 'n' && seen.has(key)) continue;
    seen.add(key);
    const bytes = await read(cid);
    yield { cid, bytes };
    if (first && opts.scope === 'block') return;
    first = false;
    if (cid.code === dagPb.code) {
      const links = dagPb.decode(bytes).Links;
      for (let i = links.length - 1; i >= 0; i--) {
        const link = links[i];
        if (link !== undefined) stack.push(link.Hash);
      }
    }
  }
}
