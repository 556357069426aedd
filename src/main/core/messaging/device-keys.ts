import { fromBase64, toBase64 } from '../crypto';
import { contactDevices, type ContactDevice } from '../directory';
import { AppError } from '../errors';
import type { HubClient } from '../hub';
import type { LoadedDevice } from '../keys';
import type { TrustService } from '../trust';

/** What opening an envelope needs to know about its sender device (see `SenderKey` in envelope/open.ts). */
export interface SenderDevice {
  /** The pinned signing key (the old one while a key change is unaccepted). */
  signingPublicKey: Uint8Array;
  /** False for a new device held under newDeviceTrust "verify" until someone accepts it. */
  accepted: boolean;
  /** When its revocation took effect for this profile (ms since the epoch), or null. */
  revokedAt: number | null;
}

/**
 * The directory's devices as the messaging engine needs them: the signing key to verify a sender with (the
 * pinned key while a change is unaccepted, so a swapped key cannot sign in someone's name), whether the device
 * is accepted and when it was revoked (as the trust service knows it), and the devices a new message is for.
 */
export interface DeviceKeys {
  /** The pinned signing key of a device from the checked directory, whatever its state (for reports). */
  senderKey(userId: string, deviceId: string): Uint8Array | null;
  /** The sender as an envelope is judged: key, acceptance, revocation. */
  sender(userId: string, deviceId: string): SenderDevice | null;
  /**
   * The signing key of an accepted device (revoked or not): what user-key records and grants it signed are
   * verified with. A new device held under "verify" has none until it is accepted.
   */
  trustedKey(userId: string, deviceId: string): Uint8Array | null;
  /** The key of an accepted device that is not revoked (for fresh statements: key releases). */
  activeKey(userId: string, deviceId: string): Uint8Array | null;
  /** Fetches (and trust-checks) the devices of these users; needed before the lookups above see them. */
  refresh(userIds: string[]): Promise<ContactDevice[]>;
  has(userId: string, deviceId: string): boolean;
  /**
   * The devices a new message to these users is sealed to: fresh from the directory when reachable (at most
   * `maxAgeMs` old), otherwise the last checked list, so a message written offline still goes to the outbox.
   */
  devicesFor(userIds: string[], maxAgeMs?: number): Promise<ContactDevice[]>;
  /** Every signing key verification relied on (for verification reports), this device's included. */
  known(): { userId: string; deviceId: string; signingPublicKey: string }[];
}

export function createDeviceKeys(
  hub: Pick<HubClient, 'call'>,
  trust: TrustService,
  own: LoadedDevice,
): DeviceKeys {
  const keys = new Map<string, Uint8Array | null>();
  const state = new Map<string, { accepted: boolean; revokedAt: number | null }>();
  const devicesOfUser = new Map<string, { devices: ContactDevice[]; at: number }>();
  const id = (userId: string, deviceId: string) => `${userId}\u0000${deviceId}`;
  const isOwn = (userId: string, deviceId: string) => userId === own.userId && deviceId === own.deviceId;
  const api: DeviceKeys = {
    senderKey(userId, deviceId) {
      if (isOwn(userId, deviceId)) return own.signingPublicKey;
      return keys.get(id(userId, deviceId)) ?? null;
    },
    sender(userId, deviceId) {
      if (isOwn(userId, deviceId))
        return { signingPublicKey: own.signingPublicKey, accepted: true, revokedAt: null };
      const key = keys.get(id(userId, deviceId)) ?? null;
      if (!key) return null;
      const s = state.get(id(userId, deviceId));
      return { signingPublicKey: key, accepted: s?.accepted ?? false, revokedAt: s?.revokedAt ?? null };
    },
    trustedKey(userId, deviceId) {
      const s = api.sender(userId, deviceId);
      return s && s.accepted ? s.signingPublicKey : null;
    },
    activeKey(userId, deviceId) {
      const s = api.sender(userId, deviceId);
      return s && s.accepted && s.revokedAt === null ? s.signingPublicKey : null;
    },
    has: (userId, deviceId) => keys.has(id(userId, deviceId)),
    known() {
      const out = [
        { userId: own.userId, deviceId: own.deviceId, signingPublicKey: toBase64(own.signingPublicKey) },
      ];
      for (const [key, value] of keys) {
        const [userId, deviceId] = key.split('\u0000') as [string, string];
        if (value) out.push({ userId, deviceId, signingPublicKey: toBase64(value) });
      }
      return out;
    },
    async devicesFor(userIds, maxAgeMs = 30_000) {
      const cached = userIds.map((u) => devicesOfUser.get(u));
      const fresh = cached.every((c) => c !== undefined && Date.now() - c.at <= maxAgeMs);
      if (!fresh) {
        try {
          return await api.refresh(userIds);
        } catch (error) {
          const offline = error instanceof AppError && error.code === 'hub_unreachable';
          if (!offline || cached.some((c) => c === undefined)) throw error;
        }
      }
      return cached.flatMap((c) => c!.devices);
    },
    async refresh(userIds) {
      const devices = await contactDevices(hub, trust, userIds, own);
      const at = Date.now();
      for (const userId of userIds)
        devicesOfUser.set(userId, { devices: devices.filter((d) => d.userId === userId), at });
      for (const device of devices) {
        const pinned = trust.pin(device.userId, device.deviceId);
        // Only a key this device saw in a verified entry: the pin, or the entry itself when it verifies.
        const trusted = pinned?.signingPublicKey ?? (device.entryVerified ? device.signingPublicKey : null);
        const key = trusted ? fromBase64(trusted, 32) : null;
        keys.set(id(device.userId, device.deviceId), key);
        state.set(id(device.userId, device.deviceId), {
          accepted: pinned !== null && pinned.acceptedAt !== null,
          revokedAt:
            trust.revocationCutoff(device.userId, device.deviceId) ??
            (device.status === 'revoked' ? revokedAtOf(device) : null),
        });
      }
      return devices;
    },
  };
  return api;
}

/** A revoked device this profile never pinned: from the directory's time, or from the start if it has none. */
function revokedAtOf(device: ContactDevice): number {
  const t = device.revokedAt === null ? NaN : Date.parse(device.revokedAt);
  return Number.isFinite(t) ? t : 0;
}
