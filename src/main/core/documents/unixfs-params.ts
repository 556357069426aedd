/**
 * The UnixFS import parameters shared by the client and the private gateway.
 *
 * A CID depends on every one of these choices, so the client can only predict the CID the gateway will
 * answer for an upload (and refuse the upload when it differs) if both import with exactly these values.
 * They are the IPIP-499 `unixfs-v1-2025` profile, spelled out so a library default changing cannot move them:
 *
 * - CIDv1, sha2-256 multihash (the importer's only hasher).
 * - Fixed-size chunker, 1 MiB (1,048,576 bytes) per leaf.
 * - Raw leaves: leaf blocks are the plain chunk bytes with the `raw` codec (0x55), not wrapped in UnixFS.
 * - Balanced DAG layout, at most 1024 links per dag-pb (0x70) node: a file up to 1 GiB has a single root
 *   linking all its leaves; larger files get another level.
 * - reduceSingleLeafToSelf: a file of at most one chunk is just its raw leaf (a `bafk…` CID), no root node.
 * - No directory wrapping: the root CID is the file itself.
 *
 * Only `ipfs-unixfs-importer` is imported here, so this module runs in Node, in tests and in a renderer alike.
 */
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { ImporterOptions } from 'ipfs-unixfs-importer';

export const UNIXFS_CHUNK_SIZE = 1_048_576;
export const UNIXFS_MAX_CHILDREN_PER_NODE = 1024;

/** The values above as plain data, for documentation, logs and equality checks. */
export const UNIXFS_PARAMS = Object.freeze({
  cidVersion: 1,
  hash: 'sha2-256',
  chunker: 'fixed-size',
  chunkSize: UNIXFS_CHUNK_SIZE,
  layout: 'balanced',
  maxChildrenPerNode: UNIXFS_MAX_CHILDREN_PER_NODE,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  wrapWithDirectory: false,
} as const);

/**
 * The importer options. Frozen; pass `importerOptions()` (a fresh copy) to the importer, which is free to
 * write to the object it is given.
 */
export const UNIXFS_IMPORTER_OPTIONS: Readonly<ImporterOptions> = Object.freeze({
  cidVersion: UNIXFS_PARAMS.cidVersion,
  rawLeaves: UNIXFS_PARAMS.rawLeaves,
  reduceSingleLeafToSelf: UNIXFS_PARAMS.reduceSingleLeafToSelf,
  wrapWithDirectory: UNIXFS_PARAMS.wrapWithDirectory,
  chunker: fixedSize({ chunkSize: UNIXFS_CHUNK_SIZE }),
  layout: balanced({ maxChildrenPerNode: UNIXFS_MAX_CHILDREN_PER_NODE }),
});

/** A fresh copy of the shared options; `extra` may only add progress reporting, never change the DAG. */
export function importerOptions(extra: Pick<ImporterOptions, 'onProgress'> = {}): ImporterOptions {
  return { ...UNIXFS_IMPORTER_OPTIONS, ...extra };
}
