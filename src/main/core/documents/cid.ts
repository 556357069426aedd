// Local CID computation and block checks, with the same UnixFS parameters the gateway imports with.
import { importByteStream } from 'ipfs-unixfs-importer';
import type { ByteStream, WritableStorage } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import { equals } from 'multiformats/bytes';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { importerOptions } from './unixfs-params';

export interface ComputedCid {
  cid: CID;
  /** Bytes of file content read. */
  size: number;
}

/** A blockstore that keeps nothing: computing a CID needs every block hashed, none of them stored. */
const discardBlocks: WritableStorage = {
  put: async (cid: CID) => cid,
};

/**
 * The root CID the gateway will answer when `content` is uploaded. Streams: memory stays around a few
 * chunks whatever the file size.
 */
export async function computeUnixfsCid(
  content: ByteStream | Uint8Array,
  onBytes?: (total: number) => void,
): Promise<ComputedCid> {
  let size = 0;
  const source: ByteStream =
    content instanceof Uint8Array
      ? [content]
      : (async function* counted() {
          for await (const chunk of content) {
            size += chunk.byteLength;
            onBytes?.(size);
            yield chunk;
          }
        })();
  if (content instanceof Uint8Array) {
    size = content.byteLength;
  }
  const result = await importByteStream(source, discardBlocks, importerOptions());
  return { cid: result.cid, size };
}

/**
 * Whether `bytes` hash to the multihash inside `cid`. Only sha2-256 (and identity, whose digest is the data)
 * are accepted; any other hash function answers false rather than being trusted unchecked.
 */
export async function blockMatchesCid(cid: CID, bytes: Uint8Array): Promise<boolean> {
  if (cid.multihash.code === sha256.code) {
    const digest = await sha256.digest(bytes);
    return equals(digest.digest, cid.multihash.digest);
  }
  if (cid.multihash.code === identity.code) {
    return equals(identity.digest(bytes).digest, cid.multihash.digest);
  }
  return false;
}

export { CID };
