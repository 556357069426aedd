/**
 * Child process of scale.bench.ts (run with --expose-gc), so that its memory is one process's own. argv: the mode;
 * the profile comes as JSON in BENCH_SCALE_PROFILE. Prints one line: `RESULT <json>` (the core logs JSON too).
 * - raw: open the encrypted file with the key and SELECT the kept counts (the floor for a list), then read the
 *   whole file (the disk's speed); the process's memory after that.
 * - phases: the steps of the product's cold open, one by one with the product's own functions: keychain (store
 *   key, device keys), open (read-only connection, key, first read), integrity (quick_check), migrations
 *   (read-write connection, its PRAGMAs, runMigrations on an up-to-date schema), list (listConversations).
 * - product: a core as the app starts it after a restart (same data folder, policy and keychain) opens the
 *   profile through the contract: `session.signIn` (behind the lock screen), `session.unlockWithPin`,
 *   `conversations.list`; then idle, memory after GC; then lock and PIN unlock of the open session + list.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { createOsKeychain } from '../../src/main/core/keychain';
import { profileStoreKey } from '../../src/main/core/store';
import type { ProfileStore } from '../../src/main/core/store';
import type { CallName, Result, SessionState } from '../../src/shared/contract';

// Only what the raw mode needs is imported up front; the core's modules are loaded by the modes that use them.
export interface ScaleProfile {
  appDataDir: string;
  policyFile: string;
  keychainService: string;
  profileId: string;
  file: string;
  pin: string;
}
export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}
export interface RawResult {
  openCountsMs: number;
  rows: number;
  readMs: number;
  readBytes: number;
  memory: Memory;
}
export interface PhasesResult {
  keychainMs: number;
  openMs: number;
  integrityMs: number;
  migrationsMs: number;
  listMs: number;
  conversations: number;
}
export interface ProductResult {
  signInMs: number;
  pinUnlockMs: number;
  listMs: number;
  conversations: number;
  relockPinUnlockMs: number;
  relockListMs: number;
  memory: Memory;
  dbBytes: number;
  walBytes: number;
}

const mode = process.argv[2];
const profile = JSON.parse(process.env.BENCH_SCALE_PROFILE ?? '{}') as ScaleProfile;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

/** The process's memory after two collections and `idleMs` of doing nothing (timers of the core may run). */
async function idleMemory(idleMs: number): Promise<Memory> {
  gc!();
  await new Promise((r) => setTimeout(r, idleMs));
  gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

async function raw(): Promise<RawResult> {
  const key = await profileStoreKey(createOsKeychain(profile.keychainService), profile.profileId);
  const start = now();
  const db = new Database(profile.file, { readonly: true, fileMustExist: true });
  db.pragma(`cipher = 'chacha20'`);
  db.pragma(`key = "x'${Buffer.from(key).toString('hex')}'"`);
  const rows = db.prepare('SELECT conversation_id, unread, urgent FROM conversation_counts').all().length;
  const openCountsMs = now() - start;
  const memory = await idleMemory(1_000);
  db.close();
  const readStart = now();
  const readBytes = readFileSync(profile.file).byteLength;
  return { openCountsMs, rows, readMs: now() - readStart, readBytes, memory };
}

async function phases(): Promise<PhasesResult> {
  const { loadDevice } = await import('../../src/main/core/keys');
  const { createMessageStore } = await import('../../src/main/core/messages');
  const { profileMigrations, runMigrations, schemaVersion } = await import('../../src/main/core/store');
  const { keyed } = await import('../../src/main/core/store/cipher');
  const keychain = createOsKeychain(profile.keychainService);
  let t = now();
  const key = await profileStoreKey(keychain, profile.profileId);
  const device = await loadDevice(keychain, profile.profileId);
  const keychainMs = now() - t;
  t = now();
  const probe = new Database(profile.file, { readonly: true, fileMustExist: true });
  keyed(probe, key);
  probe.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
  schemaVersion(probe);
  const openMs = now() - t;
  t = now();
  if (probe.pragma('quick_check', { simple: true }) !== 'ok') throw new Error('quick_check failed');
  const integrityMs = now() - t;
  probe.close();
  t = now();
  const db = new Database(profile.file);
  keyed(db, key);
  db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  runMigrations(db, profileMigrations);
  const migrationsMs = now() - t;
  t = now();
  const store: ProfileStore = {
    file: profile.file,
    db,
    schemaVersion: schemaVersion(db),
    transaction: (fn) => db.transaction(fn).immediate(),
    close: () => db.close(),
    open: true,
  };
  const messages = createMessageStore(store, { selfUserId: device.userId, selfDeviceId: device.deviceId });
  const conversations = messages.listConversations().length;
  const listMs = now() - t;
  db.close();
  return { keychainMs, openMs, integrityMs, migrationsMs, listMs, conversations };
}

async function product(): Promise<ProductResult> {
  const { createCore } = await import('../../src/main/core');
  const { connectDeviceToHub } = await import('../../src/main/core/session');
  const core = createCore({
    appName: 'Clinical Messenger',
    appVersion: '0.1.0',
    platform: 'linux',
    policyFiles: { machine: profile.policyFile, user: null },
    appDataDir: profile.appDataDir,
    keychain: createOsKeychain(profile.keychainService),
    openBrowser: () => Promise.reject(new Error('a restart with a cached sign-in opens no browser')),
    connectDevice: (o) => connectDeviceToHub({ ...o, backoff: { initialMs: 100, maxMs: 1_000 } }),
  });
  try {
    // As the renderer calls it (tests/support/workstation.ts's `must`, not imported: it loads the test stack).
    const must = async <T>(name: CallName, args?: unknown): Promise<T> => {
      const result = (await core.dispatcher.dispatch(name, args)) as Result<T>;
      if (!result.ok) throw new Error(`${name} failed: ${result.error.code}`);
      return result.value;
    };
    let t = now();
    const opened = await must<SessionState>('session.signIn', { profileId: profile.profileId });
    const signInMs = now() - t;
    if (opened.status !== 'locked') throw new Error(`after a restart the profile opened ${opened.status}`);
    t = now();
    await must('session.unlockWithPin', { pin: profile.pin });
    const pinUnlockMs = now() - t;
    t = now();
    const list = await must<unknown[]>('conversations.list');
    const listMs = now() - t;
    const memory = await idleMemory(2_000);
    const dbBytes = statSync(profile.file).size;
    const walBytes = existsSync(`${profile.file}-wal`) ? statSync(`${profile.file}-wal`).size : 0;
    await must('session.lock');
    t = now();
    await must('session.unlockWithPin', { pin: profile.pin });
    const relockPinUnlockMs = now() - t;
    t = now();
    await must('conversations.list');
    const relockListMs = now() - t;
    return {
      signInMs,
      pinUnlockMs,
      listMs,
      conversations: list.length,
      relockPinUnlockMs,
      relockListMs,
      memory,
      dbBytes,
      walBytes,
    };
  } finally {
    await core.close();
  }
}

const result = mode === 'raw' ? await raw() : mode === 'phases' ? await phases() : await product();
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
