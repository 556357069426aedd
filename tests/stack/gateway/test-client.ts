// HTTPS client for the gateway tests: node:https with the test CA passed explicitly.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TestTls } from '../tls';

export interface GatewayRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Bearer token to send; `null` sends no Authorization header. */
  token: string | null;
  body?: Uint8Array | AsyncIterable<Uint8Array>;
}

export interface GatewayResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

export function gatewayRequest(baseUrl: string, tls: TestTls, req: GatewayRequest): Promise<GatewayResponse> {
  const url = new URL(req.path, baseUrl);
  const headers: Record<string, string> = { ...req.headers };
  if (req.token !== null) headers.authorization = `Bearer ${req.token}`;
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(url, { method: req.method ?? 'GET', headers, ca: tls.ca }, (res) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    outgoing.on('error', reject);
    if (req.body === undefined) {
      outgoing.end();
    } else if (req.body instanceof Uint8Array) {
      outgoing.end(req.body);
    } else {
      pipeline(Readable.from(req.body), outgoing).catch(reject);
    }
  });
}

export async function readBody(res: GatewayResponse): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of res.body as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

export async function readJson(res: GatewayResponse): Promise<Record<string, unknown>> {
  return JSON.parse((await readBody(res)).toString('utf8')) as Record<string, unknown>;
}

/** Streams `body` to POST /upload and returns the gateway's `{ cid, size }`. */
export async function uploadBytes(
  baseUrl: string,
  tls: TestTls,
  token: string,
  body: Uint8Array | AsyncIterable<Uint8Array>,
): Promise<{ cid: string; size: number }> {
  const res = await gatewayRequest(baseUrl, tls, {
    method: 'POST',
    path: '/upload',
    token,
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  const json = await readJson(res);
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(json)}`);
  return json as { cid: string; size: number };
}
