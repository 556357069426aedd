// Helpers shared by the IdP tests: the suite's TLS material, a Chromium that trusts exactly the stack's
// server key, a loopback receiver for authorization responses, and JWT checks with node:crypto only.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium as launchWithArgs } from '../../support/chromium';
import { chromiumTrustArg, ensureTestTls, type TestTls } from '../tls';

/** The TLS dir the test runner made (global setup), whose CA every worker trusts via NODE_EXTRA_CA_CERTS. */
export function suiteTls(): TestTls {
  const caPath = process.env.NODE_EXTRA_CA_CERTS;
  const dir = process.env.CM_TEST_TLS_DIR ?? (caPath ? dirname(caPath) : undefined);
  if (!dir || !caPath) {
    throw new Error(
      'TEST_TLS_MISSING: run through vitest (its global setup sets CM_TEST_TLS_DIR and NODE_EXTRA_CA_CERTS), ' +
        'or set NODE_EXTRA_CA_CERTS=<dir>/ca.pem for a dir made by ensureTestTls',
    );
  }
  return ensureTestTls(dir);
}

/** Debian Chromium, accepting the stack's server certificate (pinned by its key) and nothing else untrusted. */
export function launchChromium(tls: TestTls): Promise<Browser> {
  return launchWithArgs([chromiumTrustArg(tls)]);
}

/** Fills the IdP's login form the way a user does: by its labels. */
export async function signInOnPage(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface LoopbackReceiver {
  redirectUri: string;
  /** Resolves with the query of the first request that carries `code` or `error`. */
  response: Promise<URLSearchParams>;
  close(): Promise<void>;
}

/** A native app's loopback redirect listener on an ephemeral port. */
export async function startLoopbackReceiver(
  host: '127.0.0.1' | 'localhost' = '127.0.0.1',
): Promise<LoopbackReceiver> {
  let deliver: (query: URLSearchParams) => void = () => undefined;
  const response = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<p>Sign-in finished. You can close this window.</p>');
    if (query.has('code') || query.has('error')) deliver(query);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://${host}:${port}/`,
    response,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export function decodeJwt(token: string): DecodedJwt {
  const [header, payload] = token.split('.');
  if (!header || !payload) throw new Error('JWT_MALFORMED: not a compact JWS');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

/** Checks an RS256 signature against the JWKS key named by `kid`; returns whether it verifies. */
export function verifyRs256(token: string, jwks: { keys: JsonWebKey[] }): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  const { alg, kid } = decodeJwt(token).header;
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (alg !== 'RS256' || !jwk) return false;
  return verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
}

export async function fetchJwks(jwksUri: string): Promise<{ keys: JsonWebKey[] }> {
  const res = await fetch(jwksUri);
  if (!res.ok) throw new Error(`JWKS_FETCH_FAILED: HTTP ${res.status}`);
  return (await res.json()) as { keys: JsonWebKey[] };
}
