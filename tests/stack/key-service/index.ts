// Reference key-release service (docs/key-design.md, "How the user key reaches a new workstation", item 1):
// devices deposit each user-key epoch sealed to the service's X25519 release key; a new device of the same
// user, with a fresh (and, when required, multi-factor) access token and a proof of possession of its
// self-signed directory entry, gets every retained epoch re-sealed to its own key. Each release is answered
// with a record signed by the service's Ed25519 key and leaves a signed notice that every device of the user
// can list. Production uses an HSM-backed service; this one keeps its keys in the data dir.
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { constantTimeEqual, fromBase64, randomBytes, sodium, toBase64 } from '../../../src/main/core/crypto';
import { verifyDirectoryEntry } from '../../../src/main/core/keys/directory-entry';
import type { TestTls } from '../tls';
import { createAuthenticator, type Caller } from './auth';
import { KeyServiceError } from './errors';
import { loadOrCreateServiceKeys, type ServiceKeys } from './keys';
import {
  CHALLENGE_TTL_MS,
  ChallengeRequest,
  DepositRequest,
  MAX_BODY_BYTES,
  ReleaseRequest,
  releaseRequestBytes,
  signedRecordBytes,
  type ChallengeResponse,
  type DepositResponse,
  type KeyServiceMetadata,
  type ReleaseNoticeRecord,
  type ReleaseRecord,
  type ReleasesResponse,
  type SignedRecord,
} from './protocol';
import { KeyServiceStore } from './store';

export { KeyServiceError, type KeyServiceErrorCode } from './errors';
export * from './protocol';

export interface StartKeyServiceOptions {
  tls: TestTls;
  dataDir: string;
  /** The IdP's issuer (`iss` of its access tokens). */
  issuer: string;
  /** The audience access tokens must carry: the hub's, e.g. api://clinical-hub. */
  audience: string;
  /** Default `${issuer}/jwks` (the reference IdP's). */
  jwksUri?: string;
  /** Releases need a token whose `amr` includes 'mfa'. Default false. */
  requireMfa?: boolean;
  /** An epoch is forgotten once its successor is older than this. Default 30. */
  retentionDays?: number;
  /** A release needs a token issued at most this long ago. Default 300 (the design's 5 minutes). */
  maxTokenAgeSeconds?: number;
  port?: number;
}

export interface RunningKeyService {
  /** https origin. */
  url: string;
  /** X25519, base64: what deposits are sealed to. */
  releasePublicKey: string;
  /** Ed25519, base64: what releases and notices are signed by (the key machine policy pins). */
  signingPublicKey: string;
  close(): Promise<void>;
  /** Stops and starts again on the same port from the data dir (outstanding challenges are lost). */
  restart(): Promise<void>;
}

const SKEW_SECONDS = 30;

interface Challenge {
  userId: string;
  expiresAt: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    // No keep-alive: a client in the same process must not reuse a pooled socket of the instance a
    // restart closed (as the IdP does). It also means a refused request's unread body is never read on.
    connection: 'close',
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      throw new KeyServiceError('invalid', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new KeyServiceError('invalid', 'The request body must be JSON (content-type application/json).');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new KeyServiceError('invalid', 'The request body is not valid JSON.');
  }
}

