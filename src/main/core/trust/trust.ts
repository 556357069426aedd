import type { AuditLog } from '../audit';
import { AppError } from '../errors';
import {
  createPinStore,
  verifyDirectoryEntry,
  type ContactDeviceEntry,
  type PinCheck,
  type PinnedDevice,
} from '../keys';
import type { ProfileStore } from '../store';

/**
 * Machine policy `newDeviceTrust` (docs/key-design.md, "New devices"):
 * - 'notice': a new device of a known colleague is used at once, and every conversation with them says so;
 * - 'verify': nothing reaches a new device (no user key it signed is sealed to, no own-device release, its
 *   envelopes and grants are not accepted) until the user compares safety numbers and accepts it.
 */
export type NewDeviceTrust = 'notice' | 'verify';

/** One directory entry as the trust service judged it. */
export interface ObservedDevice {
  entry: ContactDeviceEntry;
  /** The entry's self-signature verified. */
  valid: boolean;
  /** Against the pin (null when the entry did not verify). */
  check: PinCheck | null;
  /** The pin after the check (null when never pinned). */
  pin: PinnedDevice | null;
}

/** A device first seen after its user was already known here: what every conversation with them shows. */
export interface DeviceNotice {
  userId: string;
  deviceId: string;
  /** As the device signed it; null for a version 1 entry ("an earlier workstation"). */
  deviceName: string | null;
  /** The enrolment time the device signed. */
  enrolledAt: string | null;
  /** When this profile first saw it in the directory. */
  seenAt: string;
  /** 'in-use': used since first seen ("notice"); 'awaiting-acceptance' / 'accepted' ("verify"); 'revoked'. */
  state: 'in-use' | 'awaiting-acceptance' | 'accepted' | 'revoked';
}

/**
 * The one owner of contact-key trust in a profile: pins (trust on first use), key changes and their
 * acceptance, new devices (noticed, or held until accepted, as `newDeviceTrust` says), the notices about
 * them, and what this profile knows of revocations. Created once per open profile (by its hub link) and
 * shared by the directory view and the messaging engine, so both always see the same decisions.
 */
export interface TrustService {
  readonly newDeviceTrust: NewDeviceTrust;
  readonly selfUserId: string;
  /**
   * Judges one directory listing of these users' devices: verifies each entry, pins what is seen for the first
   * time (a baseline on the first listing of a user; a new device after that, noticed and — under "verify" —
   * held), compares the rest with their pins, and records revocations. Entries of other users are ignored.
   */
  observe(userIds: readonly string[], entries: readonly ContactDeviceEntry[]): Promise<ObservedDevice[]>;
  pin(userId: string, deviceId: string): PinnedDevice | null;
  /** Whether a device may be relied on for new statements (user keys, grants, releases, envelopes). */
  isAccepted(userId: string, deviceId: string): boolean;
  isSendAllowed(userId: string, deviceId: string): boolean;
  /**
   * When the device's revocation took effect for this profile (ms since the epoch): the earlier of the time
   * the directory gave when this profile first learned of it and the time it learned of it; null if none.
   */
  revocationCutoff(userId: string, deviceId: string): number | null;
  /** The user compared safety numbers and accepts the device's changed keys (audited); `invalid_args` if none. */
  acceptKeyChange(userId: string, deviceId: string): void;
  /** The user compared safety numbers and accepts a new device that waits (audited); `invalid_args` if none. */
  acceptNewDevice(userId: string, deviceId: string): void;
  /** The new devices of these users (in the order first seen). */
  notices(userIds: readonly string[]): DeviceNotice[];
  /** Told (with the user ids) when new devices were first seen or accepted. */
  onChange(handler: (userIds: string[]) => void): () => void;
}

export interface TrustOptions {
  store: ProfileStore;
  audit: AuditLog;
  selfUserId: string;
  newDeviceTrust?: NewDeviceTrust;
  now?: () => Date;
}

export function createTrustService(options: TrustOptions): TrustService {
  const policy: NewDeviceTrust = options.newDeviceTrust ?? 'notice';
  const pins = createPinStore(options.store, {
    audit: options.audit,
    ...(options.now ? { now: options.now } : {}),
  });
  const handlers = new Set<(userIds: string[]) => void>();
  const tell = (userIds: Iterable<string>): void => {
    const list = [...new Set(userIds)];
    if (list.length === 0) return;
    for (const handler of [...handlers]) handler(list);
  };

  const stateOf = (pin: PinnedDevice): DeviceNotice['state'] =>
    pin.revoked
      ? 'revoked'
      : pin.acceptedAt === null
        ? 'awaiting-acceptance'
        : pin.acceptedAt === pin.firstSeenAt
          ? 'in-use'
          : 'accepted';

  return {
    newDeviceTrust: policy,
    selfUserId: options.selfUserId,

    async observe(userIds, entries) {
      const requested = new Set(userIds);
      // Known before this listing: a device that appears now is new (a baseline listing pins silently).
      const known = new Map([...requested].map((u) => [u, pins.hasBaseline(u)]));
      const out: ObservedDevice[] = [];
      const noticed = new Set<string>();
      for (const entry of entries) {
        if (!requested.has(entry.userId)) continue;
        const valid = await verifyDirectoryEntry(entry);
        let check: PinCheck | null = null;
        if (!valid) {
          // The pin store records a revocation even from an entry it cannot trust, then refuses the entry.
          if (entry.revoked) await pins.checkContactDevice(entry).catch(() => undefined);
        } else {
          const isNew = known.get(entry.userId) === true && !entry.revoked;
          check = await pins.checkContactDevice(entry, {
            noticed: isNew,
            accepted: !isNew || policy === 'notice',
          });
          if (check === 'new-pinned' && isNew) noticed.add(entry.userId);
        }
        out.push({ entry, valid, check, pin: pins.get(entry.userId, entry.deviceId) });
      }
      pins.markBaseline([...requested]);
      tell(noticed);
      return out;
    },

    pin: (userId, deviceId) => pins.get(userId, deviceId),

    isAccepted(userId, deviceId) {
      const pin = pins.get(userId, deviceId);
      return pin !== null && pin.acceptedAt !== null;
    },

    isSendAllowed: (userId, deviceId) => pins.isSendAllowed(userId, deviceId),

    revocationCutoff(userId, deviceId) {
      const pin = pins.get(userId, deviceId);
      if (!pin || !pin.revoked) return null;
      const times = [pin.revokedAt, pin.revocationSeenAt]
        .map((t) => (t === null ? NaN : Date.parse(t)))
        .filter((t) => Number.isFinite(t));
      // A revocation whose time cannot be read counts from the beginning: nothing of that device is trusted.
      return times.length > 0 ? Math.min(...times) : 0;
    },

    acceptKeyChange(userId, deviceId) {
      if (!pins.acceptKeyChange(userId, deviceId)) {
        throw new AppError('invalid_args', 'No key change is waiting for this device.');
      }
    },

    acceptNewDevice(userId, deviceId) {
      if (!pins.acceptNewDevice(userId, deviceId)) {
        throw new AppError('invalid_args', 'No new device is waiting for acceptance under this id.');
      }
      tell([userId]);
    },

    notices(userIds) {
      return pins.noticedFor(userIds).map((pin) => ({
        userId: pin.userId,
        deviceId: pin.deviceId,
        deviceName: pin.deviceName,
        enrolledAt: pin.enrolledAt,
        seenAt: pin.firstSeenAt,
        state: stateOf(pin),
      }));
    },

    onChange(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
  };
}
