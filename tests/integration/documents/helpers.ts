// Shared set-up for the document tests: a real gateway with the suite's TLS, folders, and small readers.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import { DocumentCheckFailed, DocumentRefused, type DocumentCache } from '../../../src/main/core/documents';
import { startGateway, type RunningGateway } from '../../stack/gateway';
import { gatewayRequest, readBody } from '../../stack/gateway/test-client';
import { testTls } from '../../stack/test-env';

export const TOKEN = 'documents-test-token-0123456789';

export function tempDir(prefix: string, dirs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeAll(dirs: string[]): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

export async function startTestGateway(dataDir: string, faults = false): Promise<RunningGateway> {
  return startGateway({ dataDir, tls: testTls(), token: TOKEN, faults });
}

export function access(gateway: { url: string }, token = TOKEN) {
  return { gatewayUrl: gateway.url, getToken: async () => token };
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk);
  return hash.digest('hex');
}

/** A document cache in `dir`, its file names keyed with a fresh secret (as a profile's would be). */
export function testCache(dir: string): DocumentCache {
  return { dir, nameKey: new Uint8Array(randomBytes(32)) };
}

/** Files in a cache sub-folder ([] when it does not exist). */
export function filesIn(cache: DocumentCache, sub: 'cars' | 'tmp' | 'opened'): string[] {
  const dir = join(cache.dir, sub);
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The leaf CIDs of a stored multi-block document, read from its root node on the gateway. */
export async function leavesOf(gateway: RunningGateway, cid: string): Promise<CID[]> {
  const res = await gatewayRequest(gateway.url, testTls(), { path: `/ipfs/${cid}?format=raw`, token: TOKEN });
  if (res.status !== 200) throw new Error(`raw root: ${res.status}`);
  const root = CID.parse(cid);
  if (root.code !== dagPb.code) return [root];
  return dagPb.decode(await readBody(res)).Links.map((link) => link.Hash);
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

export async function checkFailure(promise: Promise<unknown>): Promise<DocumentCheckFailed> {
  const err = await rejection(promise);
  if (!(err instanceof DocumentCheckFailed)) throw err;
  return err;
}

export async function refusal(promise: Promise<unknown>): Promise<DocumentRefused> {
  const err = await rejection(promise);
  if (!(err instanceof DocumentRefused)) throw err;
  return err;
}