async function readBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    throw new KeyServiceError('invalid', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  }
  const parsed = schema.safeParse(await readJson(req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new KeyServiceError('invalid', `The request body is not valid${where}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

function forbidden(message: string): KeyServiceError {
  return new KeyServiceError('forbidden', message);
}

function createHandler(
  opts: StartKeyServiceOptions,
  keys: ServiceKeys,
  store: KeyServiceStore,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const requireMfa = opts.requireMfa ?? false;
  const retentionDays = opts.retentionDays ?? 30;
  const maxTokenAgeSeconds = opts.maxTokenAgeSeconds ?? 300;
  const authenticate = createAuthenticator({
    issuer: opts.issuer,
    audience: opts.audience,
    jwksUri: opts.jwksUri ?? `${opts.issuer}/jwks`,
    ca: opts.tls.ca,
  });
  const challenges = new Map<string, Challenge>();
  const metadata: KeyServiceMetadata = {
    releasePublicKey: toBase64(keys.releasePublicKey),
    signingPublicKey: toBase64(keys.signingPublicKey),
    requireMfa,
  };

  async function sign(record: object): Promise<SignedRecord> {
    const s = await sodium();
    const text = JSON.stringify(record);
    const signature = s.crypto_sign_detached(signedRecordBytes(text), keys.signingSecretKey);
    return { record: text, signature: toBase64(signature) };
  }

  async function openDeposit(sealed: Uint8Array): Promise<Uint8Array | null> {
    const s = await sodium();
    try {
      return s.crypto_box_seal_open(sealed, keys.releasePublicKey, keys.releaseSecretKey);
    } catch {
      return null;
    }
  }

  async function deposit(caller: Caller, req: IncomingMessage): Promise<[number, DepositResponse]> {
    const { userKey, sealedSecret } = await readBody(req, DepositRequest);
    if (userKey.userId !== caller.userId) {
      throw forbidden('A user key can only be deposited by its own user.');
    }
    const s = await sodium();
    const publicKey = fromBase64(userKey.publicKey, s.crypto_box_PUBLICKEYBYTES);
    if (!publicKey) throw new KeyServiceError('invalid', 'userKey.publicKey is not a 32-byte X25519 key.');
    const sealed = fromBase64(sealedSecret, s.crypto_box_SEALBYTES + s.crypto_box_SECRETKEYBYTES);
    const secret = sealed && (await openDeposit(sealed));
    if (!secret || secret.byteLength !== s.crypto_box_SECRETKEYBYTES) {
      throw new KeyServiceError(
        'invalid',
        "sealedSecret is not a secret key sealed to this service's release key.",
      );
    }
    const matches = constantTimeEqual(s.crypto_scalarmult_base(secret), publicKey);
    secret.fill(0);
    if (!matches) {
      throw new KeyServiceError('invalid', 'The sealed secret is not the secret of userKey.publicKey.');
    }

    const outcome = store.deposit(caller.userId, userKey.epoch, {
      publicKey: userKey.publicKey,
      createdAt: userKey.createdAt,
      sealedSecret,
    });
    if (outcome === 'conflict') {
      throw new KeyServiceError('conflict', `Epoch ${userKey.epoch} is already deposited with another key.`);
    }
    store.forgetExpired(caller.userId, retentionDays);
    const created = outcome === 'created';
    return [created ? 201 : 200, { stored: true, created }];
  }

  async function challenge(caller: Caller, req: IncomingMessage): Promise<[number, ChallengeResponse]> {
    await readBody(req, ChallengeRequest);
    const now = Date.now();
    for (const [nonce, c] of challenges) if (c.expiresAt <= now) challenges.delete(nonce);
    const nonce = toBase64(randomBytes(32));
    const expiresAt = now + CHALLENGE_TTL_MS;
    challenges.set(nonce, { userId: caller.userId, expiresAt });
    return [200, { nonce, expiresAt: new Date(expiresAt).toISOString() }];
  }

  async function release(caller: Caller, req: IncomingMessage): Promise<[number, SignedRecord]> {
    const now = Date.now();
    const age = caller.issuedAt === undefined ? Infinity : now / 1000 - caller.issuedAt;
    if (!(age <= maxTokenAgeSeconds && age >= -SKEW_SECONDS)) {
      throw new KeyServiceError(
        'unauthenticated',
        `Releasing keys needs an access token issued in the last ${maxTokenAgeSeconds} seconds: sign in again.`,
      );
    }
    if (requireMfa && !caller.amr.includes('mfa')) {
      throw new KeyServiceError(
        'mfa_required',
        'Releasing your keys to a new device needs multi-factor authentication: sign in again with your second factor.',
      );
    }
    const body = await readBody(req, ReleaseRequest);
    const { userId } = caller;
    if (!(await verifyDirectoryEntry({ ...body.device, userId }))) {
      throw forbidden("The device entry is not self-signed by this device for the token's user.");
    }
    // A named (version 2) entry: the release and its notice carry the name the device signed, no other.
    if (body.device.deviceName !== undefined && body.device.deviceName !== body.deviceName) {
      throw forbidden('The device name does not match the one its directory entry is signed with.');
    }
    const issued = challenges.get(body.nonce);
    if (!issued || issued.userId !== userId || issued.expiresAt <= now) {
      throw forbidden('The nonce was not issued to this user, has expired or was already used.');
    }
    challenges.delete(body.nonce);
    const s = await sodium();
    const signingKey = fromBase64(body.device.signingPublicKey, s.crypto_sign_PUBLICKEYBYTES);
    const proof = fromBase64(body.proof, s.crypto_sign_BYTES);
    const proofBytes = releaseRequestBytes({
      userId,
      deviceId: body.device.deviceId,
      deviceName: body.deviceName,
      nonce: body.nonce,
    });
    let proven: boolean;
    try {
      proven = !!signingKey && !!proof && s.crypto_sign_verify_detached(proof, proofBytes, signingKey);
    } catch {
      proven = false; // libsodium throws on malformed input rather than answering false
    }
    if (!proven) throw forbidden('The proof is not signed by the device key over this request.');

    store.forgetExpired(userId, retentionDays, now);
    const epochs = store.epochs(userId);
    if (epochs.length === 0) throw new KeyServiceError('not_found', 'No user key of this user is deposited.');
    const deviceKey = fromBase64(body.device.encryptionPublicKey, s.crypto_box_PUBLICKEYBYTES)!;
    const releasedKeys: ReleaseRecord['keys'] = [];
    for (const e of epochs) {
      const secret = await openDeposit(fromBase64(e.sealedSecret) ?? new Uint8Array());
      if (!secret) throw new KeyServiceError('internal', `The deposit of epoch ${e.epoch} does not open.`);
      releasedKeys.push({
        epoch: e.epoch,
        publicKey: e.publicKey,
        sealedSecret: toBase64(s.crypto_box_seal(secret, deviceKey)),
      });
      secret.fill(0);
    }
    const releasedAt = new Date(now).toISOString();
    const who = { userId, deviceId: body.device.deviceId, deviceName: body.deviceName, releasedAt };
    const notice: ReleaseNoticeRecord = { kind: 'release-notice', ...who };
    store.addNotice(userId, await sign(notice));
    const record: ReleaseRecord = { kind: 'key-release', ...who, keys: releasedKeys };
    return [200, await sign(record)];
  }

  function releases(caller: Caller): Promise<[number, ReleasesResponse]> {
    return Promise.resolve([200, { notices: store.notices(caller.userId) }]);
  }

  const routes: Record<string, (caller: Caller, req: IncomingMessage) => Promise<[number, unknown]>> = {
    'POST /deposit': deposit,
    'POST /challenge': challenge,
    'POST /release': release,
    'GET /releases': releases,
  };

  return async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (req.method === 'GET' && pathname === '/.well-known/key-service') {
      sendJson(res, 200, metadata);
      return;
    }
    const route = routes[`${req.method ?? ''} ${pathname}`];
    if (!route) throw new KeyServiceError('not_found', `No endpoint ${req.method ?? ''} ${pathname}.`);
    const [status, body] = await route(await authenticate(req), req);
    sendJson(res, status, body);
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function boot(
  opts: StartKeyServiceOptions,
  port: number,
): Promise<{ server: Server; keys: ServiceKeys; port: number }> {
  await mkdir(opts.dataDir, { recursive: true });
  const keys = await loadOrCreateServiceKeys(opts.dataDir);
  const handle = createHandler(opts, keys, new KeyServiceStore(opts.dataDir));
  const server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const known = err instanceof KeyServiceError ? err : null;
      if (known === null || known.status >= 500) {
        const e = err instanceof Error ? err : new Error(String(err));
        process.stderr.write(`[key-service] ${e.name}: ${e.message}\n`);
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const error = known ?? new KeyServiceError('internal', 'Internal key service error.');
      sendJson(res, error.status, { code: error.code, message: error.message });
    });
  });
  return { server, keys, port: await listen(server, port) };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startKeyService(opts: StartKeyServiceOptions): Promise<RunningKeyService> {
  if (!opts.dataDir) throw new Error('KEY_SERVICE_CONFIG: the key service needs a dataDir.');
  let running = await boot(opts, opts.port ?? 0);
  const { port } = running;
  return {
    url: `https://127.0.0.1:${port}`,
    releasePublicKey: toBase64(running.keys.releasePublicKey),
    signingPublicKey: toBase64(running.keys.signingPublicKey),
    close: () => stop(running.server),
    async restart() {
      await stop(running.server);
      running = await boot(opts, port);
    },
  };
}
