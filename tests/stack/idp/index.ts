// Reference identity provider standing in for Azure AD: oidc-provider over HTTPS on 127.0.0.1, mounted
// at `/<tenant>/v2.0` so that MSAL in its Azure AD mode (authority `https://127.0.0.1:PORT/<tenant>/`,
// knownAuthorities ['127.0.0.1:PORT']) finds it at `<authority>v2.0/.well-known/openid-configuration`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type Provider from 'oidc-provider';
import type { TestTls } from '../tls';
import { loadOrCreateSecrets } from './keys';
import { handleInteraction } from './login-page';
import { DESKTOP_CLIENT_ID, HUB_AUDIENCE, HUB_SCOPE, createProvider } from './provider';
import { SEEDED_USERS, type SeededUser } from './users';

export type { SeededUser, StaffRole } from './users';
export { SEEDED_USERS, TENANT_ID } from './users';
export { DESKTOP_CLIENT_ID, HUB_AUDIENCE, HUB_SCOPE } from './provider';
export { getAccessToken, IdpLoginError, type IdpLoginErrorCode, type IdpTokens } from './token';

export interface RunningIdp {
  origin: string;
  tenant: string;
  authority: string;
  issuer: string;
  jwksUri: string;
  clientId: string;
  hubScope: string;
  hubAudience: string;
  users: SeededUser[];
  /** PEM of the CA that signed the IdP's certificate (for clients that pass it explicitly). */
  ca: string;
  close(): Promise<void>;
}

export interface StartIdpOptions {
  tls: TestTls;
  dataDir: string;
  port?: number;
  /** Lifetime of access tokens (default 3600 s); a few seconds for silent-refresh tests. */
  accessTokenTtlSeconds?: number;
  /**
   * Usernames whose access tokens carry `amr: ['pwd']` (password only). Every other seeded user's tokens
   * carry `amr: ['pwd', 'mfa']`, as if they had completed multi-factor sign-in. Default: none.
   */
  withoutMfa?: string[];
}

export const IDP_TENANT = 'clinical-test';

/**
 * oidc-provider drops `offline_access` from an authorization request without prompt=consent, so no refresh
 * token would follow; Azure AD honours it on every sign-in. Consent is granted without asking here, so
 * adding prompt=consent changes nothing the user sees and keeps offline_access (and the refresh token).
 */
function keepOfflineAccess(path: string): string {
  const url = new URL(path, 'https://idp.invalid');
  if (url.pathname !== '/auth') return path;
  const scopes = url.searchParams.get('scope')?.split(' ') ?? [];
  const prompts = url.searchParams.get('prompt')?.split(' ').filter(Boolean) ?? [];
  if (!scopes.includes('offline_access') || prompts.includes('none') || prompts.includes('consent'))
    return path;
  url.searchParams.set('prompt', [...prompts, 'consent'].join(' '));
  return `${url.pathname}${url.search}`;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function requestHandler(provider: Provider, mountPath: string, loginPath: string) {
  const providerCallback = provider.callback();
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    // No keep-alive: clients in the same process must not reuse a pooled socket of a previous IdP
    // instance after a restart on the same port (they would fail with "other side closed").
    res.setHeader('connection', 'close');
    if (url.startsWith(loginPath)) {
      handleInteraction(provider, req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`IdP error: ${err instanceof Error ? err.message : String(err)}`);
      });
    } else if (url === mountPath || url.startsWith(`${mountPath}/`) || url.startsWith(`${mountPath}?`)) {
      // oidc-provider derives its mount path from originalUrl minus url.
      const inner = keepOfflineAccess(url.slice(mountPath.length) || '/');
      Object.assign(req, { originalUrl: `${mountPath}${inner}`, url: inner });
      void providerCallback(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    }
  };
}

export async function startIdp(opts: StartIdpOptions): Promise<RunningIdp> {
  const tenantPath = `/${IDP_TENANT}`;
  const mountPath = `${tenantPath}/v2.0`;
  const loginPath = `${tenantPath}/login/`;

  // The issuer contains the port, so the server listens first and gets its handler once the provider exists.
  const server = createServer({ cert: opts.tls.cert, key: opts.tls.key });
  const port = await listen(server, opts.port ?? 0);
  const origin = `https://127.0.0.1:${port}`;
  const issuer = `${origin}${mountPath}`;
  const provider = createProvider({
    issuer,
    loginPath,
    storeDir: join(opts.dataDir, 'store'),
    secrets: loadOrCreateSecrets(opts.dataDir),
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
    withoutMfa: opts.withoutMfa ?? [],
  });
  server.on('request', requestHandler(provider, mountPath, loginPath));

  return {
    origin,
    tenant: IDP_TENANT,
    authority: `${origin}${tenantPath}/`,
    issuer,
    jwksUri: `${issuer}/jwks`,
    clientId: DESKTOP_CLIENT_ID,
    hubScope: HUB_SCOPE,
    hubAudience: HUB_AUDIENCE,
    users: SEEDED_USERS.map((u) => ({ ...u, roles: [...u.roles] })),
    ca: opts.tls.ca,
    // Idempotent: a test may take the IdP down on purpose before the suite's teardown closes it.
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
