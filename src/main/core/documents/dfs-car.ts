// Writes the CAR of a freshly encrypted file in the order the gateway serves it (depth-first, duplicates
// included): the dag-pb nodes come from the importer, the leaves are read back from the ciphertext file.
import type { FileHandle } from 'node:fs/promises';
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { UNIXFS_CHUNK_SIZE } from './unixfs-params';

export interface DagBlock {
  cid: CID;
  bytes: Uint8Array;
}

/**
 * Every block of the DAG rooted at `root`, depth-first. `nodes` holds the dag-pb nodes by CID string; raw
 * leaves are the file's consecutive UnixFS chunks, read from `file` (`size` bytes).
 */
export async function* dfsBlocks(
  root: CID,
  nodes: ReadonlyMap<string, Uint8Array>,
  file: FileHandle,
  size: number,
): AsyncGenerator<DagBlock> {
  let position = 0;
  async function* walk(cid: CID): AsyncGenerator<DagBlock> {
    if (cid.code === raw.code) {
      const length = Math.min(UNIXFS_CHUNK_SIZE, size - position);
      const bytes = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await file.read(bytes, done, length - done, position + done);
        if (bytesRead === 0) throw new Error('the ciphertext file is shorter than its DAG');
        done += bytesRead;
      }
      position += length;
      yield { cid, bytes };
      return;
    }
    const bytes = nodes.get(cid.toString());
    if (bytes === undefined || cid.code !== dagPb.code)
      throw new Error('a DAG node was not kept by the import');
    yield { cid, bytes };
    for (const link of dagPb.decode(bytes).Links) yield* walk(link.Hash);
  }
  yield* walk(root);
  if (position !== size) throw new Error('the ciphertext file is longer than its DAG');
}
