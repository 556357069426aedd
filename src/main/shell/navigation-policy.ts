// Pure decisions the Electron shell applies; kept free of electron imports so they are unit-tested in Node.
import { extname, resolve, sep } from 'node:path';

export const appScheme = 'app';
const rendererHost = 'renderer';
export const rendererOrigin = `${appScheme}://${rendererHost}`;

// URL.origin is "null" for custom schemes in Node, so compare scheme and host instead.
const isRendererUrl = (url: URL): boolean => url.protocol === `${appScheme}:` && url.host === rendererHost;

/** Only the app's own top-level page may call into main. */
export function isTrustedRendererUrl(url: string | undefined, devServerUrl: string | undefined): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (isRendererUrl(parsed)) return true;
  return devServerUrl !== undefined && parsed.origin === new URL(devServerUrl).origin;
}

/** External links open in the system browser only for https origins the machine policy allowlists. */
export function isAllowedExternalUrl(url: string, allowlist: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && allowlist.some((origin) => new URL(origin).origin === parsed.origin);
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** Maps an app:// URL to a file under the renderer folder; anything escaping it, or another host, is refused. */
export function resolveRendererAsset(
  root: string,
  url: string,
): { file: string; contentType: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!isRendererUrl(parsed)) return null;
  const relative = decodeURIComponent(parsed.pathname === '/' ? '/index.html' : parsed.pathname);
  const base = resolve(root);
  const file = resolve(base, `.${relative}`);
  if (!file.startsWith(base + sep)) return null;
  const contentType = contentTypes[extname(file)];
  return contentType ? { file, contentType } : null;
}
