// Test support for the hub conformance tests: a running IdP + hub pair, SignalR connections with real
// tokens, typed calls validated against src/shared/hub-protocol.ts, and event waiting.
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { HubConnectionBuilder, HttpTransportType, LogLevel, type HubConnection } from '@microsoft/signalr';
import {
  HubEvents,
  HubMethod,
  HubResults,
  parseHubError,
  type HubErrorCode,
  type HubEventName,
  type HubEventPayload,
  type HubMethodName,
  type HubRequests,
  type HubResult,
} from '../../../src/shared/hub-protocol';
import { getAccessToken, startIdp, type RunningIdp } from '../idp';
import { testTls } from '../test-env';
import type { TestTls } from '../tls';
import { startHub, type DirectoryEntry, type RunningHub, type StartHubOptions } from './index';

export interface Stack {
  tls: TestTls;
  idp: RunningIdp;
  hub: RunningHub;
  dataDir: string;
  /** A fresh access token for a seeded user (by username). */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

export type HubOverrides = Partial<
  Omit<StartHubOptions, 'dataDir' | 'tls' | 'issuer' | 'audience' | 'directory'>
> & {
  /** Staff in the hub's directory besides the IdP's users (who cannot sign in): a hospital-sized directory. */
  moreStaff?: readonly DirectoryEntry[];
};

export async function startStack(
  hubOptions: HubOverrides = {},
  idpOptions: { accessTokenTtlSeconds?: number; withoutMfa?: string[] } = {},
): Promise<Stack> {
  const tls = testTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-hub-test-'));
  const idp = await startIdp({ tls, dataDir: join(dataDir, 'idp'), ...idpOptions });
  let hub: RunningHub;
  const { moreStaff = [], ...hubSettings } = hubOptions;
  try {
    hub = await startHub({
      dataDir: join(dataDir, 'hub'),
      tls,
      issuer: idp.issuer,
      audience: idp.hubAudience,
      directory: [...idp.users, ...moreStaff],
      ...hubSettings,
    });
  } catch (err) {
    await idp.close();
    throw err;
  }
  return {
    tls,
    idp,
    hub,
    dataDir,
    token: async (username) => (await getAccessToken(idp, username)).accessToken,
    async close() {
      await hub.close();
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function userId(stack: Stack, username: string): string {
  const user = stack.idp.users.find((u) => u.username === username);
  if (!user) throw new Error(`no seeded user ${username}`);
  return user.id;
}

/** Opens a SignalR connection (WebSockets) with the given token. */
export async function connect(
  url: string,
  token: string | (() => string | Promise<string>),
): Promise<HubConnection> {
  const connection = new HubConnectionBuilder()
    .withUrl(url, {
      accessTokenFactory: typeof token === 'string' ? () => token : token,
      transport: HttpTransportType.WebSockets,
    })
    .configureLogging(LogLevel.None)
    .build();
  await connection.start();
  return connection;
}

/** Invokes a hub method and validates its result against the protocol schema. */
export async function call<M extends HubMethodName>(
  connection: HubConnection,
  method: M,
  args: HubRequests[M],
): Promise<HubResult<M>> {
  const raw: unknown = await connection.invoke(method, args);
  return HubResults[method].parse(raw) as HubResult<M>;
}

/** Invokes with any argument (for malformed-call tests) and returns the typed error code it was refused with. */
export async function refusal(
  connection: HubConnection,
  method: string,
  ...args: unknown[]
): Promise<HubErrorCode> {
  try {
    await connection.invoke(method, ...args);
  } catch (err) {
    const body = parseHubError(err);
    if (!body) throw new Error(`untyped hub error: ${String(err)}`, { cause: err });
    return body.code;
  }
  throw new Error(`${method} was accepted but should have been refused`);
}

/** Resolves with the next event of that name (validated against its schema) that matches. */
export function nextEvent<E extends HubEventName>(
  connection: HubConnection,
  name: E,
  match: (payload: HubEventPayload<E>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<HubEventPayload<E>> {
  return new Promise((resolve, reject) => {
    const handler = (raw: unknown) => {
      const payload = HubEvents[name].parse(raw) as HubEventPayload<E>;
      if (!match(payload)) return;
      clearTimeout(timer);
      connection.off(name, handler);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      connection.off(name, handler);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.on(name, handler);
  });
}

/** Collects every event of that name, validated, for "nothing arrived" checks. */
export function recordEvents<E extends HubEventName>(
  connection: HubConnection,
  name: E,
): HubEventPayload<E>[] {
  const seen: HubEventPayload<E>[] = [];
  connection.on(name, (raw: unknown) => seen.push(HubEvents[name].parse(raw) as HubEventPayload<E>));
  return seen;
}

export function b64(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

/** A device's registration before its proof of possession: what the hub stores. */
export type DeviceRequest = Omit<HubRequests['RegisterDevice'], 'nonce' | 'proof'>;

// The signing keys of the devices made here, by public key, so a registration can be proved for the
// connection's challenge (the hub checks the proof; the self-signature is random: clients check that).
const signingKeys = new Map<string, KeyObject>();

export function newDeviceRequest(fields: Partial<DeviceRequest> = {}): DeviceRequest {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const signingPublicKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  signingKeys.set(signingPublicKey, privateKey);
  return {
    deviceId: `dev-${randomUUID()}`,
    signingPublicKey,
    encryptionPublicKey: b64(32),
    selfSignature: b64(64),
    createdAt: new Date().toISOString(),
    ...fields,
  };
}

/** What can ask the hub for a registration challenge: a raw SignalR connection or the app's hub client. */
type Challenger =
  | HubConnection
  | { call(method: 'GetRegistrationChallenge', args: Record<string, never>): Promise<{ nonce: string }> };

/** The statement a registration proof signs (docs/hub-protocol.md, RegisterDevice). */
export function registrationStatement(userId: string, deviceId: string, nonce: string): Buffer {
  const parts = [
    Buffer.from('clinical-messenger/device-registration/v1'),
    Buffer.from(userId),
    Buffer.from(deviceId),
    Buffer.from(nonce, 'base64'),
  ];
  return Buffer.concat(
    parts.flatMap((p) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(p.length);
      return [length, p];
    }),
  );
}

/**
 * The request with its proof of possession for the connection's fresh challenge, registering as `userId` (the
 * token's user): signed with the device's own key, or — for a signing key this kit did not make — with a
 * stranger's key (a proof the hub must refuse).
 */
export async function registration(
  via: Challenger,
  userId: string,
  request: DeviceRequest,
): Promise<HubRequests['RegisterDevice']> {
  const { nonce } =
    'invoke' in via
      ? await call(via, HubMethod.GetRegistrationChallenge, {})
      : await via.call(HubMethod.GetRegistrationChallenge, {});
  return withProof(userId, request, nonce);
}

/** The request with its proof for a given challenge nonce (what the hub client's `registration` answers). */
export function withProof(
  userId: string,
  request: DeviceRequest,
  nonce: string,
): HubRequests['RegisterDevice'] {
  const key = signingKeys.get(request.signingPublicKey) ?? generateKeyPairSync('ed25519').privateKey;
  const proof = sign(null, registrationStatement(userId, request.deviceId, nonce), key).toString('base64');
  return { ...request, nonce, proof };
}

/** Registers `request` (a new device by default) on the connection as `userId`, with a valid proof. */
export async function register(
  connection: HubConnection,
  userId: string,
  request: DeviceRequest = newDeviceRequest(),
): Promise<HubResult<'RegisterDevice'>> {
  return call(connection, HubMethod.RegisterDevice, await registration(connection, userId, request));
}

/** A connection bound to a newly registered device of the user. */
export async function deviceSession(
  stack: Stack,
  username: string,
): Promise<{ connection: HubConnection; deviceId: string; userId: string }> {
  const connection = await connect(stack.hub.url, await stack.token(username));
  const { device } = await register(connection, userId(stack, username));
  return { connection, deviceId: device.deviceId, userId: device.userId };
}

/**
 * Stops the hub, edits its SQLite database the way an attacker with access to the server's files would, and
 * starts it again on the same port and data.
 */
export async function editHubDatabase(stack: Stack, edit: (db: Database.Database) => void): Promise<void> {
  await stack.hub.kill('SIGTERM');
  const db = new Database(join(stack.dataDir, 'hub', 'hub.db'));
  try {
    edit(db);
  } finally {
    db.close();
  }
  await stack.hub.restart();
}

/**
 * An envelope put straight into the hub's store, as someone holding its files would: its bytes, or the
 * payload text exactly as stored (to put in what is not base64 at all).
 */
export type InjectedEnvelope = ({ bytes: Uint8Array } | { payload: string }) & {
  envelopeId: string;
  userId: string;
  deviceId: string;
  /** Defaults to now. */
  serverTime?: string;
};

/** Appends envelopes after a conversation's last seq in the hub's store; returns the seqs they took. */
export async function appendEnvelopes(
  stack: Stack,
  conversationId: string,
  envelopes: readonly InjectedEnvelope[],
): Promise<number[]> {
  const seqs: number[] = [];
  await editHubDatabase(stack, (db) => {
    let seq = db
      .prepare('SELECT last_seq FROM conversations WHERE conversation_id = ?')
      .pluck()
      .get(conversationId) as number;
    const insert = db.prepare(
      'INSERT INTO envelopes (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, payload, server_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const now = new Date().toISOString();
    for (const e of envelopes) {
      seq += 1;
      insert.run(
        conversationId,
        seq,
        e.envelopeId,
        e.userId,
        e.deviceId,
        'bytes' in e ? Buffer.from(e.bytes).toString('base64') : e.payload,
        e.serverTime ?? now,
      );
      seqs.push(seq);
    }
    db.prepare('UPDATE conversations SET last_seq = ? WHERE conversation_id = ?').run(seq, conversationId);
  });
  return seqs;
}

/** Replaces a device's keys in the hub's directory with an attacker's, correctly self-signed entry. */
export function swapDeviceKeys(
  db: Database.Database,
  entry: {
    deviceId: string;
    signingPublicKey: string;
    encryptionPublicKey: string;
    selfSignature: string;
    deviceName?: string | null;
  },
): number {
  // The name goes with the entry: it is signed with the keys (a version 1 entry has none).
  return db
    .prepare(
      'UPDATE devices SET signing_key = ?, encryption_key = ?, self_signature = ?, device_name = ? WHERE device_id = ?',
    )
    .run(
      entry.signingPublicKey,
      entry.encryptionPublicKey,
      entry.selfSignature,
      entry.deviceName ?? null,
      entry.deviceId,
    ).changes;
}
