import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAccessToken, IdpLoginError, SEEDED_USERS, startIdp, TENANT_ID, type RunningIdp } from './index';
import { decodeJwt, fetchJwks, suiteTls, verifyRs256 } from './test-helpers';

describe('getAccessToken (code + PKCE through the real login form, no browser)', () => {
  const tls = suiteTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-idp-token-'));
  let idp: RunningIdp;

  beforeAll(async () => {
    idp = await startIdp({ tls, dataDir });
  }, 60_000);

  afterAll(async () => {
    await idp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds the documented staff: clinicians and an OPD admin', () => {
    expect(idp.users.map((u) => u.username)).toEqual(
      expect.arrayContaining(['dr.asha.rao', 'dr.samuel.okafor', 'opd.meera.nair']),
    );
    expect(idp.users.find((u) => u.username === 'opd.meera.nair')?.roles).toEqual(['opd-admin']);
    expect(new Set(idp.users.map((u) => u.id)).size).toBe(idp.users.length);
  });

  it.each(SEEDED_USERS.map((u) => [u.username, u] as const))(
    'issues hub tokens for %s carrying their identity and roles',
    async (_name, user) => {
      const tokens = await getAccessToken(idp, user.username);
      const jwks = await fetchJwks(idp.jwksUri);

      expect(verifyRs256(tokens.accessToken, jwks)).toBe(true);
      const access = decodeJwt(tokens.accessToken);
      expect(access.header.alg).toBe('RS256');
      expect(access.payload).toMatchObject({
        iss: idp.issuer,
        aud: idp.hubAudience,
        sub: user.id,
        oid: user.id,
        tid: TENANT_ID,
        roles: user.roles,
        name: user.displayName,
        preferred_username: user.username,
        department: user.department,
        scp: 'Messages.ReadWrite',
        amr: ['pwd', 'mfa'],
      });
      expect(Number(access.payload.exp)).toBeGreaterThan(Date.now() / 1000);

      expect(verifyRs256(tokens.idToken, jwks)).toBe(true);
      expect(decodeJwt(tokens.idToken).payload).toMatchObject({
        iss: idp.issuer,
        aud: idp.clientId,
        sub: user.id,
        roles: user.roles,
        preferred_username: user.username,
      });
      expect(tokens.refreshToken).toBeTypeOf('string');
    },
  );

  it('rejects an unknown user with a clear error', async () => {
    const attempt = getAccessToken(idp, 'dr.nobody');
    await expect(attempt).rejects.toBeInstanceOf(IdpLoginError);
    await expect(attempt).rejects.toMatchObject({ code: 'UNKNOWN_USER' });
    await expect(getAccessToken(idp, 'dr.nobody', 'Ward-Pass-1')).rejects.toMatchObject({
      code: 'LOGIN_REJECTED',
      message: expect.stringContaining('refused the password'),
    });
  });

  it('rejects a wrong password through the login form', async () => {
    await expect(getAccessToken(idp, 'dr.asha.rao', 'Ward-Pass-2')).rejects.toMatchObject({
      code: 'LOGIN_REJECTED',
    });
  });
});

describe('multi-factor claim of access tokens', () => {
  const tls = suiteTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-idp-mfa-'));
  let idp: RunningIdp;

  beforeAll(async () => {
    idp = await startIdp({ tls, dataDir, withoutMfa: ['dr.samuel.okafor'] });
  }, 60_000);

  afterAll(async () => {
    await idp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("says 'pwd' only for the users the IdP was told signed in without a second factor", async () => {
    const withMfa = decodeJwt((await getAccessToken(idp, 'dr.asha.rao')).accessToken).payload;
    const without = decodeJwt((await getAccessToken(idp, 'dr.samuel.okafor')).accessToken).payload;
    expect(withMfa.amr).toEqual(['pwd', 'mfa']);
    expect(without.amr).toEqual(['pwd']);
  });
});
