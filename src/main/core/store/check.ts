// Checking a profile's database before anything may write to it: its journal against its index, the key,
// the schema version, and every page (quick_check). Run on the main thread by openProfileStore, or ahead of it
// on a worker thread (check-ahead.ts) while the sign-in does its other work.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../errors';
import { keyed } from './cipher';
import type { CheckWorkerInit, FromCheckWorker } from './check-protocol';
import { schemaVersion, type Db } from './migrate';

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

export function isSqliteError(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export const isCorruption = (err: unknown): boolean =>
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
 * read-only connection never checkpoints into a damaged file. Sidecar files it had to create are removed,
 * whatever the verdict: a check run ahead of a sign-in that is then refused leaves the profile's files as
 * they were.
 */
function probe(file: string, key: Uint8Array, latest: number): void {
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
    if (found > latest) {
      throw new AppError(
        'store_from_future',
        `The local database was written by a newer version of the app (schema ${found}, this app knows ${latest}). It was left untouched; update the app.`,
      );
    }
    const verdict = db.pragma('quick_check', { simple: true });
    if (verdict !== 'ok') throw new ProfileDamagedError('database-damaged');
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (isCorruption(err)) throw new ProfileDamagedError('database-damaged', { cause: err });
    throw new AppError('internal', 'The local database could not be opened.', { cause: err });
  } finally {
    db?.close();
    if (!hadWal && existsSync(`${file}-wal`) && statSync(`${file}-wal`).size === 0)
      rmSync(`${file}-wal`, { force: true });
    if (!hadShm) rmSync(`${file}-shm`, { force: true });
  }
}

/** The whole check of an existing, non-empty database file; throws the typed errors above. */
export function checkStoreFile(file: string, key: Uint8Array, latest: number): void {
  checkJournal(file);
  probe(file, key, latest);
}

/** The check as an answer that crosses a thread (check-ahead.ts); wipes the key it was given. */
export function checkAnswer({ file, key, latest }: CheckWorkerInit): FromCheckWorker {
  try {
    checkStoreFile(file, key, latest);
    return { ok: true };
  } catch (err) {
    if (err instanceof ProfileDamagedError)
      return { ok: false, code: err.code, message: err.message, damage: err.damage };
    if (err instanceof AppError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: 'internal', message: 'The local database could not be checked.' };
  } finally {
    key.fill(0);
  }
}
