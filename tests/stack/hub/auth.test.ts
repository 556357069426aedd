// The hub admits only connections with a valid access token from the IdP: checked at negotiate (HTTP 401
// with a typed body) and through the SignalR client as the app uses it.
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HubErrorBody,
  HubMethod,
  HUB_PROTOCOL_VERSION,
  parseHubError,
} from '../../../src/shared/hub-protocol';
import { getAccessToken } from '../idp';
import { call, connect, startStack, userId, type Stack } from './hub-test-kit';

const TOKEN_TTL_SECONDS = 4;

async function negotiate(stack: Stack, init: { token?: string; query?: string }): Promise<Response> {
  const url = `${stack.hub.url}/negotiate?negotiateVersion=1${init.query ?? ''}`;
  return fetch(url, {
    method: 'POST',
    headers: init.token ? { authorization: `Bearer ${init.token}` } : {},
  });
}

async function expectRefused(stack: Stack, token: string | undefined, reason: RegExp): Promise<void> {
  const res = await negotiate(stack, { token });
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  const body = HubErrorBody.parse(await res.json());
  expect(body.code).toBe('unauthenticated');
  expect(body.message).toMatch(reason);
}

/** What the app sees: the SignalR client fails to start with the hub's typed 401 body in its message. */
async function expectClientRefused(start: Promise<unknown>, reason: RegExp): Promise<void> {
  const err: unknown = await start.then(
    () => new Error('the connection was accepted'),
    (e: unknown) => e,
  );
  expect(String(err)).toContain("Status code '401'");
  expect(parseHubError(err)).toMatchObject({
    code: 'unauthenticated',
    message: expect.stringMatching(reason),
  });
}

function tamperSignature(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const sig = Buffer.from(signature, 'base64url');
  sig[0] = sig[0]! ^ 0xff;
  return `${header}.${payload}.${sig.toString('base64url')}`;
}

describe('hub authentication', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Short-lived tokens and no clock skew, so expiry can be shown within the test.
    stack = await startStack({ clockSkewSeconds: 0 }, { accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  }, 180_000);
  afterAll(async () => stack?.close());

  it('refuses a connection without a token', async () => {
    await expectRefused(stack, undefined, /token is required/);
    const client = new HubConnectionBuilder()
      .withUrl(stack.hub.url, { transport: HttpTransportType.WebSockets })
      .configureLogging(LogLevel.None)
      .build();
    await expectClientRefused(client.start(), /token is required/);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const token = await stack.token('dr.asha.rao');
    await expectRefused(stack, tamperSignature(token), /signature is invalid/);
    await expectClientRefused(connect(stack.hub.url, tamperSignature(token)), /signature is invalid/);
  });

  it('refuses a validly signed token for another audience (the ID token)', async () => {
    const { idToken } = await getAccessToken(stack.idp, 'dr.asha.rao');
    await expectRefused(stack, idToken, /audience/);
    await expectClientRefused(connect(stack.hub.url, idToken), /audience/);
  });

  it('refuses an expired token', async () => {
    const token = await stack.token('dr.samuel.okafor');
    await new Promise((r) => setTimeout(r, (TOKEN_TTL_SECONDS + 1.5) * 1000));
    await expectRefused(stack, token, /expired/);
  });

  it('refuses garbage', async () => {
    await expectRefused(stack, 'not-a-jwt', /invalid/);
  });

  it('accepts the token in the access_token query parameter on the hub path', async () => {
    const token = await stack.token('dr.asha.rao');
    const res = await negotiate(stack, { query: `&access_token=${encodeURIComponent(token)}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('connectionId');
  });

  it('admits a valid token and knows the user by its oid, roles and directory entry', async () => {
    const connection = await connect(stack.hub.url, await stack.token('opd.meera.nair'));
    try {
      const hello = await call(connection, HubMethod.Hello, {});
      expect(hello.protocolVersion).toBe(HUB_PROTOCOL_VERSION);
      expect(hello.userId).toBe(userId(stack, 'opd.meera.nair'));
      expect(hello.roles).toEqual(['opd-admin']);
      expect(hello.user).toMatchObject({ username: 'opd.meera.nair', department: 'Outpatients' });
      expect(hello.deviceId).toBeNull();
      expect(hello.limits.maxEnvelopeBytes).toBe(256 * 1024);
    } finally {
      await connection.stop();
    }
  });
});
