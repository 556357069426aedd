// Private IPFS gateway used as the reference document store: authenticated streamed uploads imported with the
// shared UnixFS parameters, and trustless-gateway reads (raw blocks, CARv1 in DFS order) over HTTPS.
// Real IPFS data structures (ipfs-unixfs-importer, blockstore-fs, @ipld/car); no libp2p, no routing.
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { importByteStream } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import { base36 } from 'multiformats/bases/base36';
import { identity } from 'multiformats/hashes/identity';
import { importerOptions } from '../../../src/main/core/documents/unixfs-params';
import type { TestTls } from '../tls';
import { createBearerCheck, type TrustedIssuer } from './auth';
import { GatewayBlockStore } from './block-store';
import { ClientGoneError, sendCar, type CarHold, type CarTruncation } from './car-stream';
import { walkDfs } from './dag-walk';
import { GatewayConfigError, GatewayError } from './errors';
import { CAR_MEDIA_TYPE, RAW_MEDIA_TYPE, negotiate, type ResponseFormat } from './negotiate';

export { GatewayConfigError, GatewayError } from './errors';
export type { CarTruncation } from './car-stream';

export interface StartGatewayOptions {
  dataDir: string;
  tls: TestTls;
  /** Bearer token every request must present (at least 16 characters, no whitespace). */
  token: string;
  port?: number;
  /** Also accept the hospital IdP's access tokens (what the signed-in app holds). */
  trustedIssuer?: TrustedIssuer;
  /** Enables the fault-injection hooks (corruptBlock, truncateCar, holdCar). Never on unless asked for. */
  faults?: boolean;
  /** Uploads larger than this are refused with 413. Default 2 GiB. */
  maxUploadBytes?: number;
  /** Server-side failures (not client mistakes). Default: one line on stderr. */
  onError?: (err: Error) => void;
}

export interface RunningGateway {
  url: string;
  token: string;
  /** Fault injection: makes the stored block no longer hash to `cid` (or halves it with `truncate`). */
  corruptBlock?(cid: string, opts?: { truncate?: boolean }): Promise<void>;
  /** Fault injection: CAR responses end early from now on (`true` = 'mid-block'; `false` = 'off'). */
  truncateCar?(mode: CarTruncation | boolean): void;
  /** Fault injection: CAR responses from now on stop after `afterBytes` until the returned release is called. */
  holdCar?(afterBytes: number): () => void;
  close(): Promise<void>;
}

const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const IMMUTABLE = 'public, max-age=29030400, immutable';

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: GatewayError, req: IncomingMessage): void {
  const headers: Record<string, string> = {};
  if (err.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="clinical-gateway"';
  // A refused upload leaves its body unread: close rather than read (possibly a gigabyte) to the end.
  if (!req.complete) headers.connection = 'close';
  sendJson(res, err.status, { error: err.code, message: err.message }, headers);
}

function parseCid(text: string): CID {
  try {
    return text.startsWith('k') ? CID.parse(text, base36) : CID.parse(text);
  } catch (err) {
    throw new GatewayError('invalid-cid', 'The path does not hold a valid CID.', { cause: err });
  }
}

async function* limitedBody(req: IncomingMessage, max: number, count: (n: number) => void) {
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > max) throw new GatewayError('payload-too-large', `Uploads are limited to ${max} bytes.`);
    count(total);
    yield chunk;
  }
}

