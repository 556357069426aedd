// Local CID computation, with the same UnixFS parameters the gateway imports with (block checks: verify-car.ts).
import { importByteStream } from 'ipfs-unixfs-importer';
import type { ByteStream, WritableStorage } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
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

export { CID };
