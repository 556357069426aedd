// Shared by the hub-client and directory tests: a logger whose output the test can read, a bounded wait for
// something a user would see (never a timing assertion), and a hub client with a real IdP token.
import type { Writable } from 'node:stream';
import type { ConnectionState } from '../../../src/shared/contract';
import { createConnectionState } from '../../../src/main/core/connection/connection-state';
import { createEventBus } from '../../../src/main/core/events/event-bus';
import { createHubClient, type HubClient } from '../../../src/main/core/hub';
import { createLogger, type Logger } from '../../../src/main/core/log/logger';
import type { ProtocolViolation } from '../../../src/main/core/hub';
import type { Stack } from '../../stack/hub/hub-test-kit';

/** A pino logger writing JSON lines into memory. */
export function memoryLogger(): { log: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const destination = { write: (chunk: string) => void lines.push(chunk) } as unknown as Writable;
  return { log: createLogger({ level: 'debug', destination }), lines, text: () => lines.join('') };
}

/** Polls until `check` holds; fails with `what` after `timeoutMs` (a bound on waiting, not an assertion). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface TestClient {
  client: HubClient;
  /** How many times the client asked for an access token. */
  tokenRequests: () => number;
  /** Every state the connection-state store published, in order. */
  published: ConnectionState['state'][];
  violations: ProtocolViolation[];
  logs: ReturnType<typeof memoryLogger>;
}

/** A hub client for a seeded user with tokens from the real IdP; fast backoff so tests do not idle. */
export function testClient(stack: Stack, username: string): TestClient {
  let tokenRequests = 0;
  const bus = createEventBus();
  const connection = createConnectionState(bus);
  const published: ConnectionState['state'][] = [];
  bus.subscribe((name, payload) => {
    if (name === 'connection.state') published.push((payload as ConnectionState).state);
  });
  const violations: ProtocolViolation[] = [];
  const logs = memoryLogger();
  const client = createHubClient({
    url: stack.hub.url,
    getAccessToken: async () => {
      tokenRequests++;
      return stack.token(username);
    },
    log: logs.log,
    connection,
    backoff: { initialMs: 50, maxMs: 500 },
    onProtocolViolation: (v) => violations.push(v),
  });
  return { client, tokenRequests: () => tokenRequests, published, violations, logs };
}
