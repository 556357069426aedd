// The app without Electron: the built renderer served over http with the app's CSP, and the `window.clinical`
// its page gets, answered by a real core in Node. The Chromium tests (tests/chromium/harness.ts) carry it
// over a Playwright binding; the preview (`npm run dev` without Electron) over fetch and server-sent events.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Core } from '../../src/main/core';
import { resolveRendererAsset, rendererOrigin } from '../../src/main/shell/navigation-policy';
import { createClinicalApi } from '../../src/shared/bridge';
import { bridgeChannels } from '../../src/shared/contract';
import { contentSecurityPolicy } from '../../src/shared/csp';

export const rendererRoot = resolve('out/renderer');

export interface RendererServerOptions {
  /** Sees every request first and answers those it handles (returns true); the rest are renderer files. */
  route?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** A same-origin script index.html loads before the app's own (a classic script, so it runs first). */
  preloadScript?: string;
}

export interface RendererServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the built renderer over http on 127.0.0.1 with the same asset rules and CSP header as app://. */
export async function serveRenderer(options: RendererServerOptions = {}): Promise<RendererServer> {
  if (!existsSync(join(rendererRoot, 'index.html'))) {
    throw new Error(`No built renderer at ${rendererRoot}: run "npm run build" first.`);
  }
  const server = createServer((request, response) => {
    if (options.route?.(request, response)) return;
    const asset = resolveRendererAsset(rendererRoot, `${rendererOrigin}${request.url ?? '/'}`);
    if (!asset) {
      response.writeHead(404).end();
      return;
    }
    readFile(asset.file).then(
      (body) => {
        const isIndex = asset.file === join(rendererRoot, 'index.html');
        response
          .writeHead(200, {
            'content-type': asset.contentType,
            'content-security-policy': contentSecurityPolicy,
          })
          .end(isIndex && options.preloadScript ? withPreload(body, options.preloadScript) : body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    close: () =>
      new Promise((done) => {
        // Event streams stay open until closed here.
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function withPreload(html: Buffer, src: string): string {
  const text = html.toString('utf8');
  const at = text.indexOf('<script');
  if (at < 0) throw new Error('The built index.html has no <script> to load the bridge before.');
  return `${text.slice(0, at)}<script src="${src}"></script>\n    ${text.slice(at)}`;
}

const callNameByChannel = new Map(
  Object.entries(bridgeChannels.calls).map(([name, channel]) => [channel, name]),
);

/** Answers one contract call arriving on its channel, as the shell's IPC registration does. */
export function dispatchChannel(core: Core, channel: string, args: unknown): Promise<unknown> {
  const name = callNameByChannel.get(channel);
  return name
    ? core.dispatcher.dispatch(name, args)
    : Promise.resolve({ ok: false, error: { code: 'unknown_call', message: channel } });
}

/**
 * The page script that defines `window.clinical` with the preload's own createClinicalApi. `transport` is the
 * source of a self-contained function `(deliver: (channel, payload) => void) => { invoke(channel, args) }`:
 * it carries calls to the core and hands every event it receives to `deliver`.
 */
export function pageBridgeScript(transport: string): string {
  return `
    (() => {
      // tsx (which runs the preview) wraps inner functions in __name(); the page has no such helper.
      const __name = (fn) => fn;
      const createClinicalApi = ${createClinicalApi.toString()};
      const listeners = new Map();
      const deliver = (channel, payload) => { for (const l of listeners.get(channel) ?? []) l(payload); };
      const { invoke } = (${transport})(deliver);
      const channels = ${JSON.stringify(bridgeChannels)};
      Object.defineProperty(window, 'clinical', {
        value: createClinicalApi({
          invoke,
          subscribe: (channel, listener) => {
            if (!listeners.has(channel)) listeners.set(channel, new Set());
            listeners.get(channel).add(listener);
            return () => listeners.get(channel).delete(listener);
          },
        }, channels),
      });
    })();
  `;
}
