// The parent's side of the kill -9 tests: runs tests/faults/writer.ts in a child process (one started ahead), answers its gates and
// sign-in pages, and kills it with SIGKILL where a plan says; then opens the same profile in a new core.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3-multiple-ciphers';
import { createCore, type Core, type CoreOptions } from '../../src/main/core';
import { connectDeviceToHub } from '../../src/main/core/session';
import { openProfileStore, profileMigrations } from '../../src/main/core/store';
import type { Result } from '../../src/shared/contract';
import type { Workstation } from '../support/workstation';
import type { WriterJob } from './writer';

/** One line the child printed. */
export type WriterEvent = { gate?: string; at?: string; browser?: string } & Record<string, unknown>;

/**
 * Where to kill: for each line the child prints, 'kill' kills it there (a gate holds the child at that point),
 * a number kills it that many ms later, undefined lets it carry on.
 */
export interface KillPlan {
  label: string;
  decide(event: WriterEvent): 'kill' | number | undefined;
}

export interface KillRun {
  events: WriterEvent[];
  /** The line the kill was decided at (and the delay), or why the child ended without one. */
  killedAt: string;
  killed: boolean;
}

const CHILD_BOUND_MS = 90_000;

interface Writer {
  child: ChildProcessByStdio<Writable, Readable, null>;
  exited: Promise<number | null>;
}

function startWriter(): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/faults/writer.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

/** One writer started ahead, loading the core while the parent checks the last kill. */
let spare: Writer | null = null;

/** Stops the writer started ahead (after the last kill point). */
export async function stopSpareWriter(): Promise<void> {
  const writer = spare;
  spare = null;
  if (!writer) return;
  writer.child.kill('SIGKILL');
  await writer.exited;
}

/** Runs the child until the plan kills it (or it exits, or a generous bound passes: then it is killed too). */
export async function runUntilKilled(
  ws: Workstation,
  job: Omit<WriterJob, 'keychainService'>,
  plan: KillPlan,
  username: string,
): Promise<KillRun> {
  const writer = spare && spare.child.exitCode === null ? spare : startWriter();
  spare = startWriter();
  const { child, exited } = writer;
  child.stdin.write(`${JSON.stringify({ ...job, keychainService: ws.keychainService })}\n`);
  const events: WriterEvent[] = [];
  let killedAt: string | null = null;
  const kill = (where: string): void => {
    if (killedAt !== null) return;
    killedAt = where;
    child.kill('SIGKILL');
  };
  const answer = (line: string): void => {
    if (killedAt === null && child.stdin.writable) child.stdin.write(`${line}\n`);
  };
  const bound = setTimeout(() => kill('bound: the plan never fired'), CHILD_BOUND_MS);
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (killedAt !== null) return;
    let event: WriterEvent;
    try {
      event = JSON.parse(line) as WriterEvent;
    } catch {
      return; // not one of ours
    }
    events.push(event);
    const name = event.gate ?? event.at ?? 'browser';
    const decision = plan.decide(event);
    if (decision === 'kill') return kill(name);
    if (typeof decision === 'number') setTimeout(() => kill(`${name} +${decision}ms`), decision);
    if (event.gate) answer('go');
    if (event.browser) {
      ws.login.next(ws.credentials(username));
      ws.login.openBrowser(event.browser).then(
        () => answer('done'),
        () => answer('failed'),
      );
    }
  });
  const code = await exited;
  clearTimeout(bound);
  child.stdin.destroy();
  return {
    events,
    killed: killedAt !== null && !String(killedAt).startsWith('bound'),
    killedAt: killedAt ?? `exited by itself (code ${code})`,
  };
}

/** A kill plan by name: at a line, or a delay after a line. */
export const killAt = (label: string, match: (e: WriterEvent) => boolean, delayMs?: number): KillPlan => ({
  label,
  decide: (e) => (match(e) ? (delayMs === undefined ? 'kill' : delayMs) : undefined),
});
export const named = (name: string) => (e: WriterEvent) => e.gate === name || e.at === name;

/**
 * A new core on the same data folder and keychain (as the app is after a restart). A sign-in page, if one
 * opens, is filled in by `username`.
 */
