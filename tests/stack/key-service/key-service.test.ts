// The reference key-release service against the real IdP: deposits, challenge + release to a new device, the
// refusals, signed release notices, retention and restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, lengthPrefixed, randomBytes, sodium, toBase64 } from '../../../src/main/core/crypto';
import { deviceEntryBytes, type DirectoryEntry } from '../../../src/main/core/keys/directory-entry';
import { getAccessToken, startIdp, type RunningIdp } from '../idp';
import { testTls } from '../test-env';
import {
  releaseRequestBytes,
  signedRecordBytes,
  startKeyService,
  type KeyServiceMetadata,
  type ReleaseNoticeRecord,
  type ReleaseRecord,
  type RunningKeyService,
  type SignedRecord,
} from './index';

const DAY_MS = 24 * 3600 * 1000;
const tls = testTls();
const root = mkdtempSync(join(tmpdir(), 'cm-key-service-'));
let idp: RunningIdp;
let svc: RunningKeyService;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function call(
  method: 'GET' | 'POST',
  path: string,
  token: string | null,
  body?: unknown,
  opts: { contentType?: string; baseUrl?: string } = {},
): Promise<Answer> {
  const payload =
    body === undefined ? undefined : typeof body === 'string' ? body : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, opts.baseUrl ?? svc.url), { method, headers, ca: tls.ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const user = (username: string) => idp.users.find((u) => u.username === username)!;
const token = async (username: string) => (await getAccessToken(idp, username)).accessToken;

interface TestDevice {
  entry: DirectoryEntry;
  userId: string;
  signingSecretKey: Uint8Array;
  boxPublicKey: Uint8Array;
  boxSecretKey: Uint8Array;
}

/** A device's keys and self-signed directory entry, made with libsodium directly (no keychain). */
async function makeDevice(userId: string, signedForUserId = userId): Promise<TestDevice> {
  const s = await sodium();
  const signing = s.crypto_sign_keypair();
  const box = s.crypto_box_keypair();
  const deviceId = `dev-${toBase64(randomBytes(6)).replace(/[+/=]/g, 'x')}`;
  const createdAt = new Date().toISOString();
  const selfSignature = s.crypto_sign_detached(
    deviceEntryBytes({
      userId: signedForUserId,
      deviceId,
      signingPublicKey: signing.publicKey,
      encryptionPublicKey: box.publicKey,
      createdAt,
    }),
    signing.privateKey,
  );
  return {
    entry: {
      deviceId,
      signingPublicKey: toBase64(signing.publicKey),
      encryptionPublicKey: toBase64(box.publicKey),
      selfSignature: toBase64(selfSignature),
      createdAt,
    },
    userId,
    signingSecretKey: signing.privateKey,
    boxPublicKey: box.publicKey,
    boxSecretKey: box.privateKey,
  };
}

interface TestUserKey {
  record: {
    userId: string;
    epoch: number;
    publicKey: string;
    createdAt: string;
    signerDeviceId: string;
    signature: string;
  };
  secretKey: Uint8Array;
}

/** A user-key epoch signed by `signer` as docs/key-design.md defines it (the service stores, not verifies, it). */
async function makeUserKey(signer: TestDevice, epoch: number, createdAt = new Date()): Promise<TestUserKey> {
  const s = await sodium();
  const key = s.crypto_box_keypair();
  const unsigned = {
    userId: signer.userId,
    epoch,
    publicKey: toBase64(key.publicKey),
    createdAt: createdAt.toISOString(),
    signerDeviceId: signer.entry.deviceId,
  };
  const bytes = lengthPrefixed('clinical-messenger/user-key/v1', [
    unsigned.userId,
    String(epoch),
    key.publicKey,
    unsigned.createdAt,
    unsigned.signerDeviceId,
  ]);
  const signature = toBase64(s.crypto_sign_detached(bytes, signer.signingSecretKey));
  return { record: { ...unsigned, signature }, secretKey: key.privateKey };
}

async function sealTo(secret: Uint8Array, publicKey: string): Promise<string> {
  return toBase64((await sodium()).crypto_box_seal(secret, fromBase64(publicKey, 32)!));
}

async function deposit(bearer: string, key: TestUserKey, service = svc): Promise<Answer> {
  const sealedSecret = await sealTo(key.secretKey, service.releasePublicKey);
  return call('POST', '/deposit', bearer, { userKey: key.record, sealedSecret }, { baseUrl: service.url });
}

async function releaseBody(device: TestDevice, nonce: string, deviceName = 'WARD3B-PC02') {
  const s = await sodium();
  const proof = s.crypto_sign_detached(
    releaseRequestBytes({ userId: device.userId, deviceId: device.entry.deviceId, deviceName, nonce }),
    device.signingSecretKey,
  );
  return { device: device.entry, deviceName, nonce, proof: toBase64(proof) };
}

async function challenge(bearer: string, service = svc): Promise<string> {
  const answer = await call('POST', '/challenge', bearer, {}, { baseUrl: service.url });
  expect(answer.status).toBe(200);
  return answer.body.nonce as string;
}

async function release(bearer: string, device: TestDevice, deviceName = 'WARD3B-PC02', service = svc) {
  const body = await releaseBody(device, await challenge(bearer, service), deviceName);
  return call('POST', '/release', bearer, body, { baseUrl: service.url });
}

/** Checks the service signature with the key the metadata publishes, and parses the record. */
async function verified<T>(signed: SignedRecord, signingPublicKey = svc.signingPublicKey): Promise<T> {
  const s = await sodium();
  const ok = s.crypto_sign_verify_detached(
    fromBase64(signed.signature, 64)!,
    signedRecordBytes(signed.record),
    fromBase64(signingPublicKey, 32)!,
  );
  expect(ok).toBe(true);
  return JSON.parse(signed.record) as T;
}

/** The released epochs, each opened with the device's X25519 secret. */
async function openRelease(answer: Answer, device: TestDevice, signingPublicKey = svc.signingPublicKey) {
  expect(answer.status).toBe(200);
  const record = await verified<ReleaseRecord>(answer.body as unknown as SignedRecord, signingPublicKey);
  const s = await sodium();
  return {
    record,
    secrets: new Map(
      record.keys.map((k) => [
        k.epoch,
        s.crypto_box_seal_open(fromBase64(k.sealedSecret)!, device.boxPublicKey, device.boxSecretKey),
      ]),
    ),
  };
}

beforeAll(async () => {
  idp = await startIdp({ tls, dataDir: join(root, 'idp'), withoutMfa: ['dr.samuel.okafor'] });
  svc = await startKeyService({
    tls,
    dataDir: join(root, 'key-service'),
    issuer: idp.issuer,
    audience: idp.hubAudience,
    requireMfa: true,
  });
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await idp?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('metadata and authentication', () => {
  it('publishes its keys and whether releases need MFA, without authentication', async () => {
    const answer = await call('GET', '/.well-known/key-service', null);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      releasePublicKey: svc.releasePublicKey,
      signingPublicKey: svc.signingPublicKey,
      requireMfa: true,
    } satisfies KeyServiceMetadata);
    expect(fromBase64(svc.releasePublicKey, 32)).not.toBeNull();
    expect(fromBase64(svc.signingPublicKey, 32)).not.toBeNull();
    expect(svc.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses everything else without a valid access token of the IdP for the hub', async () => {
    const { accessToken, idToken } = await getAccessToken(idp, 'dr.asha.rao');
    const [h, p, sig] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, oid: 'someone-else' })).toString('base64url')}.${sig}`;
    for (const bearer of [null, 'not.a.jwt', idToken, forged]) {
      const answer = await call('GET', '/releases', bearer);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('unauthenticated');
    }
    expect((await call('POST', '/challenge', null, {})).status).toBe(401);
    expect((await call('GET', '/releases', accessToken)).status).toBe(200);
  });

  it('answers unknown endpoints and bad bodies with typed JSON errors', async () => {
    const bearer = await token('dr.asha.rao');
    expect(await call('GET', '/nowhere', bearer)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    const notJson = await call('POST', '/deposit', bearer, 'userKey=1', { contentType: 'text/plain' });
    expect(notJson).toMatchObject({ status: 400, body: { code: 'invalid' } });
    const broken = await call('POST', '/deposit', bearer, '{"userKey":', { contentType: 'application/json' });
    expect(broken).toMatchObject({ status: 400, body: { code: 'invalid' } });
    const huge = await call('POST', '/deposit', bearer, { pad: 'x'.repeat(300 * 1024) });
    expect(huge).toMatchObject({ status: 400, body: { code: 'invalid' } });
    const missing = await call('POST', '/deposit', bearer, { userKey: {} });
    expect(missing).toMatchObject({ status: 400, body: { code: 'invalid' } });
    expect(missing.body.message).toEqual(expect.any(String));
  });
});

describe('deposits', () => {
  it('stores an epoch once, accepts the identical deposit again and refuses another key for it', async () => {
    const asha = await makeDevice(user('dr.asha.rao').id);
    const bearer = await token('dr.asha.rao');
    const key = await makeUserKey(asha, 1);
    expect(await deposit(bearer, key)).toMatchObject({ status: 201, body: { stored: true, created: true } });
    expect(await deposit(bearer, key)).toMatchObject({ status: 200, body: { stored: true, created: false } });
    const other = await makeUserKey(asha, 1);
    expect(await deposit(bearer, other)).toMatchObject({ status: 409, body: { code: 'conflict' } });
    expect(await deposit(bearer, await makeUserKey(asha, 2))).toMatchObject({ status: 201 });
  });

  it("refuses a deposit of another user's key", async () => {
    const samuelsDevice = await makeDevice(user('dr.samuel.okafor').id);
    const answer = await deposit(await token('dr.asha.rao'), await makeUserKey(samuelsDevice, 1));
    expect(answer).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('refuses a sealed secret that is not the secret of the public key, or not sealed to the service', async () => {
    const meera = await makeDevice(user('opd.meera.nair').id);
    const bearer = await token('opd.meera.nair');
    const key = await makeUserKey(meera, 1);
    const wrongSecret = await sealTo(randomBytes(32), svc.releasePublicKey);
    const mismatch = await call('POST', '/deposit', bearer, {
      userKey: key.record,
      sealedSecret: wrongSecret,
    });
    expect(mismatch).toMatchObject({ status: 400, body: { code: 'invalid' } });
    const elsewhere = await sealTo(key.secretKey, toBase64((await sodium()).crypto_box_keypair().publicKey));
    const notOurs = await call('POST', '/deposit', bearer, { userKey: key.record, sealedSecret: elsewhere });
    expect(notOurs).toMatchObject({ status: 400, body: { code: 'invalid' } });
  });
});

describe('release to a new device', () => {
  let deposited: TestUserKey[];

  beforeAll(async () => {
    // dr.lena.fischer: her own epochs, so the order of the other tests does not matter.
    const first = await makeDevice(user('dr.lena.fischer').id);
    const bearer = await token('dr.lena.fischer');
    deposited = [await makeUserKey(first, 1), await makeUserKey(first, 2)];
    for (const key of deposited) expect((await deposit(bearer, key)).status).toBe(201);
  });

  it('re-seals every deposited epoch to the device, signed by the service key', async () => {
    const device = await makeDevice(user('dr.lena.fischer').id);
    const answer = await release(await token('dr.lena.fischer'), device, 'WARD3B-PC02');
    const { record, secrets } = await openRelease(answer, device);
    expect(record).toMatchObject({
      kind: 'key-release',
      userId: user('dr.lena.fischer').id,
      deviceId: device.entry.deviceId,
      deviceName: 'WARD3B-PC02',
    });
    expect(Date.parse(record.releasedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(record.keys.map((k) => [k.epoch, k.publicKey])).toEqual(
      deposited.map((k) => [k.record.epoch, k.record.publicKey]),
    );
    for (const key of deposited) expect(secrets.get(key.record.epoch)).toEqual(key.secretKey);
  });

  it('refuses a proof not made by the device key, and a nonce used before', async () => {
    const lena = user('dr.lena.fischer').id;
    const bearer = await token('dr.lena.fischer');
    const device = await makeDevice(lena);
    const impostor = await makeDevice(lena);
    const nonce = await challenge(bearer);
    const badProof = {
      ...(await releaseBody(device, nonce)),
      proof: (await releaseBody(impostor, nonce)).proof,
    };
    expect(await call('POST', '/release', bearer, badProof)).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    // The nonce was spent by that attempt; a correct proof over it does not help.
    expect(await call('POST', '/release', bearer, await releaseBody(device, nonce))).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    const fresh = await challenge(bearer);
    expect((await call('POST', '/release', bearer, await releaseBody(device, fresh))).status).toBe(200);
    expect(await call('POST', '/release', bearer, await releaseBody(device, fresh))).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });

  it('refuses a nonce issued to another user, and one the service never issued', async () => {
    const device = await makeDevice(user('dr.lena.fischer').id);
    const bearer = await token('dr.lena.fischer');
    const ashasNonce = await challenge(await token('dr.asha.rao'));
    for (const nonce of [ashasNonce, toBase64(randomBytes(32))]) {
      expect(await call('POST', '/release', bearer, await releaseBody(device, nonce))).toMatchObject({
        status: 403,
        body: { code: 'forbidden' },
      });
    }
  });

  it('refuses a device entry that is not self-signed for this user', async () => {
    const lena = user('dr.lena.fischer').id;
    const bearer = await token('dr.lena.fischer');
    const signedForAsha = await makeDevice(lena, user('dr.asha.rao').id);
    expect(await release(bearer, signedForAsha)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const device = await makeDevice(lena);
    const tampered = await releaseBody(device, await challenge(bearer));
    tampered.device = { ...tampered.device, createdAt: new Date(0).toISOString() };
    expect(await call('POST', '/release', bearer, tampered)).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });

  it('refuses a token without multi-factor authentication when the service requires it', async () => {
    const device = await makeDevice(user('dr.samuel.okafor').id);
    const bearer = await token('dr.samuel.okafor');
    const answer = await release(bearer, device);
    expect(answer).toMatchObject({ status: 403, body: { code: 'mfa_required' } });
    expect(answer.body.message).toMatch(/multi-factor/);
    // Deposits do not need MFA.
    expect((await deposit(bearer, await makeUserKey(device, 1))).status).toBe(201);
  });

  it('answers not_found to a user with nothing deposited', async () => {
    const device = await makeDevice(user('opd.meera.nair').id);
    const answer = await release(await token('opd.meera.nair'), device);
    expect(answer).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it("lists the user's signed release notices, oldest first, and nobody else's", async () => {
    const lena = user('dr.lena.fischer').id;
    const bearer = await token('dr.lena.fischer');
    const before = (await call('GET', '/releases', bearer)).body.notices as SignedRecord[];
    const device = await makeDevice(lena);
    expect((await release(bearer, device, 'OPD-DESK-07')).status).toBe(200);

    const answer = await call('GET', '/releases', bearer);
    expect(answer.status).toBe(200);
    const notices = answer.body.notices as SignedRecord[];
    expect(notices).toHaveLength(before.length + 1);
    const records = await Promise.all(notices.map((n) => verified<ReleaseNoticeRecord>(n)));
    expect(records.every((r) => r.kind === 'release-notice' && r.userId === lena)).toBe(true);
    expect(records.at(-1)).toEqual({
      kind: 'release-notice',
      userId: lena,
      deviceId: device.entry.deviceId,
      deviceName: 'OPD-DESK-07',
      releasedAt: expect.any(String),
    });
    const times = records.map((r) => Date.parse(r.releasedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const meeras = await call('GET', '/releases', await token('opd.meera.nair'));
    expect(meeras).toMatchObject({ status: 200, body: { notices: [] } });
  });

  it('refuses a release with an access token older than the freshness window', async () => {
    const strict = await startKeyService({
      tls,
      dataDir: join(root, 'strict'),
      issuer: idp.issuer,
      audience: idp.hubAudience,
      maxTokenAgeSeconds: 1,
    });
    try {
      const lena = user('dr.lena.fischer').id;
      const bearer = await token('dr.lena.fischer');
      const nonce = await challenge(bearer, strict);
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      const answer = await call(
        'POST',
        '/release',
        bearer,
        await releaseBody(await makeDevice(lena), nonce),
        {
          baseUrl: strict.url,
        },
      );
      expect(answer).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
      expect(answer.body.message).toMatch(/sign in again/);
    } finally {
      await strict.close();
    }
  });
});

describe('retention', () => {
  it('forgets an epoch once its successor is older than retentionDays, never the newest two', async () => {
    const service = await startKeyService({
      tls,
      dataDir: join(root, 'retention'),
      issuer: idp.issuer,
      audience: idp.hubAudience,
      retentionDays: 30,
    });
    try {
      const asha = user('dr.asha.rao').id;
      const signer = await makeDevice(asha);
      const bearer = await token('dr.asha.rao');
      const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
      const epochsReleased = async () => {
        const device = await makeDevice(asha);
        const answer = await release(bearer, device, 'WARD1-PC01', service);
        const { record } = await openRelease(answer, device, service.signingPublicKey);
        return record.keys.map((k) => k.epoch);
      };

      // Both old, but the newest two always stay.
      expect((await deposit(bearer, await makeUserKey(signer, 1, ago(100)), service)).status).toBe(201);
      expect((await deposit(bearer, await makeUserKey(signer, 2, ago(50)), service)).status).toBe(201);
      expect(await epochsReleased()).toEqual([1, 2]);

      // Epoch 1's successor is 50 days old: 1 goes. Epoch 2's successor is 10 days old: 2 stays.
      expect((await deposit(bearer, await makeUserKey(signer, 3, ago(10)), service)).status).toBe(201);
      expect((await deposit(bearer, await makeUserKey(signer, 4), service)).status).toBe(201);
      expect(await epochsReleased()).toEqual([2, 3, 4]);
    } finally {
      await service.close();
    }
  });
});

describe('restart', () => {
  it('keeps its keys, deposits and notices across a restart and a new start on the same data dir', async () => {
    const lena = user('dr.lena.fischer').id;
    const keysBefore = [svc.releasePublicKey, svc.signingPublicKey];
    const noticesBefore = (await call('GET', '/releases', await token('dr.lena.fischer'))).body.notices;

    await svc.restart();
    const metadata = await call('GET', '/.well-known/key-service', null);
    expect([metadata.body.releasePublicKey, metadata.body.signingPublicKey]).toEqual(keysBefore);
    const bearer = await token('dr.lena.fischer');
    expect((await call('GET', '/releases', bearer)).body.notices).toEqual(noticesBefore);
    const device = await makeDevice(lena);
    const { record, secrets } = await openRelease(await release(bearer, device), device);
    expect(record.keys.map((k) => k.epoch)).toEqual([1, 2]);
    expect(secrets.size).toBe(2);

    await svc.close();
    svc = await startKeyService({
      tls,
      dataDir: join(root, 'key-service'),
      issuer: idp.issuer,
      audience: idp.hubAudience,
      requireMfa: true,
    });
    expect([svc.releasePublicKey, svc.signingPublicKey]).toEqual(keysBefore);
    const again = await makeDevice(lena);
    const reopened = await openRelease(await release(await token('dr.lena.fischer'), again), again);
    expect(reopened.record.keys.map((k) => k.epoch)).toEqual([1, 2]);
  });
});
