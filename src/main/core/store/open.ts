import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../errors';
import type { Logger } from '../log/logger';
import { checkStoreFile, isCorruption, isSqliteError, ProfileDamagedError } from './check';
import { startBackgroundCheckpoints } from './checkpointer';
import { keyed } from './cipher';
import {
  checkMigrations,
  latestVersion,
  runMigrations,
  schemaVersion,
  type Db,
  type Migration,
} from './migrate';
import { profileMigrations } from './migrations';

export { ProfileDamagedError, type StoreDamage } from './check';

export interface ProfileStore {
  readonly file: string;
  /** The open connection, for the core modules that own tables in it. Never handed outside core. */
  readonly db: Db;
  /** `PRAGMA user_version` after migrations. */
  readonly schemaVersion: number;
  /** Runs `fn` in one (immediate) transaction. */
  transaction<T>(fn: () => T): T;
  close(): void;
  readonly open: boolean;
}

export interface OpenProfileStoreOptions {
  file: string;
  /** 32 random bytes from the keychain (`profileStoreKey`). */
  key: Uint8Array;
  /** Defaults to the app's list; tests pass their own. */
  migrations?: readonly Migration[];
  /**
   * The store was created before (its key was already in the keychain): a missing or empty file is then
   * damage (`profile_damaged`), never a new empty store.
   */
  existing?: boolean;
  /**
   * Checkpoint the journal on a worker thread instead of inside whichever commit crosses SQLite's threshold
   * (a checkpoint writes and syncs megabytes: on a busy disk, a block of the main thread of half a second).
   */
  backgroundCheckpoints?: { log: Logger };
  /**
   * The file was already checked, with this key, by `checkStoreAhead` (which the caller awaited, and nothing
   * wrote to the file since): the check is not run a second time.
   */
  checked?: boolean;
}

/**
 * Opens (or creates) a profile store with whole-file encryption (SQLite3MultipleCiphers, ChaCha20-Poly1305
 * with the 32-byte key used raw, no passphrase KDF). Order matters:
 *   1. an existing store's file must be there and not empty, and its journal must hold what its index says
 *      (else `profile_damaged`, before SQLite touches anything);
 *   2. a read-only probe: `PRAGMA cipher='chacha20'`, `PRAGMA key="x'<hex>'"`; sqlite_master unreadable
 *      (SQLITE_NOTADB) → `store_key_wrong`; user_version newer than our migrations → `store_from_future`;
 *      `quick_check` not ok → `profile_damaged` (steps 1 and 2 are check.ts; with `checked`, the caller ran them
 *      ahead, on a worker thread);
 *   3. only then the read-write connection: WAL, synchronous=NORMAL, foreign keys, temp data in memory, and the
 *      pending migrations.
 * On any error the connection is closed and the file is left as it was.
 */
export function openProfileStore(options: OpenProfileStoreOptions): ProfileStore {
  const migrations = options.migrations ?? profileMigrations;
  checkMigrations(migrations);
  if (!(options.key instanceof Uint8Array) || options.key.byteLength !== 32) {
    throw new AppError('invalid_args', 'A profile store key is 32 bytes.');
  }
  const size = existsSync(options.file) ? statSync(options.file).size : null;
  if (options.existing && size === null) throw new ProfileDamagedError('database-missing');
  if (options.existing && size === 0) throw new ProfileDamagedError('database-empty');
  if (size !== null && size > 0 && options.checked !== true)
    checkStoreFile(options.file, options.key, latestVersion(migrations));
  let db: Db;
  try {
    db = new Database(options.file);
  } catch (cause) {
    throw new AppError('internal', 'The local database file could not be opened.', { cause });
  }
  try {
    keyed(db, options.key);
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    runMigrations(db, migrations);
  } catch (err) {
    db.close();
    if (err instanceof AppError) throw err;
    if (isCorruption(err) || isSqliteError(err, 'SQLITE_NOTADB'))
      throw new ProfileDamagedError('database-damaged', { cause: err });
    throw new AppError('internal', 'The local database could not be opened.', { cause: err });
  }
  const version = schemaVersion(db);
  const checkpoints = options.backgroundCheckpoints
    ? startBackgroundCheckpoints(db, options.file, options.key, options.backgroundCheckpoints)
    : null;
  return {
    file: options.file,
    db,
    schemaVersion: version,
    transaction: (fn) => db.transaction(fn).immediate(),
    close: () => {
      checkpoints?.close();
      if (db.open) db.close();
    },
    get open() {
      return db.open;
    },
  };
}
