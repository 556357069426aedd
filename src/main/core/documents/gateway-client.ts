// HTTPS to the configured document gateway only: the bearer token goes to that origin and nowhere else, and
// redirects are refused. Bodies stream both ways.
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AppError } from '../errors';
import { outgoing } from '../network';
import { DocumentCheckFailed, DocumentRefused, isAbort, type DocumentEvidence } from './errors';

export interface GatewayAccess {
  /** The gateway's base URL (https only); every request goes to this origin. */
  gatewayUrl: string;
  /** A fresh bearer token for the gateway, asked for once per request. */
  getToken: () => Promise<string>;
}

export const CAR_MEDIA_TYPE = 'application/vnd.ipld.car';

/** The gateway origin, or AppError 'invalid_args' when the URL is not a plain https URL. */
export function gatewayOrigin(gatewayUrl: string): URL {
  let url: URL;
  try {
    url = new URL(gatewayUrl);
  } catch (err) {
    throw new AppError('invalid_args', 'The document gateway URL is not valid.', { cause: err });
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') {
    throw new AppError('invalid_args', 'The document gateway must be an https URL without credentials.');
  }
  return url;
}

function endpoint(access: GatewayAccess, path: string): URL {
  const base = gatewayOrigin(access.gatewayUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const url = new URL(`${basePath}${path.replace(/^\//, '')}`, base.origin);
  // Belt and braces: the token is only ever attached to a request for the gateway's own origin.
  if (url.origin !== base.origin)
    throw new AppError('invalid_args', 'Refusing a request outside the gateway.');
  return url;
}

async function authorization(access: GatewayAccess): Promise<string> {
  const token = await access.getToken();
  if (typeof token !== 'string' || token.length === 0 || /[\s\p{Cc}]/u.test(token)) {
    throw new AppError('invalid_args', 'The document gateway token is not usable.');
  }
  return `Bearer ${token}`;
}

/** Maps a transport error to a check: cancelled, or the gateway could not be reached. */
export function transportFailure(
  err: unknown,
  evidence: DocumentEvidence,
  signal?: AbortSignal,
): DocumentCheckFailed | DocumentRefused | AppError {
  if (err instanceof DocumentCheckFailed || err instanceof DocumentRefused || err instanceof AppError)
    return err;
  if (isAbort(err, signal)) return new DocumentCheckFailed('cancelled', evidence, { cause: err });
  const code = (err as { code?: string } | null)?.code;
  return new DocumentCheckFailed(
    'gateway-unreachable',
    { ...evidence, ...(code === undefined ? {} : { detail: code }) },
    { cause: err },
  );
}

/** A non-2xx answer (or a redirect, which is never followed) as a typed failure. */
function statusFailure(res: IncomingMessage, evidence: DocumentEvidence): DocumentCheckFailed {
  const status = res.statusCode ?? 0;
  res.resume();
  if (status >= 300 && status < 400) {
    return new DocumentCheckFailed('gateway-refused', { ...evidence, status, detail: 'redirect refused' });
  }
  if (status === 401 || status === 403) {
    return new DocumentCheckFailed('gateway-refused', { ...evidence, status, detail: 'not authorised' });
  }
  if (status === 404 || status === 410) {
    return new DocumentCheckFailed('missing-block', {
      ...evidence,
      blockCid: evidence.cid,
      status,
      detail: 'the gateway does not hold the root',
    });
  }
  return new DocumentCheckFailed(status >= 500 ? 'gateway-unreachable' : 'gateway-refused', {
    ...evidence,
    status,
  });
}

async function readSmallBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const part of res as AsyncIterable<Buffer>) {
    total += part.byteLength;
    if (total > limit) throw new Error('gateway answer too large');
    parts.push(part);
  }
  return Buffer.concat(parts);
}

const UploadAnswer = z.object({ cid: z.string().min(1).max(256), size: z.number().int().nonnegative() });

export interface UploadAnswer {
  cid: string;
  size: number;
}

/**
 * POST /upload with `body` streamed (`size` bytes exactly). Answers the gateway's `{ cid, size }`.
 */
export async function postUpload(
  access: GatewayAccess,
  body: AsyncIterable<Uint8Array>,
  size: number,
  evidence: DocumentEvidence,
  signal?: AbortSignal,
): Promise<UploadAnswer> {
  const url = endpoint(access, '/upload');
  const auth = await authorization(access);
  const req = httpsRequest(url, {
    method: 'POST',
    agent: outgoing().agent,
    headers: {
      authorization: auth,
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      accept: 'application/json',
    },
    ...(signal === undefined ? {} : { signal }),
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  response.catch(() => undefined); // observed below
  const sent = pipeline(Readable.from(body, { objectMode: false }), req);
  const [sendResult, responseResult] = await Promise.allSettled([sent, response]);
  if (responseResult.status === 'rejected') {
    // A failure of our own body (cancelled, a check while reading) explains the broken request best.
    const own =
      sendResult.status === 'rejected' &&
      (sendResult.reason instanceof AppError || isAbort(sendResult.reason, signal));
    throw transportFailure(own ? sendResult.reason : responseResult.reason, evidence, signal);
  }
  const res = responseResult.value;
  const status = res.statusCode ?? 0;
  if (status === 413) {
    res.resume();
    throw new DocumentRefused('too-large');
  }
  if (status !== 200) throw statusFailure(res, evidence);
  if (sendResult.status === 'rejected') throw transportFailure(sendResult.reason, evidence, signal);
  let answer: UploadAnswer;
  try {
    answer = UploadAnswer.parse(JSON.parse((await readSmallBody(res, 64 * 1024)).toString('utf8')));
  } catch (err) {
    if (isAbort(err, signal)) throw new DocumentCheckFailed('cancelled', evidence, { cause: err });
    throw new DocumentCheckFailed(
      'content-type',
      { ...evidence, expected: 'application/json {cid,size}', detail: 'unreadable upload answer' },
      { cause: err },
    );
  }
  return answer;
}

/**
 * GET the CAR of `cid` (CARv1, depth-first, duplicates included so each block arrives where the DAG walk
 * needs it). Answers the response stream once its status and content type are checked.
 */
export async function getCar(
  access: GatewayAccess,
  cid: string,
  evidence: DocumentEvidence,
  signal?: AbortSignal,
): Promise<{ body: IncomingMessage; length: number | undefined }> {
  const url = endpoint(access, `/ipfs/${encodeURIComponent(cid)}`);
  url.search = 'format=car&car-version=1&car-order=dfs&car-dups=y&dag-scope=all';
  const auth = await authorization(access);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsRequest(url, {
      method: 'GET',
      agent: outgoing().agent,
      headers: { authorization: auth, accept: `${CAR_MEDIA_TYPE}; version=1; order=dfs; dups=y` },
      ...(signal === undefined ? {} : { signal }),
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  }).catch((err: unknown) => {
    throw transportFailure(err, evidence, signal);
  });
  if (res.statusCode !== 200) throw statusFailure(res, evidence);
  const type = (res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== CAR_MEDIA_TYPE) {
    res.destroy();
    throw new DocumentCheckFailed('content-type', {
      ...evidence,
      expected: CAR_MEDIA_TYPE,
      found: (res.headers['content-type'] ?? '(none)').slice(0, 100),
      status: 200,
    });
  }
  const declared = Number(res.headers['content-length']);
  return { body: res, length: Number.isFinite(declared) && declared >= 0 ? declared : undefined };
}
