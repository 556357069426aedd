import { createAuditLog, type AuditLog } from '../audit';
import { AppError } from '../errors';
import type { ProfileStore } from '../store';
import { verifyDirectoryEntry, type DirectoryEntry } from './directory-entry';

/** A directory device as the hub lists it (`Device` in docs/hub-protocol.md); extra fields are ignored. */
export type ContactDeviceEntry = DirectoryEntry & {
  userId: string;
  revoked?: boolean;
  revokedAt?: string | null;
};

export type PinCheck = 'new-pinned' | 'match' | 'changed';

export interface PinnedDevice {
  userId: string;
  deviceId: string;
  signingPublicKey: string;
  encryptionPublicKey: string;
  firstSeenAt: string;
  pinnedAt: string;
  /** Keys seen in the directory that differ from the pin and are not accepted yet. */
  pendingChange: { signingPublicKey: string; encryptionPublicKey: string; seenAt: string } | null;
  revoked: boolean;
}

export interface PinStore {
  /**
   * Checks a directory entry against the pin of (userId, deviceId). The entry's self-signature is verified
   * first: an entry that does not verify is refused (`device_entry_invalid`) and changes nothing.
   * - no pin yet: the keys are pinned → 'new-pinned'
   * - same keys as the pin → 'match' (and any pending change the directory no longer shows is dropped)
   * - other keys → 'changed': the pin stays, the new keys wait for `acceptKeyChange`; sending is blocked.
   * A revoked entry marks the pin revoked for good.
   */
  checkContactDevice(entry: ContactDeviceEntry): Promise<PinCheck>;
  /** Re-pins to the pending keys after the user accepted the change (audited). False if none was pending. */
  acceptKeyChange(userId: string, deviceId: string): boolean;
  /** Only a pinned, unrevoked device with no unaccepted key change may be sent to. */
  isSendAllowed(userId: string, deviceId: string): boolean;
  get(userId: string, deviceId: string): PinnedDevice | null;
  listForUser(userId: string): PinnedDevice[];
}

interface PinRow {
  user_id: string;
  device_id: string;
  signing_public_key: string;
  encryption_public_key: string;
  first_seen_at: string;
  pinned_at: string;
  pending_signing_public_key: string | null;
  pending_encryption_public_key: string | null;
  pending_seen_at: string | null;
  revoked_at: string | null;
}

function toPinned(row: PinRow): PinnedDevice {
  return {
    userId: row.user_id,
    deviceId: row.device_id,
    signingPublicKey: row.signing_public_key,
    encryptionPublicKey: row.encryption_public_key,
    firstSeenAt: row.first_seen_at,
    pinnedAt: row.pinned_at,
    pendingChange:
      row.pending_signing_public_key !== null && row.pending_encryption_public_key !== null
        ? {
            signingPublicKey: row.pending_signing_public_key,
            encryptionPublicKey: row.pending_encryption_public_key,
            seenAt: row.pending_seen_at ?? row.pinned_at,
          }
        : null,
    revoked: row.revoked_at !== null,
  };
}

/** Trust-on-first-use pins of contact devices (including this user's other devices), in the profile store. */
export function createPinStore(
  store: ProfileStore,
  options: { audit?: AuditLog; now?: () => Date } = {},
): PinStore {
  const db = store.db;
  const now = options.now ?? (() => new Date());
  const audit = options.audit ?? createAuditLog(store, now);
  const select = db.prepare('SELECT * FROM contact_device_pins WHERE user_id = ? AND device_id = ?');
  const read = (userId: string, deviceId: string) => select.get(userId, deviceId) as PinRow | undefined;

  /** Marks an existing pin revoked (once; audited). Call inside a transaction. */
  const markRevoked = (entry: ContactDeviceEntry, row: PinRow | undefined, at: string): void => {
    if (!row || row.revoked_at !== null) return;
    db.prepare('UPDATE contact_device_pins SET revoked_at = ? WHERE user_id = ? AND device_id = ?').run(
      entry.revokedAt ?? at,
      entry.userId,
      entry.deviceId,
    );
    audit.append({ kind: 'device-revoked', at, details: { userId: entry.userId, deviceId: entry.deviceId } });
  };

  return {
    async checkContactDevice(entry) {
      const at = now().toISOString();
      if (!(await verifyDirectoryEntry(entry))) {
        // A revocation only takes trust away, so it is honoured even from an entry we cannot trust.
        if (entry.revoked)
          store.transaction(() => markRevoked(entry, read(entry.userId, entry.deviceId), at));
        throw new AppError(
          'device_entry_invalid',
          'A device in the key directory is not correctly signed by its own key; it was not trusted.',
        );
      }
      return store.transaction((): PinCheck => {
        const row = read(entry.userId, entry.deviceId);
        let result: PinCheck;
        if (!row) {
          db.prepare(
            `INSERT INTO contact_device_pins
               (user_id, device_id, signing_public_key, encryption_public_key, first_seen_at, pinned_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          ).run(entry.userId, entry.deviceId, entry.signingPublicKey, entry.encryptionPublicKey, at, at);
          result = 'new-pinned';
        } else if (
          row.signing_public_key === entry.signingPublicKey &&
          row.encryption_public_key === entry.encryptionPublicKey
        ) {
          db.prepare(
            `UPDATE contact_device_pins
               SET pending_signing_public_key = NULL, pending_encryption_public_key = NULL, pending_seen_at = NULL
             WHERE user_id = ? AND device_id = ?`,
          ).run(entry.userId, entry.deviceId);
          result = 'match';
        } else {
          const samePending =
            row.pending_signing_public_key === entry.signingPublicKey &&
            row.pending_encryption_public_key === entry.encryptionPublicKey;
          if (!samePending) {
            db.prepare(
              `UPDATE contact_device_pins
                 SET pending_signing_public_key = ?, pending_encryption_public_key = ?, pending_seen_at = ?
               WHERE user_id = ? AND device_id = ?`,
            ).run(entry.signingPublicKey, entry.encryptionPublicKey, at, entry.userId, entry.deviceId);
          }
          result = 'changed';
        }
        if (entry.revoked) markRevoked(entry, read(entry.userId, entry.deviceId), at);
        return result;
      });
    },

    acceptKeyChange(userId, deviceId) {
      return store.transaction(() => {
        const row = read(userId, deviceId);
        if (!row || row.pending_signing_public_key === null || row.pending_encryption_public_key === null) {
          return false;
        }
        const at = now().toISOString();
        db.prepare(
          `UPDATE contact_device_pins
             SET signing_public_key = pending_signing_public_key,
                 encryption_public_key = pending_encryption_public_key,
                 pinned_at = ?,
                 pending_signing_public_key = NULL, pending_encryption_public_key = NULL, pending_seen_at = NULL
           WHERE user_id = ? AND device_id = ?`,
        ).run(at, userId, deviceId);
        audit.append({ kind: 'key-change-accepted', at, details: { userId, deviceId } });
        return true;
      });
    },

    isSendAllowed(userId, deviceId) {
      const row = read(userId, deviceId);
      return !!row && row.revoked_at === null && row.pending_signing_public_key === null;
    },

    get(userId, deviceId) {
      const row = read(userId, deviceId);
      return row ? toPinned(row) : null;
    },

    listForUser(userId) {
      return (
        db
          .prepare('SELECT * FROM contact_device_pins WHERE user_id = ? ORDER BY first_seen_at, device_id')
          .all(userId) as PinRow[]
      ).map(toPinned);
    },
  };
}
