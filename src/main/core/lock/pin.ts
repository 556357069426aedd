import { createAuditLog } from '../audit';
import { AppError } from '../errors';
import type { ProfileStore } from '../store';
import { hashPin, verifyPin } from './pin-hash';

export const defaultMaxPinAttempts = 5;

/** A wrong PIN: how many tries are left before PIN unlock is refused until the next full sign-in. */
export class PinWrongError extends AppError {
  constructor(readonly attemptsLeft: number) {
    super(
      'pin_wrong',
      `Wrong PIN. ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left before you must sign in again.`,
    );
    this.name = 'PinWrongError';
  }
}

export interface PinStatus {
  set: boolean;
  failedAttempts: number;
  lockedOut: boolean;
}

interface LockRow {
  pin_hash: string | null;
  failed_attempts: number;
  locked_out_at: string | null;
}

const pinPattern = /^[0-9]{4,8}$/;

function readState(store: ProfileStore): LockRow {
  return store.db
    .prepare('SELECT pin_hash, failed_attempts, locked_out_at FROM lock_state WHERE id = 1')
    .get() as LockRow;
}

export function pinStatus(store: ProfileStore): PinStatus {
  const row = readState(store);
  return {
    set: row.pin_hash !== null,
    failedAttempts: row.failed_attempts,
    lockedOut: row.locked_out_at !== null,
  };
}

/**
 * Sets (or replaces) the unlock PIN: 4–8 digits, else `pin_invalid`. Stored only as an Argon2id string
 * (crypto_pwhash_str, interactive limits); setting a PIN clears failed attempts and any lockout, so the
 * caller must only offer it right after a full sign-in or a correct PIN.
 */
export async function setPin(store: ProfileStore, pin: string): Promise<void> {
  if (typeof pin !== 'string' || !pinPattern.test(pin)) {
    throw new AppError('pin_invalid', 'A PIN is 4 to 8 digits.');
  }
  const hash = await hashPin(pin);
  store.transaction(() => {
    store.db
      .prepare(
        'UPDATE lock_state SET pin_hash = ?, pin_set_at = ?, failed_attempts = 0, locked_out_at = NULL WHERE id = 1',
      )
      .run(hash, new Date().toISOString());
    createAuditLog(store).append({ kind: 'pin-set' });
  });
}

/**
 * Unlocks with the PIN, or throws: `pin_not_set`, `pin_locked_out` (too many failures: refused until
 * `resetAfterSignIn`, without even checking the PIN), `PinWrongError` (`pin_wrong`, with attempts left; the
 * last allowed failure throws `pin_locked_out` instead). The attempt is counted in the store BEFORE the slow
 * hash check, so killing the app mid-check does not give a free try; a correct PIN resets the count.
 * Every outcome is audited.
 */
export async function unlockWithPin(
  store: ProfileStore,
  pin: string,
  options: { maxAttempts?: number } = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? defaultMaxPinAttempts;
  const audit = createAuditLog(store);
  const lockedOut = () =>
    new AppError(
      'pin_locked_out',
      'Too many wrong PINs. Sign in again with your hospital account to unlock.',
    );

  const attempt = store.transaction(() => {
    const row = readState(store);
    if (row.pin_hash === null) return { kind: 'not-set' as const };
    if (row.locked_out_at !== null) return { kind: 'locked-out' as const };
    const failedAttempts = row.failed_attempts + 1;
    store.db.prepare('UPDATE lock_state SET failed_attempts = ? WHERE id = 1').run(failedAttempts);
    return { kind: 'check' as const, hash: row.pin_hash, failedAttempts };
  });
  if (attempt.kind === 'not-set') throw new AppError('pin_not_set', 'No PIN is set for this profile.');
  if (attempt.kind === 'locked-out') throw lockedOut();

  const valid = typeof pin === 'string' && pinPattern.test(pin) && (await verifyPin(attempt.hash, pin));

  if (valid) {
    store.transaction(() => {
      store.db.prepare('UPDATE lock_state SET failed_attempts = 0 WHERE id = 1').run();
      audit.append({ kind: 'unlock', details: { method: 'pin' } });
    });
    return;
  }
  const nowLockedOut = attempt.failedAttempts >= maxAttempts;
  store.transaction(() => {
    audit.append({ kind: 'pin-failed', details: { failedAttempts: attempt.failedAttempts } });
    if (nowLockedOut) {
      const at = new Date().toISOString();
      store.db.prepare('UPDATE lock_state SET locked_out_at = ? WHERE id = 1').run(at);
      audit.append({ kind: 'pin-lockout', at, details: { failedAttempts: attempt.failedAttempts } });
    }
  });
  if (nowLockedOut) throw lockedOut();
  throw new PinWrongError(maxAttempts - attempt.failedAttempts);
}

/** After a full sign-in (MSAL): failed attempts and the lockout are cleared; the PIN stays set. */
export function resetAfterSignIn(store: ProfileStore): void {
  store.transaction(() => {
    const row = readState(store);
    store.db.prepare('UPDATE lock_state SET failed_attempts = 0, locked_out_at = NULL WHERE id = 1').run();
    if (row.failed_attempts > 0 || row.locked_out_at !== null) {
      createAuditLog(store).append({
        kind: 'pin-reset',
        details: { wasLockedOut: row.locked_out_at !== null },
      });
    }
  });
}

/** Removes the PIN (e.g. policy no longer allows PIN unlock); unlocking then needs a full sign-in. */
export function clearPin(store: ProfileStore): void {
  store.db
    .prepare(
      'UPDATE lock_state SET pin_hash = NULL, pin_set_at = NULL, failed_attempts = 0, locked_out_at = NULL WHERE id = 1',
    )
    .run();
}
