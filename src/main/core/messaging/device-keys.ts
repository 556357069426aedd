import { fromBase64, toBase64 } from '../crypto';
import { contactDevices, type ContactDevice } from '../directory';
import { AppError } from '../errors';
import type { HubClient } from '../hub';
import type { LoadedDevice, PinStore } from '../keys';

/**
 * The directory's devices as the messaging engine needs them: the signing key to verify a sender with (the
 * pinned key while a change is unaccepted, so a swapped key cannot sign in someone's name), and the devices
 * a new message is sealed to.
 */
export interface DeviceKeys {
  senderKey(userId: string, deviceId: string): Uint8Array | null;
  /** The verified signing key of a device that is not revoked (for fresh statements: key releases). */
  activeKey(userId: string, deviceId: string): Uint8Array | null;
  /** Fetches (and pin-checks) the devices of these users; needed before senderKey/recipients see them. */
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
  pins: PinStore,
  own: LoadedDevice,
): DeviceKeys {
  const keys = new Map<string, Uint8Array | null>();
  const revoked = new Set<string>();
  const devicesOfUser = new Map<string, { devices: ContactDevice[]; at: number }>();
  const id = (userId: string, deviceId: string) => `${userId}\u0000${deviceId}`;
  return {
    senderKey(userId, deviceId) {
      if (userId === own.userId && deviceId === own.deviceId) return own.signingPublicKey;
      return keys.get(id(userId, deviceId)) ?? null;
    },
    activeKey(userId, deviceId) {
      if (userId === own.userId && deviceId === own.deviceId) return own.signingPublicKey;
      return revoked.has(id(userId, deviceId)) ? null : (keys.get(id(userId, deviceId)) ?? null);
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
          return await this.refresh(userIds);
        } catch (error) {
          const offline = error instanceof AppError && error.code === 'hub_unreachable';
          if (!offline || cached.some((c) => c === undefined)) throw error;
        }
      }
      return cached.flatMap((c) => c!.devices);
    },
    async refresh(userIds) {
      const devices = await contactDevices(hub, pins, userIds, own);
      const at = Date.now();
      for (const userId of userIds)
        devicesOfUser.set(userId, { devices: devices.filter((d) => d.userId === userId), at });
      for (const device of devices) {
        const pinned = pins.get(device.userId, device.deviceId);
        // Only a key this device saw in a verified entry: the pin, or the entry itself when it verifies.
        const trusted = pinned?.signingPublicKey ?? (device.entryVerified ? device.signingPublicKey : null);
        const key = trusted ? fromBase64(trusted, 32) : null;
        keys.set(id(device.userId, device.deviceId), key);
        if (device.status === 'revoked') revoked.add(id(device.userId, device.deviceId));
      }
      return devices;
    },
  };
}
