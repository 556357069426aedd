import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentSecurityPolicy } from '../../shared/csp';
import type { DocumentResponse } from '../core/documents/protocol';
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
 * Serves documents to the viewer: only bytes that passed the signed hash at this request (the core decides,
 * see core/documents/protocol.ts: refused while locked or signed out, never from the network or the cache).
 */
export function serveVerifiedDocuments(respond: (url: string) => Promise<DocumentResponse>): void {
  protocol.handle(documentScheme, async (request) => {
    const answer = await respond(request.url);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
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
