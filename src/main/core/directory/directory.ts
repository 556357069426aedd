import { HubMethod, type Device, type HubRequests } from '../../../shared/hub-protocol';
import { fromBase64 } from '../crypto';
import { AppError } from '../errors';
import type { HubClient } from '../hub';
import {
  fingerprint,
  safetyNumber,
  signDirectoryEntry,
  signRegistrationProof,
  type DeviceIdentity,
  type LoadedDevice,
} from '../keys';
import type { ObservedDevice, TrustService } from '../trust';

export type ContactDeviceStatus =
  'trusted' | 'new' | 'unaccepted' | 'key-changed' | 'revoked' | 'invalid-signature';

/** One device of a contact as the app shows it and as the messaging engine decides whom to seal to. */
export interface ContactDevice {
  userId: string;
  deviceId: string;
  /**
   * - 'new': first seen now, pinned (trust on first use);
   * - 'trusted': the directory shows the pinned keys;
   * - 'unaccepted': a new device held under newDeviceTrust "verify" until the user accepts it;
   * - 'key-changed': the directory shows other keys than the pin; blocked until the user accepts;
   * - 'revoked': revoked in the directory (or earlier: a pin once revoked stays revoked);
   * - 'invalid-signature': the entry is not signed by its own key; never trusted, never pinned.
   */
  status: ContactDeviceStatus;
  /** The entry's self-signature verified (a revoked entry that does not verify is listed but never trusted). */
  entryVerified: boolean;
  /** Only a pinned, unrevoked device with verified keys and no unaccepted change may be sent to. */
  sendAllowed: boolean;
  /** Own device vs. this device's signing key as the directory shows it; null for 'invalid-signature'. */
  safetyNumber: string | null;
  /** Of the signing key the directory shows; null for 'invalid-signature'. */
  fingerprint: string | null;
  /** The keys as the directory lists them (base64); for 'key-changed' these are the NEW keys. */
  signingPublicKey: string;
  encryptionPublicKey: string;
  createdAt: string;
  registeredAt: string;
  revokedAt: string | null;
  /** When a connection last bound this device (its last sign-in), as the hub says; null if never. */
  lastSeenAt: string | null;
  /** The workstation name the device signed (version 2 entries); null for a version 1 or unverified entry. */
  deviceName: string | null;
  /** First seen after its user was already known here (a notice is shown for it). */
  newDevice: boolean;
  /** Usable: pinned and accepted (false while a new device waits under "verify", or when never pinned). */
  accepted: boolean;
  /** When this profile first saw it (null when never pinned). */
  firstSeenAt: string | null;
}

/** This device, as far as comparing keys needs it. */
export type OwnDevice = Pick<DeviceIdentity, 'userId' | 'deviceId' | 'signingPublicKey'>;

type DirectoryHub = Pick<HubClient, 'call'>;

const maxIdsPerCall = 500;

/**
 * Registers this device's self-signed entry in the hub's key directory, with a proof that it holds its signing
 * key (a signature over the hub's fresh challenge), and remembers it on the hub client, so every reconnect
 * binds it again (and registers it again, with a new challenge, should the hub have lost it). Registering the
 * same entry again is harmless (`created: false`). Errors: HubCallError (`conflict`: the id is taken with
 * other keys; `device_revoked`; `invalid_proof`), `hub_protocol_error` if the hub's challenge is unusable or its
 * stored record is not what was sent.
 */
export async function registerOwnDevice(
  hub: Pick<HubClient, 'call' | 'bindDevice'>,
  device: LoadedDevice,
): Promise<{ device: Device; created: boolean }> {
  const entry = signDirectoryEntry(device);
  const registration = (nonce: string): HubRequests['RegisterDevice'] => {
    const proof = signRegistrationProof(device, nonce);
    if (proof === null) {
      throw new AppError(
        'hub_protocol_error',
        'The key directory sent a registration challenge that cannot be signed; nothing was registered.',
      );
    }
    const { deviceName, ...fields } = entry;
    return { ...fields, ...(typeof deviceName === 'string' ? { deviceName } : {}), nonce, proof };
  };
  const { nonce } = await hub.call(HubMethod.GetRegistrationChallenge, {});
  const result = await hub.call(HubMethod.RegisterDevice, registration(nonce));
  const stored = result.device;
  if (
    stored.deviceId !== entry.deviceId ||
    stored.userId !== device.userId ||
    stored.signingPublicKey !== entry.signingPublicKey ||
    stored.encryptionPublicKey !== entry.encryptionPublicKey ||
    stored.selfSignature !== entry.selfSignature ||
    stored.createdAt !== entry.createdAt ||
    (stored.deviceName ?? null) !== (entry.deviceName ?? null)
  ) {
    throw new AppError(
      'hub_protocol_error',
      'The key directory answered with another record than the one registered; it was not used.',
    );
  }
  await hub.bindDevice(device.deviceId, { registration });
  return result;
}

