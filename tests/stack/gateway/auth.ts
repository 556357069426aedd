// Who may use the gateway. Two kinds of bearer credential, only ever read from the Authorization header:
// - the gateway's own static token (for operators and tests), compared in constant time over SHA-256
//   digests so length and prefix leak nothing;
// - an access token of the hospital's IdP (what the app holds after sign-in): an RS256 JWT whose issuer,
//   audience, expiry and signature (by a key of the IdP's JWKS) check out.
import {
  createHash,
  createPublicKey,
  timingSafeEqual,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { get } from 'node:https';

export interface TrustedIssuer {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** PEM of the CA the IdP's certificate chains to. */
  ca: string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The bearer token of a request's Authorization header (shared with the key service). */
export function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header)?.[1];
}

/** The IdP's RSA signing keys by `kid`, fetched over TLS with the IdP's CA (shared with the key service). */
export function fetchJwks(issuer: TrustedIssuer): Promise<Map<string, KeyObject>> {
  return new Promise((resolve, reject) => {
    get(issuer.jwksUri, { ca: issuer.ca }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        try {
          const { keys } = JSON.parse(body) as { keys: (JsonWebKey & { kid?: string })[] };
          resolve(
            new Map(
              keys
                .filter((k) => k.kty === 'RSA' && k.kid)
                .map((k) => [k.kid!, createPublicKey({ key: k, format: 'jwk' })]),
            ),
          );
        } catch (error) {
          reject(error as Error);
        }
      });
    }).on('error', reject);
  });
}

function jwtChecker(issuer: TrustedIssuer): (token: string) => Promise<boolean> {
  let keys: Promise<Map<string, KeyObject>> | null = null;
  return async (token) => {
    const [h, p, s] = token.split('.');
    if (!h || !p || !s) return false;
    let header: { alg?: string; kid?: string };
    let payload: { iss?: string; aud?: string | string[]; exp?: number; nbf?: number };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header;
      payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as typeof payload;
    } catch {
      return false;
    }
    if (header.alg !== 'RS256' || !header.kid) return false;
    keys ??= fetchJwks(issuer).catch((error: unknown) => {
      keys = null;
      throw error;
    });
    let key = (await keys).get(header.kid);
    if (!key) {
      keys = fetchJwks(issuer); // the IdP may have rotated its keys
      key = (await keys).get(header.kid);
    }
    if (!key || !verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')))
      return false;
    const now = Date.now() / 1000;
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return (
      payload.iss === issuer.issuer &&
      audiences.includes(issuer.audience) &&
      typeof payload.exp === 'number' &&
      payload.exp > now - 30 &&
      (payload.nbf === undefined || payload.nbf <= now + 30)
    );
  };
}

export function createBearerCheck(
  token: string,
  issuer?: TrustedIssuer,
): (req: IncomingMessage) => Promise<boolean> {
  const expected = digest(token);
  const checkJwt = issuer ? jwtChecker(issuer) : null;
  return async (req) => {
    const presented = bearer(req);
    if (presented === undefined) return false;
    if (timingSafeEqual(digest(presented), expected)) return true;
    return checkJwt !== null && presented.includes('.') && (await checkJwt(presented));
  };
}
