// The signed-in app reaches the gateway with its IdP access token; anything else is turned away.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getAccessToken, startIdp, type RunningIdp } from '../idp';
import { testTls } from '../test-env';
import { startGateway, type RunningGateway } from './index';
import { gatewayRequest } from './test-client';

const tls = testTls();
let idp: RunningIdp;
let gateway: RunningGateway;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-gateway-idp-'));
  idp = await startIdp({ tls, dataDir: join(dir, 'idp') });
  gateway = await startGateway({
    tls,
    dataDir: join(dir, 'gateway'),
    token: 'static-operator-token-0123456789',
    trustedIssuer: { issuer: idp.issuer, audience: idp.hubAudience, jwksUri: idp.jwksUri, ca: tls.ca },
  });
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await idp?.close();
});

const status = async (token: string | null) =>
  (await gatewayRequest(gateway.url, tls, { path: '/ipfs/bafkqaaa?format=raw', token })).status;

it('accepts an access token the hospital IdP issued for its APIs', async () => {
  const { accessToken } = await getAccessToken(idp, 'dr.asha.rao');
  expect(await status(accessToken)).toBe(200);
});

it('refuses an ID token (wrong audience), a tampered token and a token from nowhere', async () => {
  const { accessToken, idToken } = await getAccessToken(idp, 'opd.meera.nair');
  expect(await status(idToken)).toBe(401);
  const [h, p] = accessToken.split('.');
  const forgedPayload = Buffer.from(
    JSON.stringify({
      ...JSON.parse(Buffer.from(p!, 'base64url').toString()),
      aud: 'api://clinical-hub',
      oid: 'someone-else',
    }),
  ).toString('base64url');
  expect(await status(`${h}.${forgedPayload}.${accessToken.split('.')[2]}`)).toBe(401);
  expect(await status('not.a.jwt')).toBe(401);
  expect(await status(null)).toBe(401);
});
