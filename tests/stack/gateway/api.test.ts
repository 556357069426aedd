// The gateway's HTTP surface: bearer auth, raw blocks, trustless-gateway negotiation and error answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarBlockIterator } from '@ipld/car';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importByteStream } from 'ipfs-unixfs-importer';
import { equals } from 'multiformats/bytes';
import type { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeUnixfsCid } from '../../../src/main/core/documents/cid';
import { importerOptions } from '../../../src/main/core/documents/unixfs-params';
import { testTls } from '../test-env';
import { GatewayConfigError, startGateway, type RunningGateway } from './index';
import { gatewayRequest, readBody, readJson, uploadBytes, type GatewayRequest } from './test-client';
import { deterministicBytes } from './test-data';

const TOKEN = 'api-test-token-0123456789abcdef';
const FILE_SIZE = 3 * 1024 * 1024 + 12_345; // three full leaves and a short one

async function blockOf(store: MemoryBlockstore, cid: CID): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of store.get(cid)) parts.push(part);
  return Buffer.concat(parts);
}

async function carCids(body: AsyncIterable<Uint8Array>): Promise<{ roots: string[]; blocks: string[] }> {
  const iterator = await CarBlockIterator.fromIterable(body);
  const blocks: string[] = [];
  for await (const block of iterator) blocks.push(block.cid.toString());
  return { roots: (await iterator.getRoots()).map(String), blocks };
}

