// oidc-provider configured like the Azure AD tenant the app signs in to: one public desktop client (code +
// PKCE, loopback redirects on any port, refresh tokens), seeded staff with roles as claims, and RS256 JWT
// access tokens for the hub's audience.
import Provider, { errors, type Configuration } from 'oidc-provider';
import { fileAdapterFactory } from './file-adapter';
import type { IdpSecrets } from './keys';
import { TENANT_ID, findUserById, type SeededUser } from './users';

export const DESKTOP_CLIENT_ID = 'c1a5e7d0-6b1f-4d8e-9f3a-5c11a1c0de5a';
export const HUB_AUDIENCE = 'api://clinical-hub';
export const HUB_SCOPE = `${HUB_AUDIENCE}/Messages.ReadWrite`;

export interface ProviderOptions {
  issuer: string;
  /** Path prefix (without uid) of the login page, outside the provider's own routes. */
  loginPath: string;
  storeDir: string;
  secrets: IdpSecrets;
  accessTokenTtlSeconds: number;
  /** Usernames whose access tokens say they signed in with a password only (`amr` ['pwd']). */
  withoutMfa: readonly string[];
}

function userClaims(user: SeededUser): Record<string, unknown> {
  return {
    oid: user.id,
    tid: TENANT_ID,
    roles: user.roles,
    name: user.displayName,
    preferred_username: user.username,
    department: user.department,
  };
}

export function createProvider(opts: ProviderOptions): Provider {
  const { loginPath, secrets } = opts;
  const accessTokenTtl = opts.accessTokenTtlSeconds;
  const configuration: Configuration = {
    adapter: fileAdapterFactory(opts.storeDir),
    jwks: { keys: secrets.signingKeys },
    cookies: { keys: secrets.cookieKeys },
    clients: [
      {
        client_id: DESKTOP_CLIENT_ID,
        client_name: 'Clinical Messenger',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Any port and path-less loopback URI matches these (native-app loopback rule, RFC 8252 7.3).
        redirect_uris: ['http://127.0.0.1', 'http://localhost', 'http://127.0.0.1/', 'http://localhost/'],
      },
    ],
    scopes: ['openid', 'profile', 'offline_access'],
    claims: {
      openid: ['sub', 'oid', 'tid', 'roles'],
      profile: ['name', 'preferred_username', 'department'],
    },
    // Azure AD puts the profile claims in the ID token even when an access token is issued too.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    responseTypes: ['code'],
    interactions: { url: (_ctx, interaction) => `${loginPath}${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // MSAL never sends `resource`: every token is for the hub, as Azure AD derives it from the scope.
        defaultResource: () => HUB_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== HUB_AUDIENCE) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          return {
            scope: HUB_SCOPE,
            audience: HUB_AUDIENCE,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // A refresh token whenever offline_access was granted (index.ts keeps it in the request, as Azure AD does).
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
      Interaction: 600,
      AuthorizationCode: 60,
    },
    findAccount: (_ctx, sub) => {
      const user = findUserById(sub);
      if (!user) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, ...userClaims(user) }) };
    },
    extraTokenClaims: (_ctx, token) => {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const user = findUserById(token.accountId);
      if (!user) return undefined;
      // Azure AD v2 access tokens carry the short scope names in `scp` and the client in `azp`.
      const scp = (token.scope ?? '')
        .split(' ')
        .filter((s) => s.startsWith(`${HUB_AUDIENCE}/`))
        .map((s) => s.slice(HUB_AUDIENCE.length + 1))
        .join(' ');
      // Azure AD's `amr`: the seeded staff all sign in with a second factor unless the IdP was told otherwise.
      const amr = opts.withoutMfa.includes(user.username) ? ['pwd'] : ['pwd', 'mfa'];
      return { ...userClaims(user), scp, azp: token.clientId, ver: '2.0', amr };
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      const text = Object.entries(out)
        .map(([k, v]) => `<p><strong>${k}</strong>: ${String(v).replace(/[&<>"']/g, '')}</p>`)
        .join('');
      ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Sign-in error</title></head><body>${text}</body></html>`;
    },
  };
  return new Provider(opts.issuer, configuration);
}
