// Starts the reference SignalR hub (C#, tests/stack/hub/*.cs) as a child process, building it first when
// the built dll is missing or older than its sources. See docs/hub-protocol.md for what it speaks.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestTls } from '../tls';
import { seededRoster } from './roster-seed';

const HUB_DIR = dirname(fileURLToPath(import.meta.url));
const PROJECT = join(HUB_DIR, 'ClinicalHub.csproj');
export const HUB_DLL = join(HUB_DIR, 'bin', 'Release', 'net10.0', 'ClinicalHub.dll');
const START_TIMEOUT_MS = 60_000;

/** A user of the hub's directory (public fields of the IdP's seeded users; extra fields are ignored). */
export interface DirectoryEntry {
  id: string;
  username: string;
  displayName: string;
  roles: readonly string[];
  department: string;
}

export interface StartHubOptions {
  dataDir: string;
  tls: TestTls;
  issuer: string;
  audience: string;
  directory: readonly DirectoryEntry[];
  port?: number;
  maxEnvelopeBytes?: number;
  callsPerSecond?: number;
  callBurst?: number;
  clockSkewSeconds?: number;
  /** Days without a sign-in after which binding a device revokes it (default 90). */
  deviceExpiryDays?: number;
  /** The admin token of `POST /admin/revocations` (docs/remote-wipe.md); a random one when absent. */
  adminToken?: string;
  /** Seed the roster signed with the test IT key (docs/roster.md); default true. */
  seedRoster?: boolean;
  /** The minimum client version announced in Hello (docs/updates.md); none when absent. */
  minimumClientVersion?: string;
}

export interface RunningHub {
  /** https://127.0.0.1:PORT/hub */
  url: string;
  origin: string;
  /** The admin token IT's tool presents (`npm run admin -- revoke`), and the file the hub read it from. */
  adminToken: string;
  adminTokenFile: string;
  readonly pid: number;
  /** Sends the signal (default SIGTERM); resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the hub again on the same port and data dir (after kill). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export class HubStartError extends Error {
  constructor(message: string) {
    super(`HUB_START_FAILED: ${message}`);
    this.name = 'HubStartError';
  }
}

function newestSourceMtime(): number {
  return Math.max(
    ...readdirSync(HUB_DIR)
      .filter((f) => f.endsWith('.cs') || f.endsWith('.csproj'))
      .map((f) => statSync(join(HUB_DIR, f)).mtimeMs),
  );
}

/** Builds the hub (Release) unless the dll is newer than every source; returns the dll path. */
export async function ensureHubBuilt(): Promise<string> {
  if (existsSync(HUB_DLL) && statSync(HUB_DLL).mtimeMs >= newestSourceMtime()) return HUB_DLL;
  // flock: test files in parallel workers may all want the build at once.
  const lock = join(HUB_DIR, 'obj', '.build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  try {
    await promisify(execFile)(
      'flock',
      [lock, 'dotnet', 'build', PROJECT, '-c', 'Release', '--nologo', '-v', 'q'],
      {
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
      },
    );
  } catch (err) {
    const out = err as { stdout?: string; stderr?: string; message: string };
    throw new HubStartError(`dotnet build failed: ${out.stdout ?? ''}${out.stderr ?? ''}${out.message}`);
  }
  if (!existsSync(HUB_DLL)) throw new HubStartError(`dotnet build produced no ${HUB_DLL}`);
  return HUB_DLL;
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
}

function hubArgs(
  opts: StartHubOptions,
  directoryFile: string,
  port: number,
  adminTokenFile: string,
  rosterFile: string | undefined,
): string[] {
  const args: Record<string, string | number | undefined> = {
    'data-dir': opts.dataDir,
    issuer: opts.issuer,
    audience: opts.audience,
    'ca-file': opts.tls.caCertPath,
    'cert-file': opts.tls.certPath,
    'key-file': opts.tls.keyPath,
    'directory-file': directoryFile,
    port,
    'max-envelope-bytes': opts.maxEnvelopeBytes,
    'calls-per-second': opts.callsPerSecond,
    'call-burst': opts.callBurst,
    'clock-skew-seconds': opts.clockSkewSeconds,
    'device-expiry-days': opts.deviceExpiryDays,
    'admin-token-file': adminTokenFile,
    'roster-file': rosterFile,
    'minimum-client-version': opts.minimumClientVersion,
  };
  return Object.entries(args).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, String(v)]));
}

interface Started {
  child: ChildProcess;
  origin: string;
}

function launch(dll: string, args: string[], logFile: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', [dll, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
    });
    track(child);
    const recent: string[] = [];
    const remember = (line: string) => {
      appendFileSync(logFile, line + '\n');
      recent.push(line);
      if (recent.length > 40) recent.shift();
    };
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new HubStartError(`${why}\n${recent.join('\n')}`));
    };
    const timer = setTimeout(
      () => fail(`no HUB_LISTENING line within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stderr! }).on('line', remember);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      remember(line);
      const m = /^HUB_LISTENING (https:\/\/\S+)$/.exec(line);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, origin: m[1]! });
      }
    });
    child.once('error', (err) => fail(`could not start dotnet: ${err.message}`));
    child.once('exit', (code, signal) =>
      fail(`the hub exited (code ${code}, signal ${signal}) before listening`),
    );
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startHub(opts: StartHubOptions): Promise<RunningHub> {
  const dll = await ensureHubBuilt();
  mkdirSync(opts.dataDir, { recursive: true });
  const directoryFile = join(opts.dataDir, 'directory.json');
  const directory = opts.directory.map(({ id, username, displayName, roles, department }) => ({
    id,
    username,
    displayName,
    roles,
    department,
  }));
  writeFileSync(directoryFile, JSON.stringify(directory, null, 2));
  const adminTokenFile = join(opts.dataDir, 'admin-token');
  const adminToken = opts.adminToken ?? randomBytes(32).toString('base64url');
  writeFileSync(adminTokenFile, adminToken, { mode: 0o600 });
  const logFile = join(opts.dataDir, 'hub.log');
  let rosterFile: string | undefined;
  if (opts.seedRoster !== false) {
    rosterFile = join(opts.dataDir, 'roster-seed.json');
    writeFileSync(rosterFile, JSON.stringify(await seededRoster(opts.directory), null, 2));
  }

  let current = await launch(
    dll,
    hubArgs(opts, directoryFile, opts.port ?? 0, adminTokenFile, rosterFile),
    logFile,
  );
  const origin = current.origin;
  const port = Number(new URL(origin).port);

  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const child = current.child;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited(child);
  };

  return {
    url: `${origin}/hub`,
    origin,
    adminToken,
    adminTokenFile,
    get pid() {
      return current.child.pid ?? -1;
    },
    kill,
    async restart() {
      await kill('SIGTERM');
      // The old socket can hold the port for a moment after a kill: retry a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          current = await launch(
            dll,
            hubArgs(opts, directoryFile, port, adminTokenFile, rosterFile),
            logFile,
          );
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
    },
    async close() {
      const child = current.child;
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await kill('SIGTERM');
      clearTimeout(forced);
    },
  };
}
