// MSAL in its Azure AD mode against the reference IdP: the desktop app's sign-in code, with only the
// configuration (authority, knownAuthorities) pointing at the test IdP. The browser is Debian Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicClientApplication, type AuthenticationResult } from '@azure/msal-node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdp, type RunningIdp } from './index';
import { decodeJwt, fetchJwks, launchChromium, signInOnPage, suiteTls, verifyRs256 } from './test-helpers';

const SUCCESS_PAGE = '<!DOCTYPE html><title>Signed in</title><p>Signed in to Clinical Messenger.</p>';
const ERROR_PAGE = '<!DOCTYPE html><title>Sign-in failed</title><p>Sign-in failed.</p>';
const ACCESS_TOKEN_TTL_SECONDS = 5;

describe('MSAL (Azure AD mode) against the reference IdP', () => {
  const tls = suiteTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-idp-msal-'));
  let idp: RunningIdp;
  let browser: Browser;
  let context: BrowserContext;
  let pca: PublicClientApplication;
  let page: Page | undefined;
  let browserOpened = 0;
  let first: AuthenticationResult;

  beforeAll(async () => {
    idp = await startIdp({ tls, dataDir, accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS });
    browser = await launchChromium(tls);
    context = await browser.newContext();
    pca = new PublicClientApplication({
      auth: {
        clientId: idp.clientId,
        authority: idp.authority,
        knownAuthorities: [new URL(idp.origin).host],
      },
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await idp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'signs in interactively through the real login page and the loopback redirect',
    { timeout: 120_000 },
    async () => {
      const user = idp.users.find((u) => u.username === 'dr.asha.rao')!;
      first = await pca.acquireTokenInteractive({
        scopes: [idp.hubScope],
        successTemplate: SUCCESS_PAGE,
        errorTemplate: ERROR_PAGE,
        openBrowser: async (url) => {
          browserOpened += 1;
          expect(url.startsWith(`${idp.issuer}/`)).toBe(true);
          page = await context.newPage();
          await page.goto(url);
          await signInOnPage(page, user.username, user.password);
        },
      });
      expect(browserOpened).toBe(1);
      await page!.getByText('Signed in to Clinical Messenger.').waitFor();

      expect(first.account?.username).toBe(user.username);
      expect(first.account?.name).toBe(user.displayName);
      expect(first.idTokenClaims).toMatchObject({
        oid: user.id,
        roles: user.roles,
        department: user.department,
      });
      expect(first.scopes).toContain(idp.hubScope);

      const { header, payload } = decodeJwt(first.accessToken);
      expect(header.alg).toBe('RS256');
      expect(payload).toMatchObject({
        iss: idp.issuer,
        aud: idp.hubAudience,
        sub: user.id,
        oid: user.id,
        roles: ['clinician'],
        name: user.displayName,
        preferred_username: user.username,
        department: 'Cardiology',
        azp: idp.clientId,
      });
      expect(String(payload.scp).split(' ')).toContain('Messages.ReadWrite');
      expect(verifyRs256(first.accessToken, await fetchJwks(idp.jwksUri))).toBe(true);

      // A token whose signature was made by another key must not verify: the check is real.
      const [h, p] = first.accessToken.split('.');
      const forged = `${h}.${p}.${Buffer.from('not a signature').toString('base64url')}`;
      expect(verifyRs256(forged, await fetchJwks(idp.jwksUri))).toBe(false);
    },
  );

  it('renews an expired access token silently with the refresh token', { timeout: 60_000 }, async () => {
    expect(first, 'interactive sign-in must have succeeded first').toBeDefined();
    const oldExp = Number(decodeJwt(first.accessToken).payload.exp);
    // Wait until the first token has really expired (TTL is a few seconds).
    while (Date.now() / 1000 <= oldExp) await new Promise((r) => setTimeout(r, 250));

    const account = first.account!;
    const renewed = await pca.acquireTokenSilent({ account, scopes: [idp.hubScope] });
    expect(browserOpened).toBe(1);
    expect(renewed.fromCache).toBe(false);
    expect(renewed.accessToken).not.toBe(first.accessToken);

    const { payload } = decodeJwt(renewed.accessToken);
    expect(Number(payload.exp)).toBeGreaterThan(Date.now() / 1000);
    expect(payload).toMatchObject({ iss: idp.issuer, aud: idp.hubAudience, oid: account.localAccountId });
    expect(payload.jti).not.toBe(decodeJwt(first.accessToken).payload.jti);
    expect(verifyRs256(renewed.accessToken, await fetchJwks(idp.jwksUri))).toBe(true);

    // forceRefresh takes the refresh-token path again, with the rotated refresh token MSAL cached.
    const forced = await pca.acquireTokenSilent({ account, scopes: [idp.hubScope], forceRefresh: true });
    expect(forced.fromCache).toBe(false);
    expect(forced.accessToken).not.toBe(renewed.accessToken);
  });
});