export async function startGateway(opts: StartGatewayOptions): Promise<RunningGateway> {
  if (typeof opts.token !== 'string' || opts.token.length < 16 || /\s/.test(opts.token)) {
    throw new GatewayConfigError('The gateway token must be at least 16 characters with no whitespace.');
  }
  if (!opts.dataDir) throw new GatewayConfigError('The gateway needs a dataDir.');
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const onError =
    opts.onError ?? ((err: Error) => process.stderr.write(`[gateway] ${err.name}: ${err.message}\n`));

  await mkdir(opts.dataDir, { recursive: true });
  const store = new GatewayBlockStore(join(opts.dataDir, 'blocks'));
  await store.open();
  const authorized = createBearerCheck(opts.token, opts.trustedIssuer);
  let carTruncation: CarTruncation = 'off';
  let carHold: CarHold | null = null;

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > maxUploadBytes) {
      throw new GatewayError('payload-too-large', `Uploads are limited to ${maxUploadBytes} bytes.`);
    }
    let size = 0;
    let result;
    try {
      const body = limitedBody(req, maxUploadBytes, (n) => (size = n));
      result = await importByteStream(body, store, importerOptions());
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw new GatewayError('upload-failed', 'The upload could not be stored.', { cause: err });
    }
    sendJson(res, 200, { cid: result.cid.toString(), size });
  }

  function readHeaders(cid: CID, format: ResponseFormat): Record<string, string> {
    const headers: Record<string, string> = {
      'cache-control': IMMUTABLE,
      'x-content-type-options': 'nosniff',
      vary: 'Accept',
      'x-ipfs-path': `/ipfs/${cid.toString()}`,
      'x-ipfs-roots': cid.toString(),
    };
    if (format.kind === 'raw') {
      headers['content-type'] = RAW_MEDIA_TYPE;
      headers['content-disposition'] = `attachment; filename="${cid.toString()}.bin"`;
      headers.etag = `"${cid.toString()}.raw"`;
      if (!format.fromQuery) headers['content-location'] = `/ipfs/${cid.toString()}?format=raw`;
    } else {
      headers['content-type'] = `${CAR_MEDIA_TYPE}; version=1; order=dfs; dups=${format.dups}`;
      headers['content-disposition'] = `attachment; filename="${cid.toString()}.car"`;
      headers.etag = `"${cid.toString()}.car.${format.scope}.dfs.${format.dups}"`;
      if (!format.fromQuery) {
        headers['content-location'] =
          `/ipfs/${cid.toString()}?format=car&car-version=1&car-order=dfs&car-dups=${format.dups}` +
          (format.scope === 'all' ? '' : `&dag-scope=${format.scope}`);
      }
    }
    return headers;
  }

  async function read(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = /^\/ipfs\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const cidText = match?.[1];
    if (cidText === undefined) throw new GatewayError('invalid-cid', 'Expected /ipfs/{cid}.');
    const cid = parseCid(decodeURIComponent(cidText));
    const format = negotiate(url.searchParams, req.headers.accept);
    if (match?.[2] !== undefined && match[2] !== '/') {
      throw new GatewayError('bad-request', 'Content paths below a CID are not supported by this gateway.');
    }
    const inline = cid.multihash.code === identity.code;
    if (!inline && !(await store.has(cid))) {
      if (/only-if-cached/i.test(req.headers['cache-control'] ?? '')) {
        res.writeHead(412, { 'cache-control': 'no-store' }).end();
        return;
      }
      throw new GatewayError('not-found', `${cid.toString()} is not stored on this gateway.`);
    }
    const headers = readHeaders(cid, format);
    if (req.headers['if-none-match'] === headers.etag) {
      res.writeHead(304, { etag: headers.etag ?? '', 'cache-control': IMMUTABLE }).end();
      return;
    }
    if (format.kind === 'raw') {
      const bytes = inline ? cid.multihash.digest : await store.read(cid);
      res.writeHead(200, { ...headers, 'content-length': String(bytes.byteLength) });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const blocks = walkDfs(cid, (c) => store.read(c), { dups: format.dups, scope: format.scope });
    await sendCar(res, cid, blocks, carTruncation, carHold);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (!(await authorized(req))) {
      throw new GatewayError('unauthorized', 'A valid bearer token is required.');
    }
    if (url.pathname === '/upload') {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new GatewayError('method-not-allowed', 'Use POST to upload.');
      }
      await upload(req, res);
      return;
    }
    if (url.pathname.startsWith('/ipfs/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new GatewayError('method-not-allowed', 'Content is read with GET or HEAD.');
      }
      await read(req, res, url);
      return;
    }
    throw new GatewayError('not-found', 'No such endpoint.');
  }

  const server = createServer(
    { key: opts.tls.key, cert: opts.tls.cert, requestTimeout: 30 * 60_000 },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (err instanceof ClientGoneError) return;
        const known = err instanceof GatewayError ? err : null;
        if (known === null || known.status >= 500) {
          onError(err instanceof Error ? err : new Error(String(err)));
        }
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendError(res, known ?? new GatewayError('internal', 'Internal gateway error.'), req);
      });
    },
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const gateway: RunningGateway = {
    url: `https://127.0.0.1:${port}`,
    token: opts.token,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
  if (opts.faults === true) {
    gateway.corruptBlock = (cid, corruptOpts) => store.corrupt(parseCid(cid), corruptOpts);
    gateway.truncateCar = (mode) => {
      carTruncation = mode === true ? 'mid-block' : mode === false ? 'off' : mode;
    };
    gateway.holdCar = (afterBytes) => {
      let release!: () => void;
      const hold = { afterBytes, released: new Promise<void>((resolve) => (release = resolve)) };
      carHold = hold;
      return () => {
        if (carHold === hold) carHold = null;
        release();
      };
    };
  }
  return gateway;
}
