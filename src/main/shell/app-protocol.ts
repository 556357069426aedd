import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentSecurityPolicy } from '../../shared/csp';
import { appScheme, resolveRendererAsset } from './navigation-policy';

/** Must run before the app is ready. */
export const documentScheme = 'cm-document';

export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: documentScheme, privileges: { secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/**
 * Serves documents to the viewer: only bytes that passed every check (the core hands out a URL per verified
 * open), never from the network or the cache directly.
 */
export function serveVerifiedDocuments(
  resolve: (url: string) => { file: string; mediaType: string } | null,
): void {
  protocol.handle(documentScheme, async (request) => {
    const document = resolve(request.url);
    if (!document) return new Response('Not verified', { status: 404 });
    return new Response(await readFile(document.file), {
      headers: {
        'content-type': document.mediaType,
        'content-security-policy': "default-src 'none'",
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  });
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
