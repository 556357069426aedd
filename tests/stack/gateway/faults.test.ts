// Fault injection for tamper tests: only a gateway started with `faults: true` can corrupt a stored block or
// truncate CARs, and a verifying reader catches each fault, naming the block.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importByteStream } from 'ipfs-unixfs-importer';
import { equals } from 'multiformats/bytes';
import type { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importerOptions } from '../../../src/main/core/documents/unixfs-params';
import { testTls } from '../test-env';
import { startGateway, type RunningGateway } from './index';
import { gatewayRequest, readBody, uploadBytes } from './test-client';
import { deterministicBytes, sha256Hex } from './test-data';
import { BlockHashMismatchError, exportFile, verifyCar } from './verify-car';

const TOKEN = 'faults-test-token-0123456789abcdef';
const SIZE = 4 * 1024 * 1024 + 777;

describe('gateway fault injection', () => {
  const tls = testTls();
  const dirs: string[] = [];
  const gateways: RunningGateway[] = [];
  let root: CID;
  let leaves: CID[];

  const start = async (faults?: boolean): Promise<RunningGateway> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cm-gateway-faults-'));
    dirs.push(dataDir);
    const gateway = await startGateway({
      dataDir,
      tls,
      token: TOKEN,
      ...(faults === undefined ? {} : { faults }),
    });
    gateways.push(gateway);
    await uploadBytes(gateway.url, tls, TOKEN, deterministicBytes('faults', SIZE));
    return gateway;
  };
  const fetchCar = async (gateway: RunningGateway) => {
    const res = await gatewayRequest(gateway.url, tls, { path: `/ipfs/${root}?format=car`, token: TOKEN });
    expect(res.status).toBe(200);
    return res;
  };

  beforeAll(async () => {
    const reference = new MemoryBlockstore();
    root = (await importByteStream(deterministicBytes('faults', SIZE), reference, importerOptions())).cid;
    const parts: Uint8Array[] = [];
    for await (const part of reference.get(root)) parts.push(part);
    leaves = dagPb.decode(Buffer.concat(parts)).Links.map((l) => l.Hash);
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('offers no fault hooks on a normally started gateway', async () => {
    for (const gateway of [await start(), await start(false)]) {
      expect(gateway.corruptBlock).toBeUndefined();
      expect(gateway.truncateCar).toBeUndefined();
      const car = await verifyCar((await fetchCar(gateway)).body, root);
      expect(await sha256Hex(exportFile(root, car.blocks))).toBe(
        await sha256Hex(deterministicBytes('faults', SIZE)),
      );
    }
  });

  it('corrupts a stored block so a verifying CAR read names it', async () => {
    const gateway = await start(true);
    const victim = leaves[2] as CID;
    await gateway.corruptBlock?.(victim.toString());

    const failure = await verifyCar((await fetchCar(gateway)).body, root).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BlockHashMismatchError);
    expect((failure as BlockHashMismatchError).cid).toBe(victim.toString());
    expect((failure as Error).message).toContain(victim.toString());

    const raw = await readBody(
      await gatewayRequest(gateway.url, tls, { path: `/ipfs/${victim}?format=raw`, token: TOKEN }),
    );
    expect(equals((await sha256.digest(raw)).digest, victim.multihash.digest)).toBe(false);

    // Blocks already stored are not rewritten (as in Helia), so uploading the file again does not repair it.
    await uploadBytes(gateway.url, tls, TOKEN, deterministicBytes('faults', SIZE));
    await expect(verifyCar((await fetchCar(gateway)).body, root)).rejects.toThrow(victim.toString());
  });

  it('can truncate a stored block instead, and the corruption survives a restart', async () => {
    const gateway = await start(true);
    const victim = leaves[0] as CID;
    await gateway.corruptBlock?.(victim.toString(), { truncate: true });
    const raw = await gatewayRequest(gateway.url, tls, { path: `/ipfs/${victim}?format=raw`, token: TOKEN });
    expect(Number(raw.headers['content-length'])).toBe(512 * 1024);
    await readBody(raw);

    const { port } = new URL(gateway.url);
    await gateway.close();
    gateways.splice(gateways.indexOf(gateway), 1);
    const restarted = await startGateway({
      dataDir: dirs.at(-1) as string,
      tls,
      token: TOKEN,
      port: Number(port),
    });
    gateways.push(restarted);
    expect(restarted.corruptBlock).toBeUndefined();
    await expect(verifyCar((await fetchCar(restarted)).body, root)).rejects.toThrow(victim.toString());
  });

  it('rejects corrupting a block it does not hold', async () => {
    const gateway = await start(true);
    await expect(
      gateway.corruptBlock?.('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'),
    ).rejects.toThrow(/not stored/);
  });

  it('truncates CAR responses mid-block or drops the last block, and a verifying reader notices', async () => {
    const gateway = await start(true);
    gateway.truncateCar?.(true);
    await expect(verifyCar((await fetchCar(gateway)).body, root)).rejects.toThrow(/unexpected end of data/i);

    gateway.truncateCar?.('drop-last-block');
    const car = await verifyCar((await fetchCar(gateway)).body, root);
    expect(car.order.map(String)).toEqual([root, ...leaves.slice(0, -1)].map(String));
    await expect(sha256Hex(exportFile(root, car.blocks))).rejects.toThrow(/not found/i);

    gateway.truncateCar?.(false);
    const whole = await verifyCar((await fetchCar(gateway)).body, root);
    expect(whole.order).toHaveLength(leaves.length + 1);
  });
});
