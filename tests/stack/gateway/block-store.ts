// The gateway's blocks, persisted on disk by blockstore-fs under `<dataDir>/blocks`.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FsBlockstore } from 'blockstore-fs';
import { NextToLast } from 'blockstore-fs/sharding';
import type { CID } from 'multiformats/cid';
import { GatewayError } from './errors';

export class GatewayBlockStore {
  readonly fs: FsBlockstore;
  private readonly sharding = new NextToLast();
  private readonly pending = new Map<string, Promise<CID>>();

  constructor(readonly dir: string) {
    this.fs = new FsBlockstore(dir, { shardingStrategy: this.sharding });
  }

  open(): Promise<void> {
    return this.fs.open();
  }

  close(): Promise<void> {
    return this.fs.close();
  }

  /**
   * Stores a block unless it is already stored (as Helia does) or being stored by a concurrent put: a file
   * with repeated chunks otherwise makes blockstore-fs race on one temp file and retry for a second.
   */
  async put(cid: CID, bytes: Uint8Array): Promise<CID> {
    const key = cid.toString();
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending;
    const write = (async () => ((await this.fs.has(cid)) ? cid : this.fs.put(cid, bytes)))();
    this.pending.set(key, write);
    try {
      return await write;
    } finally {
      this.pending.delete(key);
    }
  }

  has(cid: CID): Promise<boolean> {
    return this.fs.has(cid);
  }

  /** The whole block; blocks are at most one chunk (1 MiB) plus a small dag-pb node, so this is bounded. */
  async read(cid: CID): Promise<Uint8Array> {
    if (!(await this.fs.has(cid))) {
      throw new GatewayError('not-found', `Block ${cid.toString()} is not stored on this gateway.`);
    }
    const parts: Uint8Array[] = [];
    for await (const part of this.fs.get(cid)) parts.push(part);
    return parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
  }

  private fileOf(cid: CID): string {
    const { dir, file } = this.sharding.encode(cid);
    return join(this.dir, dir, file);
  }

  /**
   * Fault injection: rewrites the stored bytes of a block in place so they no longer hash to its CID
   * (every byte inverted, same length), or keeps only the first half when `truncate` is set.
   */
  async corrupt(cid: CID, opts: { truncate?: boolean } = {}): Promise<void> {
    if (!(await this.fs.has(cid))) {
      throw new GatewayError('not-found', `Cannot corrupt ${cid.toString()}: it is not stored.`);
    }
    const file = this.fileOf(cid);
    const bytes = await readFile(file);
    if (opts.truncate === true) {
      await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    }
    if (bytes.length === 0) {
      await writeFile(file, Buffer.from([0xff]));
      return;
    }
    for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
  }
}
