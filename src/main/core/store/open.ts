import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../errors';
import type { Logger } from '../log/logger';
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

/** What is wrong with a profile's local files, for the message and for IT (no PHI, no paths). */
export type StoreDamage =
  | 'database-missing'
  | 'database-empty'
  | 'database-damaged'
  | 'journal-missing'
  | 'store-key-missing'
  | 'store-key-wrong'
  | 'store-key-corrupt'
  | 'device-keys-missing'
  | 'device-keys-corrupt';

const damageText: Record<StoreDamage, string> = {
  'database-missing': "This profile's local database file is missing from this computer.",
  'database-empty': "This profile's local database file is empty (0 bytes): its contents were lost on disk.",
  'database-damaged': "This profile's local database file is damaged on disk.",
  'journal-missing':
    "Part of this profile's local database (its write-ahead journal, profile.db-wal) is missing or cut short.",
  'store-key-missing':
    "The key that opens this profile's local database is missing from the system keychain.",
  'store-key-wrong':
    "This profile's local database cannot be opened with the key in the system keychain (the key was replaced, or the file's first page is damaged).",
  'store-key-corrupt': "The key that opens this profile's local database is damaged in the system keychain.",
  'device-keys-missing': "This computer's device keys for this profile are missing from the system keychain.",
  'device-keys-corrupt': "This computer's device keys for this profile are damaged in the system keychain.",
};

/**
 * A profile whose local data cannot be opened as it is. Nothing was changed: the files stay for IT, and the
 * user is told what they can do (`session.startProfileOver`).
 */
export class ProfileDamagedError extends AppError {
  constructor(
    readonly damage: StoreDamage,
    options?: { cause?: unknown },
  ) {
    const deviceOnly = damage === 'device-keys-missing' || damage === 'device-keys-corrupt';
    super(
      'profile_damaged',
      `${damageText[damage]} Nothing was changed and no file was deleted. ` +
        'You can keep working by signing in on another workstation, or start this profile over here with a full sign-in: ' +
        (deviceOnly
          ? 'the messages on this computer are kept and new device keys are made. '
          : 'messages kept only on this computer and anything not yet sent would be lost. ') +
        'Call the IT service desk. ' +
        "For IT: the profile's folder and keychain entries were left as they are; starting over sets the folder aside, never deletes it.",
      options,
    );
  }
}

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
}

function isSqliteError(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

const isCorruption = (err: unknown): boolean =>
  isSqliteError(err, 'SQLITE_CORRUPT') || isSqliteError(err, 'SQLITE_IOERR_SHORT_READ');

/**
 * The WAL index (`-shm`) records how many frames the journal holds; a journal that is gone or shorter than
 * that lost committed transactions, which SQLite would silently drop. Checked before SQLite touches either
 * file (opening would reset the index). A missing index alone is fine: SQLite rebuilds it from the journal.
 */
function checkJournal(file: string): void {
  const shm = `${file}-shm`;
  if (!existsSync(shm)) return;
  let header: Buffer;
  try {
    header = readFileSync(shm).subarray(0, 48);
  } catch {
    return;
  }
  if (header.length < 48 || header[12] !== 1) return; // not initialised: nothing recorded
  // The header's integers are in the writer's native byte order (little-endian on every platform we ship).
  const mxFrame = header.readUInt32LE(16);
  if (mxFrame === 0) return;
  const rawPage = header.readUInt16LE(14);
  const pageSize = rawPage === 1 ? 65_536 : rawPage;
  const walBytes = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
  if (walBytes < 32 + mxFrame * (24 + pageSize)) throw new ProfileDamagedError('journal-missing');
}

/**
 * Opens the file read-only with the key and checks it as a whole (every page is authenticated by the cipher
 * on read, so `quick_check` finds flipped bytes and truncation anywhere) before anything may write to it: a
 * read-only connection never checkpoints into a damaged file. Sidecar files it had to create are removed.
 */
function probe(file: string, key: Uint8Array, migrations: readonly Migration[]): void {
  const hadWal = existsSync(`${file}-wal`);
  const hadShm = existsSync(`${file}-shm`);
  let db: Db | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    keyed(db, key);
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
    const verdict = db.pragma('quick_check', { simple: true });
    if (verdict !== 'ok') throw new ProfileDamagedError('database-damaged');
  } catch (err) {
    db?.close();
    db = null;
    if (!hadWal && existsSync(`${file}-wal`) && statSync(`${file}-wal`).size === 0)
      rmSync(`${file}-wal`, { force: true });
    if (!hadShm) rmSync(`${file}-shm`, { force: true });
    if (err instanceof AppError) throw err;
    if (isCorruption(err)) throw new ProfileDamagedError('database-damaged', { cause: err });
    throw new AppError('internal', 'The local database could not be opened.', { cause: err });
  } finally {
    db?.close();
  }
}

/**
 * Opens (or creates) a profile store with whole-file encryption (SQLite3MultipleCiphers, ChaCha20-Poly1305
 * with the 32-byte key used raw, no passphrase KDF). Order matters:
 *   1. an existing store's file must be there and not empty, and its journal must hold what its index says
 *      (else `profile_damaged`, before SQLite touches anything);
 *   2. a read-only probe: `PRAGMA cipher='chacha20'`, `PRAGMA key="x'<hex>'"`; sqlite_master unreadable
 *      (SQLITE_NOTADB) → `store_key_wrong`; user_version newer than our migrations → `store_from_future`;
 *      `quick_check` not ok → `profile_damaged`;
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
  if (size !== null && size > 0) {
    checkJournal(options.file);
    probe(options.file, options.key, migrations);
  }
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
