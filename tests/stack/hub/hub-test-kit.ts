// Test support for the hub conformance tests: a running IdP + hub pair, SignalR connections with real
// tokens, typed calls validated against src/shared/hub-protocol.ts, and event waiting.
import { randomBytes, randomUUID } from 'node:crypto';
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
import { startHub, type RunningHub, type StartHubOptions } from './index';

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
>;

export async function startStack(
  hubOptions: HubOverrides = {},
  idpOptions: { accessTokenTtlSeconds?: number; withoutMfa?: string[] } = {},
): Promise<Stack> {
  const tls = testTls();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-hub-test-'));
  const idp = await startIdp({ tls, dataDir: join(dataDir, 'idp'), ...idpOptions });
  let hub: RunningHub;
  try {
    hub = await startHub({
      dataDir: join(dataDir, 'hub'),
      tls,
      issuer: idp.issuer,
      audience: idp.hubAudience,
      directory: idp.users,
      ...hubOptions,
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

export function newDeviceRequest(): HubRequests['RegisterDevice'] {
  return {
    deviceId: `dev-${randomUUID()}`,
    signingPublicKey: b64(32),
    encryptionPublicKey: b64(32),
    selfSignature: b64(64),
    createdAt: new Date().toISOString(),
  };
}

/** A connection bound to a newly registered device of the user. */
export async function deviceSession(
  stack: Stack,
  username: string,
): Promise<{ connection: HubConnection; deviceId: string; userId: string }> {
  const connection = await connect(stack.hub.url, await stack.token(username));
  const { device } = await call(connection, HubMethod.RegisterDevice, newDeviceRequest());
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

/** Replaces a device's keys in the hub's directory with an attacker's, correctly self-signed entry. */
export function swapDeviceKeys(
  db: Database.Database,
  entry: { deviceId: string; signingPublicKey: string; encryptionPublicKey: string; selfSignature: string },
): number {
  return db
    .prepare('UPDATE devices SET signing_key = ?, encryption_key = ?, self_signature = ? WHERE device_id = ?')
    .run(entry.signingPublicKey, entry.encryptionPublicKey, entry.selfSignature, entry.deviceId).changes;
}
