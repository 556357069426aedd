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
  /** The revocation time the directory gave when this profile first learned of it (null if not revoked). */
  revokedAt: string | null;
  /** When this profile first learned of the revocation. */
  revocationSeenAt: string | null;
  /** The name the device signed into its entry (null: a version 1 entry, or pinned before names). */
  deviceName: string | null;
  /** The enrolment time the device signed (null: pinned before it was kept). */
  enrolledAt: string | null;
  /** First seen as a new device of a user this profile already knew: a notice is shown for it. */
  noticed: boolean;
  /** When it was accepted for use; null while a new device waits for acceptance (newDeviceTrust "verify"). */
  acceptedAt: string | null;
}

/** How a device seen for the first time is recorded (decided by the trust service). */
export interface FirstSight {
  /** A new device of a user already known here: show a notice. */
  noticed: boolean;
  /** Usable at once (false: waits for `acceptNewDevice`). */
  accepted: boolean;
}

export interface PinStore {
  /**
   * Checks a directory entry against the pin of (userId, deviceId). The entry's self-signature is verified
   * first: an entry that does not verify is refused (`device_entry_invalid`) and changes nothing.
   * - no pin yet: the keys are pinned (as `firstSight` says: noticed, accepted; by default neither noticed
   *   nor awaiting acceptance) and the first sight is audited → 'new-pinned'
   * - same keys as the pin → 'match' (and any pending change the directory no longer shows is dropped)
   * - other keys → 'changed': the pin stays, the new keys wait for `acceptKeyChange`; sending is blocked.
   * A revoked entry marks the pin revoked for good.
   */
  checkContactDevice(entry: ContactDeviceEntry, firstSight?: FirstSight): Promise<PinCheck>;
  /** Re-pins to the pending keys after the user accepted the change (audited). False if none was pending. */
  acceptKeyChange(userId: string, deviceId: string): boolean;
  /** Accepts a new device that waited for acceptance (audited). False if it was not waiting. */
  acceptNewDevice(userId: string, deviceId: string): boolean;
  /** Only a pinned, accepted, unrevoked device with no unaccepted key change may be sent to. */
  isSendAllowed(userId: string, deviceId: string): boolean;
  get(userId: string, deviceId: string): PinnedDevice | null;
  listForUser(userId: string): PinnedDevice[];
  /** Pins first seen as new devices (noticed) of these users, oldest first. */
  noticedFor(userIds: readonly string[]): PinnedDevice[];
  /** Whether this profile has read the device list of this user before (devices after that are new). */
  hasBaseline(userId: string): boolean;
  /** Records that the device lists of these users were read (the first time only). */
  markBaseline(userIds: readonly string[]): void;
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
  device_name: string | null;
  enrolled_at: string | null;
  noticed: number;
  accepted_at: string | null;
  revocation_seen_at: string | null;
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
    revokedAt: row.revoked_at,
    revocationSeenAt: row.revocation_seen_at ?? row.revoked_at,
    deviceName: row.device_name,
    enrolledAt: row.enrolled_at,
    noticed: row.noticed === 1,
    acceptedAt: row.accepted_at,
  };
}

/**
 * The pins of contact devices (including this user's other devices) in the profile store: trust on first use,
 * key changes held until accepted, new devices noticed or held as the trust service decides
 * (src/main/core/trust). Only the trust service creates one in the product.
 */
export function createPinStore(
  store: ProfileStore,
  options: { audit?: AuditLog; now?: () => Date } = {},
): PinStore {
  const db = store.db;
  const now = options.now ?? (() => new Date());
  const audit = options.audit ?? createAuditLog(store, now);
  const select = db.prepare('SELECT * FROM contact_device_pins WHERE user_id = ? AND device_id = ?');
  const read = (userId: string, deviceId: string) => select.get(userId, deviceId) as PinRow | undefined;
  const baseline = db.prepare('SELECT 1 FROM trust_baselines WHERE user_id = ?');
  const addBaseline = db.prepare('INSERT OR IGNORE INTO trust_baselines (user_id, listed_at) VALUES (?, ?)');

  /** Marks an existing pin revoked (once; audited). Call inside a transaction. */
  const markRevoked = (entry: ContactDeviceEntry, row: PinRow | undefined, at: string): void => {
    if (!row || row.revoked_at !== null) return;
    db.prepare(
      'UPDATE contact_device_pins SET revoked_at = ?, revocation_seen_at = ? WHERE user_id = ? AND device_id = ?',
    ).run(entry.revokedAt ?? at, at, entry.userId, entry.deviceId);
    audit.append({ kind: 'device-revoked', at, details: { userId: entry.userId, deviceId: entry.deviceId } });
  };

  return {
    async checkContactDevice(entry, firstSight = { noticed: false, accepted: true }) {
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
          const name = entry.deviceName ?? null;
          db.prepare(
            `INSERT INTO contact_device_pins
               (user_id, device_id, signing_public_key, encryption_public_key, first_seen_at, pinned_at,
                device_name, enrolled_at, noticed, accepted_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            entry.userId,
            entry.deviceId,
            entry.signingPublicKey,
            entry.encryptionPublicKey,
            at,
            at,
            name,
            entry.createdAt,
            firstSight.noticed ? 1 : 0,
            firstSight.accepted ? at : null,
          );
          audit.append({
            kind: 'device-first-seen',
            at,
            details: {
              userId: entry.userId,
              deviceId: entry.deviceId,
              deviceName: name,
              newDevice: firstSight.noticed,
              accepted: firstSight.accepted,
              revoked: entry.revoked === true,
            },
          });
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

    acceptNewDevice(userId, deviceId) {
      return store.transaction(() => {
        const row = read(userId, deviceId);
        if (!row || row.accepted_at !== null || row.revoked_at !== null) return false;
        const at = now().toISOString();
        db.prepare('UPDATE contact_device_pins SET accepted_at = ? WHERE user_id = ? AND device_id = ?').run(
          at,
          userId,
          deviceId,
        );
        audit.append({
          kind: 'device-accepted',
          at,
          details: { userId, deviceId, deviceName: row.device_name },
        });
        return true;
      });
    },

    isSendAllowed(userId, deviceId) {
      const row = read(userId, deviceId);
      return (
        !!row &&
        row.revoked_at === null &&
        row.pending_signing_public_key === null &&
        row.accepted_at !== null
      );
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

    noticedFor(userIds) {
      const wanted = [...new Set(userIds)];
      if (wanted.length === 0) return [];
      const out: PinnedDevice[] = [];
      const byUser = db.prepare(
        'SELECT * FROM contact_device_pins WHERE user_id = ? AND noticed = 1 ORDER BY first_seen_at, device_id',
      );
      for (const userId of wanted) out.push(...(byUser.all(userId) as PinRow[]).map(toPinned));
      return out.sort((a, b) => (a.firstSeenAt < b.firstSeenAt ? -1 : a.firstSeenAt > b.firstSeenAt ? 1 : 0));
    },

    hasBaseline: (userId) => baseline.get(userId) !== undefined,

    markBaseline(userIds) {
      const at = now().toISOString();
      store.transaction(() => {
        for (const userId of new Set(userIds)) addBaseline.run(userId, at);
      });
    },
  };
}