describe('gateway HTTP API', () => {
  const tls = testTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-gateway-api-'));
  const reference = new MemoryBlockstore();
  let gateway: RunningGateway;
  let root: CID;
  let leaves: CID[];
  const get = (req: Omit<GatewayRequest, 'token'> & { token?: string | null }) =>
    gatewayRequest(gateway.url, tls, { token: TOKEN, ...req });

  beforeAll(async () => {
    gateway = await startGateway({ dataDir, tls, token: TOKEN });
    const ref = await importByteStream(deterministicBytes('api', FILE_SIZE), reference, importerOptions());
    root = ref.cid;
    leaves = dagPb.decode(await blockOf(reference, root)).Links.map((l) => l.Hash);
    const answer = await uploadBytes(gateway.url, tls, TOKEN, deterministicBytes('api', FILE_SIZE));
    expect(answer.cid).toBe(root.toString());
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('raw blocks', () => {
    it('returns exactly one block whose sha2-256 matches the requested CID', async () => {
      const leaf = leaves[1] as CID;
      const res = await get({ path: `/ipfs/${leaf}?format=raw` });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.ipld.raw');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${leaf}.bin"`);
      const body = await readBody(res);
      expect(Number(res.headers['content-length'])).toBe(body.length);
      expect(equals((await sha256.digest(body)).digest, leaf.multihash.digest)).toBe(true);
      expect(equals(body, await blockOf(reference, leaf))).toBe(true);
    });

    it('returns the dag-pb root node itself, not the file', async () => {
      const body = await readBody(await get({ path: `/ipfs/${root}?format=raw` }));
      expect(equals(body, await blockOf(reference, root))).toBe(true);
      expect(body.length).toBeLessThan(1024);
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await get({ method: 'HEAD', path: `/ipfs/${root}?format=raw` });
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
      expect((await readBody(res)).length).toBe(0);
    });

    it('answers a matching If-None-Match with 304', async () => {
      const first = await get({ path: `/ipfs/${root}?format=raw` });
      await readBody(first);
      const etag = String(first.headers.etag);
      const second = await get({ path: `/ipfs/${root}?format=raw`, headers: { 'if-none-match': etag } });
      expect(second.status).toBe(304);
    });
  });

  describe('format negotiation', () => {
    it('honours Accept: application/vnd.ipld.raw without a format parameter', async () => {
      const res = await get({ path: `/ipfs/${root}`, headers: { accept: 'application/vnd.ipld.raw' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.ipld.raw');
      expect(res.headers['content-location']).toBe(`/ipfs/${root}?format=raw`);
      await readBody(res);
    });

    it('honours Accept CAR parameters (dups=y) and reports them in Content-Type', async () => {
      const res = await get({
        path: `/ipfs/${root}`,
        headers: { accept: 'application/vnd.ipld.car; version=1; order=dfs; dups=y' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=y');
      const car = await carCids(res.body);
      expect(car.roots).toEqual([root.toString()]);
      expect(car.blocks).toEqual([root, ...leaves].map(String));
    });

    it('picks the highest-q supported type and lets format= win over Accept', async () => {
      const weighted = await get({
        path: `/ipfs/${root}`,
        headers: { accept: 'application/vnd.ipld.car;q=0.5, application/vnd.ipld.raw;q=0.9' },
      });
      expect(weighted.headers['content-type']).toBe('application/vnd.ipld.raw');
      await readBody(weighted);
      const overridden = await get({
        path: `/ipfs/${root}?format=car`,
        headers: { accept: 'application/vnd.ipld.raw' },
      });
      expect(overridden.headers['content-type']).toMatch(/^application\/vnd\.ipld\.car; version=1/);
      await readBody(overridden);
    });

    it('sends duplicate blocks only when asked (dups=y) and never by default', async () => {
      const zeros = new Uint8Array(3 * 1024 * 1024); // three identical leaves
      const { cid } = await uploadBytes(gateway.url, tls, TOKEN, zeros);
      const deduped = await carCids((await get({ path: `/ipfs/${cid}?format=car` })).body);
      expect(deduped.blocks).toHaveLength(2);
      const withDups = await carCids((await get({ path: `/ipfs/${cid}?format=car&car-dups=y` })).body);
      expect(withDups.blocks).toHaveLength(4);
      expect(new Set(withDups.blocks).size).toBe(2);
    });

    it('returns only the root block for dag-scope=block', async () => {
      const car = await carCids((await get({ path: `/ipfs/${root}?format=car&dag-scope=block` })).body);
      expect(car.blocks).toEqual([root.toString()]);
    });

    it('refuses requests that name no verifiable format (400) or only unsupported variants (406)', async () => {
      const none = await get({ path: `/ipfs/${root}` });
      expect(none.status).toBe(400);
      expect((await readJson(none)).error).toBe('bad-request');
      const carV2 = await get({
        path: `/ipfs/${root}`,
        headers: { accept: 'application/vnd.ipld.car; version=2' },
      });
      expect(carV2.status).toBe(406);
      expect((await readJson(carV2)).error).toBe('not-acceptable');
      const badDups = await get({ path: `/ipfs/${root}?format=car&car-dups=maybe` });
      expect(badDups.status).toBe(400);
      await readBody(badDups);
      const tar = await get({ path: `/ipfs/${root}?format=tar` });
      expect(tar.status).toBe(400);
      await readBody(tar);
    });

    it('answers the identity probe CID bafkqaaa', async () => {
      const raw = await get({ path: '/ipfs/bafkqaaa?format=raw' });
      expect(raw.status).toBe(200);
      expect((await readBody(raw)).length).toBe(0);
      const car = await carCids((await get({ path: '/ipfs/bafkqaaa?format=car' })).body);
      expect(car).toEqual({ roots: ['bafkqaaa'], blocks: [] });
    });
  });

  describe('errors', () => {
    it('answers 400 with a JSON error for an invalid CID', async () => {
      const res = await get({ path: '/ipfs/not-a-cid?format=raw' });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect((await readJson(res)).error).toBe('invalid-cid');
    });

    it('answers 404 with a JSON error for a CID it does not hold', async () => {
      const absent = (await computeUnixfsCid(new TextEncoder().encode('never uploaded'))).cid;
      for (const format of ['raw', 'car']) {
        const res = await get({ path: `/ipfs/${absent}?format=${format}` });
        expect(res.status).toBe(404);
        expect((await readJson(res)).error).toBe('not-found');
      }
    });

    it('refuses content paths below the CID, wrong methods and unknown endpoints', async () => {
      const pathed = await get({ path: `/ipfs/${root}/file.pdf?format=car` });
      expect(pathed.status).toBe(400);
      await readBody(pathed);
      const getUpload = await get({ path: '/upload' });
      expect(getUpload.status).toBe(405);
      expect(getUpload.headers.allow).toBe('POST');
      await readBody(getUpload);
      const unknown = await get({ path: '/api/v0/cat' });
      expect(unknown.status).toBe(404);
      await readBody(unknown);
    });

    it('stores an empty upload as the empty-file CID the client computes', async () => {
      const answer = await uploadBytes(gateway.url, tls, TOKEN, new Uint8Array(0));
      expect(answer).toEqual({ cid: (await computeUnixfsCid(new Uint8Array(0))).cid.toString(), size: 0 });
    });
  });

  describe('authentication', () => {
    const expect401 = async (req: Omit<GatewayRequest, 'token'> & { token?: string | null }) => {
      const res = await get(req);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(await readJson(res)).toMatchObject({ error: 'unauthorized' });
    };

    it('refuses requests without a token or with a wrong one', async () => {
      await expect401({ path: `/ipfs/${root}?format=raw`, token: null });
      await expect401({ path: `/ipfs/${root}?format=raw`, token: 'wrong-token-0123456789abcdef' });
      await expect401({ path: `/ipfs/${root}?format=raw`, token: TOKEN.slice(0, -1) });
      await expect401({ path: '/ipfs/bafkqaaa?format=raw', token: null });
    });

    it('accepts the token only as a Bearer Authorization header', async () => {
      await expect401({ path: `/ipfs/${root}?format=raw&token=${TOKEN}`, token: null });
      await expect401({ path: `/ipfs/${root}?format=raw&access_token=${TOKEN}`, token: null });
      await expect401({ path: `/ipfs/${root}?format=raw`, token: null, headers: { authorization: TOKEN } });
      const basic = `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`;
      await expect401({ path: `/ipfs/${root}?format=raw`, token: null, headers: { authorization: basic } });
      await expect401({
        path: `/ipfs/${root}?format=raw`,
        token: null,
        headers: { cookie: `token=${TOKEN}` },
      });
      const ok = await get({
        path: `/ipfs/${root}?format=raw`,
        token: null,
        headers: { authorization: `bearer ${TOKEN}` },
      });
      expect(ok.status).toBe(200);
      await readBody(ok);
    });

    it('stores nothing from an unauthenticated upload', async () => {
      const bytes = new TextEncoder().encode('unauthenticated upload attempt');
      const res = await gatewayRequest(gateway.url, tls, {
        method: 'POST',
        path: '/upload',
        token: null,
        body: bytes,
      });
      expect(res.status).toBe(401);
      await readBody(res);
      const { cid } = await computeUnixfsCid(bytes);
      const lookup = await get({ path: `/ipfs/${cid}?format=raw` });
      expect(lookup.status).toBe(404);
      await readBody(lookup);
    });

    it('refuses to start with a short token', async () => {
      await expect(startGateway({ dataDir, tls, token: 'short' })).rejects.toBeInstanceOf(GatewayConfigError);
    });
  });

  it(
    'refuses uploads over the size limit with 413 and serves nothing for them',
    { timeout: 60_000 },
    async () => {
      const limitedDir = mkdtempSync(join(tmpdir(), 'cm-gateway-limit-'));
      const limited = await startGateway({
        dataDir: limitedDir,
        tls,
        token: TOKEN,
        maxUploadBytes: 1024 * 1024,
      });
      try {
        const res = await gatewayRequest(limited.url, tls, {
          method: 'POST',
          path: '/upload',
          token: TOKEN,
          body: deterministicBytes('too-big', 2 * 1024 * 1024),
        });
        expect(res.status).toBe(413);
        expect((await readJson(res)).error).toBe('payload-too-large');
        const { cid } = await computeUnixfsCid(deterministicBytes('too-big', 2 * 1024 * 1024));
        const lookup = await gatewayRequest(limited.url, tls, {
          path: `/ipfs/${cid}?format=car`,
          token: TOKEN,
        });
        expect(lookup.status).toBe(404);
        await readBody(lookup);
      } finally {
        await limited.close();
        rmSync(limitedDir, { recursive: true, force: true });
      }
    },
  );
});
