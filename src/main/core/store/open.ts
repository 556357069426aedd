import Database from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../errors';
import {
  checkMigrations,
  latestVersion,
  runMigrations,
  schemaVersion,
  type Db,
  type Migration,
} from './migrate';
import { profileMigrations } from './migrations';

/** One profile's encrypted SQLite database, migrated to the current schema. */
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
}

function isSqliteError(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * Opens (or creates) a profile store with whole-file encryption (SQLite3MultipleCiphers, ChaCha20-Poly1305
 * with the 32-byte key used raw, no passphrase KDF). Order matters:
 *   1. `PRAGMA cipher='chacha20'`, `PRAGMA key="x'<hex>'"` before anything touches the file;
 *   2. read sqlite_master: SQLITE_NOTADB means the key is wrong (or the file is not ours) → `store_key_wrong`;
 *   3. read user_version: newer than our migrations → `store_from_future`, closed before any write;
 *   4. only then WAL, synchronous=NORMAL, foreign keys, temp data in memory, and the pending migrations.
 * On any error the connection is closed and the file is left as it was.
 */
export function openProfileStore(options: OpenProfileStoreOptions): ProfileStore {
  const migrations = options.migrations ?? profileMigrations;
  checkMigrations(migrations);
  if (!(options.key instanceof Uint8Array) || options.key.byteLength !== 32) {
    throw new AppError('invalid_args', 'A profile store key is 32 bytes.');
  }
  let db: Db;
  try {
    db = new Database(options.file);
  } catch (cause) {
    throw new AppError('internal', 'The local database file could not be opened.', { cause });
  }
  try {
    db.pragma(`cipher = 'chacha20'`);
    db.pragma(`key = "x'${Buffer.from(options.key).toString('hex')}'"`);
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    } catch (cause) {
      if (isSqliteError(cause, 'SQLITE_NOTADB')) {
        throw new AppError(
          'store_key_wrong',
          "The local database cannot be opened with this profile's key (wrong key, or not this profile's file).",
          { cause },
        );
      }
      throw cause;
    }
    const found = schemaVersion(db);
    const latest = latestVersion(migrations);
    if (found > latest) {
      throw new AppError(
        'store_from_future',
        `The local database was written by a newer version of the app (schema ${found}, this app knows ${latest}). It was left untouched; update the app.`,
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    runMigrations(db, migrations);
  } catch (err) {
    db.close();
    if (err instanceof AppError) throw err;
    throw new AppError('internal', 'The local database could not be opened.', { cause: err });
  }
  const version = schemaVersion(db);
  return {
    file: options.file,
    db,
    schemaVersion: version,
    transaction: (fn) => db.transaction(fn).immediate(),
    close: () => {
      if (db.open) db.close();
    },
    get open() {
      return db.open;
    },
  };
}
