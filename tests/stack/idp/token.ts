// Signs a seeded user in without a browser: authorization code + PKCE through the IdP's real login form,
// following redirects and keeping cookies by hand, then the token endpoint. The redirect URI is a loopback
// URL nobody listens on: the code is read from the final Location header.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { RunningIdp } from './index';

export type IdpLoginErrorCode =
  'UNKNOWN_USER' | 'LOGIN_REJECTED' | 'AUTHORIZATION_FAILED' | 'TOKEN_REQUEST_FAILED' | 'UNEXPECTED_RESPONSE';

export class IdpLoginError extends Error {
  constructor(
    readonly code: IdpLoginErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'IdpLoginError';
  }
}

export interface IdpTokens {
  accessToken: string;
  refreshToken?: string;
  idToken: string;
}

interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const MAX_STEPS = 12;

function send(
  url: URL,
  ca: string,
  init: { method?: 'GET' | 'POST'; cookie?: string; form?: Record<string, string> } = {},
): Promise<HttpResponse> {
  const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
  const headers: Record<string, string> = { accept: 'text/html,application/json' };
  if (init.cookie) headers.cookie = init.cookie;
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', ca, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Minimal cookie jar for one host: remembers name=value, forgets cookies that are expired on arrival. */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => {
        const [key = '', value = ''] = a.trim().split('=');
        if (key.toLowerCase() === 'max-age') return Number(value) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(value) <= Date.now();
        return false;
      });
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function decodeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}

function isLoginForm(html: string): boolean {
  return /<input[^>]*name="username"/.test(html) && /<input[^>]*name="password"/.test(html);
}

export async function getAccessToken(
  idp: RunningIdp,
  username: string,
  /** Defaults to the seeded user's password; pass one to try a wrong password. */
  password?: string,
): Promise<IdpTokens> {
  const user = idp.users.find((u) => u.username === username);
  const secret = password ?? user?.password;
  if (secret === undefined) throw new IdpLoginError('UNKNOWN_USER', `no seeded user named "${username}"`);

  const discovery = await send(new URL(`${idp.issuer}/.well-known/openid-configuration`), idp.ca);
  if (discovery.status !== 200) {
    throw new IdpLoginError('UNEXPECTED_RESPONSE', `discovery answered HTTP ${discovery.status}`);
  }
  const meta = JSON.parse(discovery.body) as { authorization_endpoint: string; token_endpoint: string };

  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const redirectUri = `http://127.0.0.1:${1024 + (randomBytes(2).readUInt16BE() % 60000)}/`;
  const authorize = new URL(meta.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: idp.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: `${idp.hubScope} openid profile offline_access`,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  const jar = new CookieJar();
  let url = authorize;
  let response = await send(url, idp.ca);
  let code: string | undefined;
  let submitted = false;
  for (let step = 0; step < MAX_STEPS && code === undefined; step += 1) {
    jar.store(response.headers['set-cookie']);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) {
        const error = next.searchParams.get('error');
        if (error) {
          const description = next.searchParams.get('error_description') ?? '';
          throw new IdpLoginError('AUTHORIZATION_FAILED', `${error} ${description}`.trim());
        }
        if (next.searchParams.get('state') !== state) {
          throw new IdpLoginError('AUTHORIZATION_FAILED', 'state mismatch in the authorization response');
        }
        code = next.searchParams.get('code') ?? undefined;
        if (!code) throw new IdpLoginError('AUTHORIZATION_FAILED', 'no code in the authorization response');
        break;
      }
      url = next;
      response = await send(url, idp.ca, { cookie: jar.header() });
    } else if (isLoginForm(response.body)) {
      if (submitted) {
        throw new IdpLoginError('LOGIN_REJECTED', `the login page refused the password for "${username}"`);
      }
      const action = /<form[^>]*action="([^"]*)"/.exec(response.body)?.[1];
      if (!action) throw new IdpLoginError('UNEXPECTED_RESPONSE', 'login form has no action');
      url = new URL(decodeHtml(action), url);
      submitted = true;
      response = await send(url, idp.ca, {
        method: 'POST',
        cookie: jar.header(),
        form: { username, password: secret },
      });
    } else {
      throw new IdpLoginError(
        'UNEXPECTED_RESPONSE',
        `HTTP ${response.status} from ${url.pathname}: ${response.body.slice(0, 200)}`,
      );
    }
  }
  if (!code) throw new IdpLoginError('UNEXPECTED_RESPONSE', `no authorization code after ${MAX_STEPS} steps`);

  const tokenResponse = await send(new URL(meta.token_endpoint), idp.ca, {
    method: 'POST',
    form: {
      grant_type: 'authorization_code',
      client_id: idp.clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    },
  });
  const tokens = JSON.parse(tokenResponse.body) as Record<string, unknown>;
  if (
    tokenResponse.status !== 200 ||
    typeof tokens.access_token !== 'string' ||
    typeof tokens.id_token !== 'string'
  ) {
    throw new IdpLoginError(
      'TOKEN_REQUEST_FAILED',
      `HTTP ${tokenResponse.status}: ${String(tokens.error ?? '')} ${String(tokens.error_description ?? '')}`.trim(),
    );
  }
  const result: IdpTokens = { accessToken: tokens.access_token, idToken: tokens.id_token };
  if (typeof tokens.refresh_token === 'string') result.refreshToken = tokens.refresh_token;
  return result;
}
