import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentSecurityPolicy } from '../../shared/csp';
import { appScheme, resolveRendererAsset } from './navigation-policy';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from app://renderer/ with the CSP on every response. */
export function serveRenderer(rendererRoot: string): void {
  protocol.handle(appScheme, async (request) => {
    const asset = resolveRendererAsset(rendererRoot, request.url);
    if (!asset) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(asset.file);
      return new Response(body, {
        headers: {
          'content-type': asset.contentType,
          'content-security-policy': contentSecurityPolicy,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
