// The caller of every authenticated endpoint: an access token of the hospital's IdP from the Authorization
// header, checked the way the gateway checks it (tests/stack/gateway/auth.ts): RS256 by a key of the IdP's
// JWKS, issuer, audience, exp/nbf with 30 s skew. Unlike the gateway, the claims are kept: the service needs
// the user, `iat` (freshness) and `amr` (MFA).
import { verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { bearer, fetchJwks, type TrustedIssuer } from '../gateway/auth';
import { KeyServiceError } from './errors';

const SKEW_SECONDS = 30;

export type TokenIssuer = TrustedIssuer;

export interface Caller {
  /** The token's `oid` (Azure AD's stable object id), else `sub`. */
  userId: string;
  /** Seconds since the epoch; undefined when the token has none. */
  issuedAt: number | undefined;
  /** The token's `amr` claim (authentication methods), empty when absent. */
  amr: string[];
}

interface Claims {
  iss?: unknown;
  aud?: unknown;
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  oid?: unknown;
  sub?: unknown;
  amr?: unknown;
}

function refuse(message: string): KeyServiceError {
  return new KeyServiceError('unauthenticated', message);
}

/** Returns a function that authenticates a request, or throws `unauthenticated`. */
export function createAuthenticator(issuer: TokenIssuer): (req: IncomingMessage) => Promise<Caller> {
  let keys: Promise<Map<string, KeyObject>> | null = null;
  const loadKeys = (): Promise<Map<string, KeyObject>> =>
    (keys ??= fetchJwks(issuer).catch((error: unknown) => {
      keys = null;
      throw new KeyServiceError('internal', 'The IdP signing keys could not be fetched.', { cause: error });
    }));

  return async (req) => {
    const token = bearer(req);
    if (token === undefined) throw refuse('A bearer access token is required.');
    const [h, p, s] = token.split('.');
    if (!h || !p || !s) throw refuse('The access token is not a JWT.');
    let header: { alg?: unknown; kid?: unknown };
    let claims: Claims;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Claims;
    } catch {
      throw refuse('The access token is not a JWT.');
    }
    if (header.alg !== 'RS256' || typeof header.kid !== 'string' || !claims || typeof claims !== 'object') {
      throw refuse('The access token is not an RS256 JWT.');
    }
    let key = (await loadKeys()).get(header.kid);
    if (!key) {
      keys = null; // the IdP may have rotated its keys
      key = (await loadKeys()).get(header.kid);
    }
    if (!key || !verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
      throw refuse('The access token signature does not verify.');
    }
    const now = Date.now() / 1000;
    const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
    if (claims.iss !== issuer.issuer || !audiences.includes(issuer.audience)) {
      throw refuse('The access token is not for this service.');
    }
    if (typeof claims.exp !== 'number' || claims.exp <= now - SKEW_SECONDS) {
      throw refuse('The access token has expired.');
    }
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + SKEW_SECONDS)) {
      throw refuse('The access token is not valid yet.');
    }
    const userId = typeof claims.oid === 'string' && claims.oid ? claims.oid : claims.sub;
    if (typeof userId !== 'string' || !userId) throw refuse('The access token names no user.');
    return {
      userId,
      issuedAt: typeof claims.iat === 'number' ? claims.iat : undefined,
      amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [],
    };
  };
}
