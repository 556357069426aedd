import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAccessToken, startIdp, type RunningIdp } from './index';
import {
  decodeJwt,
  fetchJwks,
  launchChromium,
  signInOnPage,
  startLoopbackReceiver,
  suiteTls,
  verifyRs256,
} from './test-helpers';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported: string[];
  grant_types_supported: string[];
}

function authorizeUrl(discovery: Discovery, clientId: string, redirectUri: string, scope: string) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.href, verifier, state };
}

function peerCertificate(origin: string, ca: string): Promise<PeerCertificate> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca }, () => {
      const cert = socket.getPeerCertificate(true);
      socket.end();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

describe('identity provider: discovery, keys and the login page', () => {
  const tls = suiteTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-idp-'));
  let idp: RunningIdp;
  let browser: Browser;
  let discovery: Discovery;

  beforeAll(async () => {
    idp = await startIdp({ tls, dataDir });
    browser = await launchChromium(tls);
    const res = await fetch(`${idp.authority}v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    discovery = (await res.json()) as Discovery;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves Azure AD shaped discovery over HTTPS with a certificate from the test CA', async () => {
    expect(idp.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.issuer).toBe(`${idp.origin}/${idp.tenant}/v2.0`);
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery.jwks_uri).toBe(idp.jwksUri);
    expect(discovery.authorization_endpoint.startsWith(`${idp.issuer}/`)).toBe(true);
    expect(discovery.token_endpoint.startsWith(`${idp.issuer}/`)).toBe(true);
    expect(discovery.code_challenge_methods_supported).toContain('S256');
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );

    const cert = await peerCertificate(idp.origin, tls.ca);
    expect(cert.issuer.CN).toBe('Clinical Messenger Test CA');
    expect(cert.subjectaltname).toContain('IP Address:127.0.0.1');
  });

  it('publishes only public RS256 signing keys', async () => {
    const jwks = await fetchJwks(idp.jwksUri);
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(typeof key.kid).toBe('string');
      expect(key.d).toBeUndefined();
      expect(key.p).toBeUndefined();
    }
  });

  it('refuses a wrong password with a visible error, then signs in with the right one', async () => {
    const user = idp.users[0]!;
    const receiver = await startLoopbackReceiver();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const request = authorizeUrl(
        discovery,
        idp.clientId,
        receiver.redirectUri,
        'openid profile offline_access',
      );
      await page.goto(request.url);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();

      await signInOnPage(page, user.username, 'not-the-password');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('Wrong username or password');
      expect(await page.getByLabel('Username').inputValue()).toBe(user.username);
      expect(await page.getByLabel('Password').inputValue()).toBe('');

      await signInOnPage(page, user.username, user.password);
      const response = await receiver.response;
      expect(response.get('error')).toBeNull();
      expect(response.get('state')).toBe(request.state);
      expect(response.get('iss')).toBe(idp.issuer);
      await page.getByText('Sign-in finished').waitFor();

      const tokenRes = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: idp.clientId,
          code: response.get('code') ?? '',
          redirect_uri: receiver.redirectUri,
          code_verifier: request.verifier,
        }),
      });
      expect(tokenRes.status).toBe(200);
      const tokens = (await tokenRes.json()) as { id_token: string; refresh_token?: string };
      expect(decodeJwt(tokens.id_token).payload).toMatchObject({
        sub: user.id,
        preferred_username: user.username,
      });
      expect(tokens.refresh_token).toBeTypeOf('string');
    } finally {
      await context.close();
      await receiver.close();
    }
  });

  it('accepts a localhost redirect on any port but refuses a redirect that is not loopback', async () => {
    const receiver = await startLoopbackReceiver('localhost');
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const good = authorizeUrl(discovery, idp.clientId, receiver.redirectUri, 'openid');
      expect(receiver.redirectUri).toMatch(/^http:\/\/localhost:\d+\/$/);
      await page.goto(good.url);
      await signInOnPage(page, idp.users[2]!.username, idp.users[2]!.password);
      const response = await receiver.response;
      expect(response.get('state')).toBe(good.state);
      expect(response.get('code')).toBeTruthy();

      const bad = authorizeUrl(discovery, idp.clientId, 'http://clinical.example/', 'openid');
      const res = await fetch(bad.url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('redirect_uri did not match');
    } finally {
      await context.close();
      await receiver.close();
    }
  });

  it('keeps its signing keys and refresh tokens across a restart on the same data dir', async () => {
    const user = idp.users[1]!;
    const before = await getAccessToken(idp, user.username);
    const { port } = new URL(idp.origin);
    await idp.close();
    idp = await startIdp({ tls, dataDir, port: Number(port) });

    expect(verifyRs256(before.accessToken, await fetchJwks(idp.jwksUri))).toBe(true);
    const res = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: idp.clientId,
        refresh_token: before.refreshToken ?? '',
      }),
    });
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as { access_token: string };
    expect(decodeJwt(refreshed.access_token).payload).toMatchObject({ oid: user.id, aud: idp.hubAudience });
  });
});
