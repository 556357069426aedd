import type Database from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../errors';

export type Db = Database.Database;

/**
 * One schema step. `up` runs inside the single transaction of `runMigrations`; it must not commit, and it
 * should only use the tables as they were at its own version (never the app's current code).
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

/** Throws unless versions go 1, 2, 3, … with no gap or repeat and every migration has a name. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new AppError(
        'internal',
        `Store migrations are out of order: position ${i + 1} has version ${m.version}.`,
      );
    }
    if (!m.name.trim()) throw new AppError('internal', `Store migration ${m.version} has no name.`);
  });
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs every pending migration in ONE transaction and records the new version in `PRAGMA user_version`, so a
 * failure (or a crash) leaves the database exactly at its old version. Returns the versions before and after.
 * The caller has already refused a database newer than the list (`store_from_future`).
 */
export function runMigrations(db: Db, migrations: readonly Migration[]): { from: number; to: number } {
  checkMigrations(migrations);
  const from = schemaVersion(db);
  const to = latestVersion(migrations);
  if (from >= to) return { from, to: from };
  const pending = migrations.filter((m) => m.version > from);
  let current: Migration | undefined;
  try {
    db.transaction(() => {
      for (const m of pending) {
        current = m;
        m.up(db);
      }
      db.pragma(`user_version = ${to}`);
    }).immediate();
  } catch (cause) {
    throw new AppError(
      'store_migration_failed',
      `The local database could not be upgraded (step ${current?.version ?? '?'}: ${current?.name ?? ''}). Nothing was changed.`,
      { cause },
    );
  }
  return { from, to };
}
