// The preview's loopback server: the built renderer, and a bridge to the core that answers only the page that
// holds the one-time token. The token (in the URL fragment, never sent in a request line or a log) is traded
// once for an HttpOnly, SameSite=Strict session cookie; every bridge request must also come from this origin.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../../../src/main/core';
import { eventChannel, fail, type IpcErrorCode } from '../../../src/shared/contract';
import { dispatchChannel, pageBridgeScript, serveRenderer } from '../../support/renderer-bridge';
import { previewTransport } from './page-transport';

const cookieName = 'cm_preview_session';
const bridgeScriptPath = '/preview-bridge.js';
const bridgeScript = pageBridgeScript(previewTransport.toString());
/** Calls carry ids, texts and file paths, never file bytes: a megabyte is far above any valid call. */
const maxBodyBytes = 1024 * 1024;

export const refusedLink =
  'This preview link is not valid or was already used (each link opens one window). ' +
  'Stop `npm run dev` and start it again for a new link.';

export interface PreviewServer {
  /** The page's address with the one-time token in its fragment. */
  url: string;
  close(): Promise<void>;
}

export async function startPreviewServer(core: Core): Promise<PreviewServer> {
  let token: string | null = randomBytes(32).toString('base64url');
  let session: string | null = null;
  const route = (request: IncomingMessage, response: ServerResponse): boolean => {
    // A page from another site reaching 127.0.0.1 by a name it controls (DNS rebinding) names another host.
    const host = `127.0.0.1:${request.socket.localPort}`;
    if (request.headers.host !== host) {
      refuse(response, 421, 'This preview answers its own address only.');
      return true;
    }
    const origin = `http://${host}`;
    const path = new URL(request.url ?? '/', origin).pathname;
    if (path === bridgeScriptPath) {
      response
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
        .end(bridgeScript);
      return true;
    }
    if (!path.startsWith('/bridge/')) return false;
    if (!fromThisOrigin(request, origin)) {
      refuse(response, 403, 'Only the preview page itself may use the bridge.');
      return true;
    }
    if (request.method === 'POST' && path === '/bridge/session') {
      void readJson(request).then((body) => {
        const offered = (body as { token?: unknown } | null)?.token;
        if (token === null || typeof offered !== 'string' || !same(offered, token)) {
          refuse(response, 403, refusedLink);
          return;
        }
        token = null;
        session = randomBytes(32).toString('base64url');
        response
          .writeHead(204, {
            'set-cookie': `${cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/bridge`,
            'cache-control': 'no-store',
          })
          .end();
      });
      return true;
    }
    if (session === null || !same(cookieOf(request) ?? '', session)) {
      refuse(response, 403, refusedLink);
      return true;
    }
    if (request.method === 'POST' && path.startsWith('/bridge/call/')) {
      const channel = decodedOrEmpty(path.slice('/bridge/call/'.length));
      void readJson(request)
        .then(async (body) => {
          if (body === null || typeof body !== 'object') {
            refuse(response, 400, 'The call was not well-formed JSON.', 'invalid_args');
            return;
          }
          const result = await dispatchChannel(core, channel, (body as { args?: unknown }).args);
          response
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify(result));
        })
        .catch(() => refuse(response, 500, 'The preview could not answer this call.', 'internal'));
      return true;
    }
    if (request.method === 'GET' && path === '/bridge/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      const unsubscribe = core.events.subscribe((name, payload) => {
        response.write(`data: ${JSON.stringify({ channel: eventChannel(name), payload })}\n\n`);
      });
      response.once('close', unsubscribe);
      return true;
    }
    refuse(response, 404, 'No such bridge request.');
    return true;
  };
  const server = await serveRenderer({ route, preloadScript: bridgeScriptPath });
  return { url: `${server.url}#token=${token}`, close: server.close };
}

/**
 * A browser names the page's origin on every POST; a same-origin GET (the event stream) carries no Origin,
 * but Sec-Fetch-Site says where it came from.
 */
function fromThisOrigin(request: IncomingMessage, origin: string): boolean {
  const claimed = request.headers.origin;
  if (claimed !== undefined) return claimed === origin;
  return request.method === 'GET' && request.headers['sec-fetch-site'] === 'same-origin';
}

/** A malformed escape names no channel (the dispatcher answers unknown_call) rather than failing the server. */
function decodedOrEmpty(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

function cookieOf(request: IncomingMessage): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === cookieName && value) return value;
  }
  return null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The request body as JSON, or null when it is not JSON or is larger than any valid call. */
function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        request.destroy();
        resolve(null);
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(null);
      }
    });
    request.on('error', () => resolve(null));
  });
}

function refuse(
  response: ServerResponse,
  status: number,
  message: string,
  code: IpcErrorCode = 'forbidden_sender',
): void {
  if (response.destroyed) return;
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(fail(code, message)));
}
