// A 50 MiB document through the gateway and back: the answered CID equals one computed independently, the
// CAR verifies block by block in DFS order and exports to the original bytes, and it survives a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importByteStream } from 'ipfs-unixfs-importer';
import type { CID } from 'multiformats/cid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeUnixfsCid } from '../../../src/main/core/documents/cid';
import { UNIXFS_CHUNK_SIZE, importerOptions } from '../../../src/main/core/documents/unixfs-params';
import { testTls } from '../test-env';
import { startGateway, type RunningGateway } from './index';
import { gatewayRequest, uploadBytes } from './test-client';
import { deterministicBytes, sha256Hex } from './test-data';
import { exportFile, verifyCar } from './verify-car';

const SIZE = 50 * 1024 * 1024;
const SEED = 'roundtrip-50MiB';
const TOKEN = 'roundtrip-token-0123456789abcdef';
const mibPerSecond = (bytes: number, ms: number): string => ((bytes / 1024 / 1024) * (1000 / ms)).toFixed(1);

describe('gateway round trip (50 MiB)', () => {
  const tls = testTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-gateway-roundtrip-'));
  let gateway: RunningGateway;
  let expectedCid: CID;
  let originalHash: string;

  beforeAll(async () => {
    gateway = await startGateway({ dataDir, tls, token: TOKEN });
    // Independent reference: the same bytes imported here into memory with the shared parameters.
    const reference = await importByteStream(
      deterministicBytes(SEED, SIZE),
      new MemoryBlockstore(),
      importerOptions(),
    );
    expectedCid = reference.cid;
    originalHash = await sha256Hex(deterministicBytes(SEED, SIZE));
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'answers the CID computed independently, and the client CID module agrees',
    { timeout: 120_000 },
    async () => {
      const started = performance.now();
      const answer = await uploadBytes(gateway.url, tls, TOKEN, deterministicBytes(SEED, SIZE));
      const ms = performance.now() - started;
      console.log(`[gateway] upload 50 MiB: ${ms.toFixed(0)} ms, ${mibPerSecond(SIZE, ms)} MiB/s`);

      expect(answer).toEqual({ cid: expectedCid.toString(), size: SIZE });
      expect(expectedCid.version).toBe(1);
      expect(expectedCid.code).toBe(dagPb.code);
      const local = await computeUnixfsCid(deterministicBytes(SEED, SIZE));
      expect(local.cid.toString()).toBe(answer.cid);
      expect(local.size).toBe(SIZE);
    },
  );

  it(
    'serves a CAR whose blocks all verify, in DFS order, exporting the original bytes',
    { timeout: 120_000 },
    async () => {
      const started = performance.now();
      const res = await gatewayRequest(gateway.url, tls, {
        path: `/ipfs/${expectedCid}?format=car`,
        token: TOKEN,
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
      expect(res.headers['content-length']).toBeUndefined(); // streamed, not buffered
      const car = await verifyCar(res.body, expectedCid);
      const ms = performance.now() - started;
      console.log(
        `[gateway] CAR download + verify 50 MiB: ${ms.toFixed(0)} ms, ${mibPerSecond(SIZE, ms)} MiB/s`,
      );

      // Root first, then its leaves in link order: 50 raw leaves of exactly one chunk each.
      const rootParts: Uint8Array[] = [];
      for await (const part of car.blocks.get(expectedCid)) rootParts.push(part);
      const links = dagPb.decode(Buffer.concat(rootParts)).Links.map((l) => l.Hash.toString());
      expect(links).toHaveLength(SIZE / UNIXFS_CHUNK_SIZE);
      expect(car.order.map(String)).toEqual([expectedCid.toString(), ...links]);

      expect(await sha256Hex(exportFile(expectedCid, car.blocks))).toBe(originalHash);
    },
  );

  it('still serves the content after a restart on the same data dir', { timeout: 120_000 }, async () => {
    const { port } = new URL(gateway.url);
    await gateway.close();
    gateway = await startGateway({ dataDir, tls, token: TOKEN, port: Number(port) });
    expect(gateway.url).toBe(`https://127.0.0.1:${port}`);

    const res = await gatewayRequest(gateway.url, tls, {
      path: `/ipfs/${expectedCid}?format=car`,
      token: TOKEN,
    });
    expect(res.status).toBe(200);
    const car = await verifyCar(res.body, expectedCid);
    expect(await sha256Hex(exportFile(expectedCid, car.blocks))).toBe(originalHash);
  });
});