export function restartedCore(
  ws: Workstation,
  appDataDir: string,
  policyFile: string,
  username: string,
  extra: Partial<Pick<CoreOptions, 'clock' | 'notify'>> = {},
): Core {
  return createCore({
    ...extra,
    appName: 'Clinical Messenger',
    appVersion: '0.1.0',
    platform: 'linux',
    policyFiles: { machine: policyFile, user: null },
    appDataDir,
    keychain: ws.keychain,
    async openBrowser(url) {
      ws.login.next(ws.credentials(username));
      await ws.login.openBrowser(url);
    },
    connectDevice: (o) => connectDeviceToHub({ ...o, backoff: { initialMs: 100, maxMs: 1_000 } }),
  });
}

export async function ask<T>(
  core: Core,
  name: Parameters<Core['dispatcher']['dispatch']>[0],
  args?: unknown,
) {
  return (await core.dispatcher.dispatch(name, args)) as Result<T>;
}

/** Envelopes the hub holds for a conversation (read from its own database, beside the running hub). */
export function hubEnvelopeCount(ws: Workstation, conversationId: string): number {
  const db = new Database(join(ws.stack.dataDir, 'hub', 'hub.db'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT count(*) FROM envelopes WHERE conversation_id = ?')
      .pluck()
      .get(conversationId) as number;
  } finally {
    db.close();
  }
}

function openRaw(file: string, key: Uint8Array): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  db.pragma(`cipher = 'chacha20'`);
  db.pragma(`key = "x'${Buffer.from(key).toString('hex')}'"`);
  return db;
}

/** `PRAGMA user_version` and integrity_check of a profile store, read without migrating it. */
export function rawStoreState(file: string, key: Uint8Array): { version: number; integrity: string } {
  const db = openRaw(file, key);
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      integrity: db.pragma('integrity_check', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

/**
 * Rewrites a profile store as the app of schema `version` would have left it: a new file made by the first
 * `version` migrations, holding every row of the current one (the columns that schema has). The FTS index is
 * filled by its own triggers. Used to make a store migration run on the next open.
 */
export function downgradeStore(file: string, key: Uint8Array, version: number): void {
  const older = `${file}.older`;
  rmSync(older, { force: true });
  const current = openRaw(file, key);
  const old = openProfileStore({ file: older, key, migrations: profileMigrations.slice(0, version) });
  try {
    const tables = old.db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT LIKE 'messages_fts%' AND sql NOT LIKE 'CREATE VIRTUAL%'`,
      )
      .pluck()
      .all() as string[];
    const columns = (db: Database.Database, table: string): string[] =>
      (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
    old.transaction(() => {
      for (const table of tables) {
        const have = new Set(columns(current, table));
        const shared = columns(old.db, table).filter((c) => have.has(c));
        const list = shared.map((c) => `"${c}"`).join(', ');
        const insert = old.db.prepare(
          `INSERT OR REPLACE INTO "${table}" (${list}) VALUES (${shared.map(() => '?').join(', ')})`,
        );
        for (const row of current.prepare(`SELECT ${list} FROM "${table}"`).raw().iterate())
          insert.run(...(row as unknown[]));
      }
    });
  } finally {
    old.close();
    current.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  renameSync(older, file);
  for (const suffix of ['-wal', '-shm'])
    if (existsSync(`${older}${suffix}`)) renameSync(`${older}${suffix}`, `${file}${suffix}`);
}

/**
 * Adds `n` integrity alerts of a made-up conversation to a store at schema 11, so that migration 12 (which copies
 * that table) takes long enough to be killed in the middle. Returns how many alerts the store holds.
 */
export function addOldAlerts(file: string, key: Uint8Array, n: number): number {
  const db = openRaw(file, key);
  try {
    const insert = db.prepare(
      `INSERT OR IGNORE INTO integrity_alerts (conversation_id, kind, from_seq, to_seq, details, raised_at)
       VALUES ('kill-test-archive', 'gap', ?, ?, '{}', '2026-01-01T00:00:00.000Z')`,
    );
    db.transaction(() => {
      for (let i = 1; i <= n; i++) insert.run(i, i);
    })();
    return db.prepare('SELECT count(*) FROM integrity_alerts').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Integrity alerts in a store (read without migrating it). */
export function alertCount(file: string, key: Uint8Array): number {
  const db = openRaw(file, key);
  try {
    return db.prepare('SELECT count(*) FROM integrity_alerts').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A random whole number in [0, n). */
export const below = (n: number): number => Math.floor(Math.random() * n);
