import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../src/main/core/audit';
import {
  pinStatus,
  PinWrongError,
  resetAfterSignIn,
  setPin,
  unlockWithPin,
} from '../../../src/main/core/lock';
import { openProfileStore } from '../../../src/main/core/store';
import { hashPin, verifyPin } from '../../../src/main/core/lock/pin-hash';
import { tempStore } from '../store/helpers';

const pin = '739150';

describe('PIN unlock', () => {
  it('accepts only 4 to 8 digits', async () => {
    const { store } = tempStore();
    for (const bad of ['123', '123456789', '12a4', ' 1234', '１２３４', '']) {
      await expect(setPin(store, bad), bad).rejects.toMatchObject({ code: 'pin_invalid' });
    }
    expect(pinStatus(store).set).toBe(false);
    await setPin(store, '1234');
    await setPin(store, '12345678');
    expect(pinStatus(store).set).toBe(true);
  });

  it('without a PIN, PIN unlock is pin_not_set', async () => {
    const { store } = tempStore();
    await expect(unlockWithPin(store, '1234')).rejects.toMatchObject({ code: 'pin_not_set' });
  });

  it('unlocks with the correct PIN, and a correct PIN before lockout resets the count', async () => {
    const { store } = tempStore();
    await setPin(store, pin);
    await expect(unlockWithPin(store, '000000')).rejects.toBeInstanceOf(PinWrongError);
    await expect(unlockWithPin(store, '000001')).rejects.toMatchObject({
      code: 'pin_wrong',
      attemptsLeft: 3,
    });
    await expect(unlockWithPin(store, pin)).resolves.toBeUndefined();
    expect(pinStatus(store)).toEqual({ set: true, failedAttempts: 0, lockedOut: false });
    const kinds = createAuditLog(store)
      .list()
      .map((e) => e.kind)
      .reverse();
    expect(kinds).toEqual(['pin-set', 'pin-failed', 'pin-failed', 'unlock']);
  });

  it('locks out after 5 wrong PINs, even across reopening the store, until a full sign-in', async () => {
    const { store, file, key } = tempStore();
    await setPin(store, pin);
    for (let i = 0; i < 3; i++)
      await expect(unlockWithPin(store, '111111')).rejects.toMatchObject({ code: 'pin_wrong' });
    store.close(); // restart: the count survives

    const reopened = openProfileStore({ file, key });
    try {
      expect(pinStatus(reopened).failedAttempts).toBe(3);
      await expect(unlockWithPin(reopened, '111111')).rejects.toMatchObject({
        code: 'pin_wrong',
        attemptsLeft: 1,
      });
      await expect(unlockWithPin(reopened, '111111')).rejects.toMatchObject({ code: 'pin_locked_out' });
      // now even the correct PIN is refused
      await expect(unlockWithPin(reopened, pin)).rejects.toMatchObject({ code: 'pin_locked_out' });
      reopened.close();

      const again = openProfileStore({ file, key });
      await expect(unlockWithPin(again, pin)).rejects.toMatchObject({ code: 'pin_locked_out' });
      expect(pinStatus(again).lockedOut).toBe(true);

      resetAfterSignIn(again);
      expect(pinStatus(again)).toEqual({ set: true, failedAttempts: 0, lockedOut: false });
      await expect(unlockWithPin(again, pin)).resolves.toBeUndefined();

      const kinds = createAuditLog(again)
        .list({ limit: 100 })
        .map((e) => e.kind)
        .reverse();
      expect(kinds).toEqual([
        'pin-set',
        'pin-failed',
        'pin-failed',
        'pin-failed',
        'pin-failed',
        'pin-failed',
        'pin-lockout',
        'pin-reset',
        'unlock',
      ]);
      expect(createAuditLog(again).verify().ok).toBe(true);
      again.close();
    } finally {
      reopened.close();
    }
  });

  it('honours a policy maximum of attempts', async () => {
    const { store } = tempStore();
    await setPin(store, pin);
    await expect(unlockWithPin(store, '0000', { maxAttempts: 2 })).rejects.toMatchObject({ attemptsLeft: 1 });
    await expect(unlockWithPin(store, '0000', { maxAttempts: 2 })).rejects.toMatchObject({
      code: 'pin_locked_out',
    });
  });

  it('never stores the PIN in plaintext: only an Argon2id hash, and not on disk in any form', async () => {
    const { store, file, key } = tempStore();
    await setPin(store, pin);
    const row = store.db.prepare('SELECT * FROM lock_state').get() as Record<string, unknown>;
    expect(String(row.pin_hash)).toMatch(/^\$argon2id\$/);
    const everything = JSON.stringify([
      row,
      store.db.prepare('SELECT * FROM settings').all(),
      store.db.prepare('SELECT kind, details FROM audit_events').all(),
    ]);
    expect(everything).not.toContain(pin);
    store.close();
    for (const f of [file, `${file}-wal`].filter(existsSync))
      expect(readFileSync(f).includes(pin)).toBe(false);
    // and the raw hash is not readable from the file either (the store is encrypted)
    expect(readFileSync(file).includes('$argon2id$')).toBe(false);
    openProfileStore({ file, key }).close();
  });
});

describe('PIN hashing off the main thread', () => {
  it('a worker that cannot start (fault injected: its script is missing) gives the same verdicts, here', async () => {
    const missing = { url: new URL('./no-such-pin-worker.js', import.meta.url), execArgv: [] };
    const hash = await hashPin(pin, missing);
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPin(hash, pin, missing)).toBe(true);
    expect(await verifyPin(hash, '000000', missing)).toBe(false);
    expect(await verifyPin(hash, pin)).toBe(true); // and the worker agrees
  });
});