function statusOf(observed: ObservedDevice): ContactDeviceStatus {
  const { entry, valid, check, pin } = observed;
  if (!valid) return entry.revoked ? 'revoked' : 'invalid-signature';
  if (entry.revoked || pin?.revoked) return 'revoked';
  if (check === 'changed') return 'key-changed';
  if (pin && pin.acceptedAt === null) return 'unaccepted';
  return check === 'new-pinned' ? 'new' : 'trusted';
}

/**
 * The devices of these users from the key directory, each judged by the profile's trust service: its
 * self-signature verified, then its keys compared with the pin (pinned on first sight; a device that appears
 * after its user was first listed here is a new device, noticed, and under "verify" held until accepted).
 * This device itself is left out; devices of users that were not asked for are ignored. A device whose entry
 * fails verification is reported as 'invalid-signature' and is never sendable.
 */
export async function contactDevices(
  hub: DirectoryHub,
  trust: TrustService,
  userIds: readonly string[],
  own: OwnDevice,
): Promise<ContactDevice[]> {
  const wanted = [...new Set(userIds)];
  const requested = new Set(wanted);
  const listed: Device[] = [];
  for (let i = 0; i < wanted.length; i += maxIdsPerCall) {
    const { devices } = await hub.call(HubMethod.ListDevices, {
      userIds: wanted.slice(i, i + maxIdsPerCall),
    });
    listed.push(...devices);
  }

  const seen = new Set<string>();
  const entries: Device[] = [];
  for (const device of listed) {
    if (device.deviceId === own.deviceId || !requested.has(device.userId)) continue;
    const key = `${device.userId}\u0000${device.deviceId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push(device);
  }

  const observed = await trust.observe(wanted, entries);
  return observed.map((o, i): ContactDevice => {
    const device = entries[i]!;
    const status = statusOf(o);
    const sendAllowed =
      o.valid &&
      (status === 'new' || status === 'trusted') &&
      trust.isSendAllowed(device.userId, device.deviceId);
    const readableKey = o.valid && fromBase64(device.signingPublicKey, 32) !== null;
    return {
      userId: device.userId,
      deviceId: device.deviceId,
      status,
      entryVerified: o.valid,
      sendAllowed,
      safetyNumber: readableKey
        ? safetyNumber(
            { userId: own.userId, signingPublicKey: own.signingPublicKey },
            { userId: device.userId, signingPublicKey: device.signingPublicKey },
          )
        : null,
      fingerprint: readableKey ? fingerprint(device.signingPublicKey) : null,
      signingPublicKey: device.signingPublicKey,
      encryptionPublicKey: device.encryptionPublicKey,
      deviceName: o.valid ? (device.deviceName ?? null) : null,
      createdAt: device.createdAt,
      registeredAt: device.registeredAt,
      revokedAt: device.revokedAt,
      lastSeenAt: device.lastSeenAt,
      newDevice: o.pin?.noticed ?? false,
      accepted: o.pin !== null && o.pin.acceptedAt !== null,
      firstSeenAt: o.pin?.firstSeenAt ?? null,
    };
  });
}

/**
 * The user accepted a contact device's new keys (after comparing the safety number): the trust service
 * re-pins to them and audits it. Throws `invalid_args` when no key change is waiting for that device.
 */
export function acceptKeyChange(trust: TrustService, userId: string, deviceId: string): void {
  trust.acceptKeyChange(userId, deviceId);
}

/**
 * The user compared the safety number of a new device held under newDeviceTrust "verify" and accepts it
 * (audited); from now on it is used like any other. Throws `invalid_args` when it was not waiting.
 */
export function acceptNewDevice(trust: TrustService, userId: string, deviceId: string): void {
  trust.acceptNewDevice(userId, deviceId);
}

/** Revokes one of the signed-in user's devices in the key directory (the hub refuses others' devices). */
export async function revokeOwnDevice(hub: DirectoryHub, deviceId: string): Promise<Device> {
  return (await hub.call(HubMethod.RevokeDevice, { deviceId })).device;
}

// The hub's revocation news about this workstation's own device (and IT's signature on it) is read in
// src/main/core/revocation (onOwnDeviceRevoked).
