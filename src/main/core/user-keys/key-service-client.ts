import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { fromBase64, lengthPrefixed, sodium, toBase64, utf8 } from '../crypto';
import { ed25519Verify } from '../envelope/ed25519';
import { parseJsonBytes } from '../envelope/wire';
import { AppError } from '../errors';
import { outgoing } from '../network';
import { signDirectoryEntry, type LoadedDevice } from '../keys';
import type { UserKeyEpochSecret } from './keyring';
import type { UserKeyRecord } from './record';

/** The hospital's key-release service as machine policy pins it. */
export interface KeyServiceConfig {
  url: string;
  /** X25519: deposits are sealed to it. */
  releasePublicKey: string;
  /** Ed25519: every release and notice is signed by it. */
  signingPublicKey: string;
}

export const keyServiceDomain = 'clinical-messenger/key-service/v1';
export const releaseRequestDomain = 'clinical-messenger/key-release-request/v1';

const Signed = z.object({ record: z.string().max(4_000_000), signature: z.string() });
const ReleaseRecord = z.object({
  kind: z.literal('key-release'),
  userId: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  releasedAt: z.iso.datetime({ offset: true }),
  keys: z.array(z.object({ epoch: z.int().min(1), publicKey: z.string(), sealedSecret: z.string() })),
});
const NoticeRecord = z.object({
  kind: z.literal('release-notice'),
  userId: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  releasedAt: z.iso.datetime(),
});
export type ReleaseNotice = Omit<z.infer<typeof NoticeRecord>, 'kind'>;

const maxResponseBytes = 4 * 1024 * 1024;

async function call(
  config: KeyServiceConfig,
  method: 'GET' | 'POST',
  path: string,
  token: string,
  body?: unknown,
): Promise<unknown> {
  const url = new URL(path, config.url);
  if (url.protocol !== 'https:' || url.origin !== new URL(config.url).origin) {
    throw new AppError('not_configured', 'The key service must be an https URL.');
  }
  const payload = body === undefined ? undefined : utf8(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.byteLength } : {}),
        },
        timeout: 15_000,
        agent: outgoing().agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > maxResponseBytes) req.destroy(new Error('response too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const json = parseJsonBytes(Buffer.concat(chunks));
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300 && json !== undefined) return resolve(json);
          const code = (json as { code?: unknown } | undefined)?.code;
          if (code === 'mfa_required') {
            return reject(
              new AppError(
                'mfa_required',
                'Your earlier messages could not be unlocked on this computer: the hospital requires multi-factor sign-in for that. Lock the screen, choose "Sign in instead" and sign in with your second factor (authenticator app or card).',
              ),
            );
          }
          reject(
            new AppError(
              'key_release_refused',
              `The key service refused the request (${typeof code === 'string' ? code : `HTTP ${status}`}).`,
            ),
          );
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (cause) => {
      if (cause instanceof AppError) return reject(cause);
      reject(new AppError('key_service_unreachable', 'The key service could not be reached.', { cause }));
    });
    req.end(payload);
  });
}

/** Checks the service's signature over a record and parses it; `key_release_refused` otherwise. */
function verifySigned<T>(config: KeyServiceConfig, value: unknown, schema: z.ZodType<T>): T {
  const signed = Signed.safeParse(value);
  const signingKey = fromBase64(config.signingPublicKey, 32);
  const signature = signed.success ? fromBase64(signed.data.signature, 64) : null;
  if (
    !signed.success ||
    !signingKey ||
    !signature ||
    !ed25519Verify(signingKey, lengthPrefixed(keyServiceDomain, [signed.data.record]), signature)
  ) {
    throw new AppError('key_release_refused', "The key service's answer is not signed by the pinned key.");
  }
  const record = schema.safeParse(parseJsonBytes(utf8(signed.data.record)));
  if (!record.success) throw new AppError('key_release_refused', "The key service's answer is not readable.");
  return record.data;
}

/** Deposits one user-key epoch, its private part sealed to the service's release key. */
export async function depositUserKey(
  config: KeyServiceConfig,
  token: string,
  record: UserKeyRecord,
  secret: UserKeyEpochSecret,
): Promise<void> {
  const s = await sodium();
  const releaseKey = fromBase64(config.releasePublicKey, 32);
  const secretKey = fromBase64(secret.secretKey, 32);
  if (!releaseKey || !secretKey) throw new AppError('not_configured', 'The key service key is not usable.');
  const sealedSecret = toBase64(s.crypto_box_seal(secretKey, releaseKey));
  secretKey.fill(0);
  await call(config, 'POST', '/deposit', token, { userKey: record, sealedSecret });
}

/**
 * Asks the service to release this user's key epochs to this device: a challenge, then the device's
 * self-signed entry and a proof of possession over the nonce. The answer must be signed by the pinned key and
 * name this user and device; each epoch is opened with this device's key.
 */
export async function requestKeyRelease(
  config: KeyServiceConfig,
  token: string,
  device: LoadedDevice,
  deviceName: string,
): Promise<UserKeyEpochSecret[]> {
  const { nonce } = z
    .object({ nonce: z.string() })
    .parse(await call(config, 'POST', '/challenge', token, {}));
  const proof = device.sign(
    lengthPrefixed(releaseRequestDomain, [device.userId, device.deviceId, deviceName, nonce]),
  );
  const answer = await call(config, 'POST', '/release', token, {
    device: signDirectoryEntry(device),
    deviceName,
    nonce,
    proof: toBase64(proof),
  });
  const record = verifySigned(config, answer, ReleaseRecord);
  if (record.userId !== device.userId || record.deviceId !== device.deviceId) {
    throw new AppError('key_release_refused', 'The key service released keys for another device.');
  }
  return record.keys.map((k) => {
    const sealed = fromBase64(k.sealedSecret);
    if (!sealed) throw new AppError('key_release_refused', 'A released key is not readable.');
    let secret: Uint8Array;
    try {
      secret = device.openSealed(sealed);
    } catch {
      throw new AppError('key_release_refused', 'A released key is not sealed to this device.');
    }
    const releasedAt = new Date(record.releasedAt).toISOString();
    const out = {
      epoch: k.epoch,
      publicKey: k.publicKey,
      secretKey: toBase64(secret),
      createdAt: releasedAt,
    };
    secret.fill(0);
    return out;
  });
}

/** The signed notices of every release of this user's keys ("opened on WARD3B-PC02 at 14:02"). */
export async function listReleaseNotices(config: KeyServiceConfig, token: string): Promise<ReleaseNotice[]> {
  const { notices } = z
    .object({ notices: z.array(z.unknown()).max(10_000) })
    .parse(await call(config, 'GET', '/releases', token));
  return notices.flatMap((n) => {
    try {
      const { kind: _kind, ...notice } = verifySigned(config, n, NoticeRecord);
      return [notice];
    } catch {
      return []; // one unverifiable notice is dropped alone
    }
  });
}
