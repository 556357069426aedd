import { HubEvent, HubMethod, type Device } from '../../../shared/hub-protocol';
import type { AuditEvent, AuditLog } from '../audit';
import { fromBase64 } from '../crypto';
import { AppError } from '../errors';
import type { HubClient } from '../hub';
import {
  fingerprint,
  safetyNumber,
  signDirectoryEntry,
  verifyDirectoryEntry,
  type DeviceIdentity,
  type LoadedDevice,
  type PinCheck,
  type PinStore,
} from '../keys';

export type ContactDeviceStatus = 'trusted' | 'new' | 'key-changed' | 'revoked' | 'invalid-signature';

/** One device of a contact as the app shows it and as the messaging engine decides whom to seal to. */
export interface ContactDevice {
  userId: string;
  deviceId: string;
  /**
   * - 'new': first seen now, pinned (trust on first use);
   * - 'trusted': the directory shows the pinned keys;
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
}

/** This device, as far as comparing keys needs it. */
export type OwnDevice = Pick<DeviceIdentity, 'userId' | 'deviceId' | 'signingPublicKey'>;

type DirectoryHub = Pick<HubClient, 'call'>;

const maxIdsPerCall = 500;

/**
 * Registers this device's self-signed entry in the hub's key directory and remembers it on the hub client,
 * so every reconnect binds it again (and registers it again should the hub have lost it). Registering the
 * same entry again is harmless (`created: false`). Errors: HubCallError (`conflict`: the id is taken with
 * other keys; `device_revoked`), `hub_protocol_error` if the hub's stored record is not what was sent.
 */
export async function registerOwnDevice(
  hub: Pick<HubClient, 'call' | 'bindDevice'>,
  device: LoadedDevice,
): Promise<{ device: Device; created: boolean }> {
  const entry = signDirectoryEntry(device);
  const result = await hub.call(HubMethod.RegisterDevice, entry);
  const stored = result.device;
  if (
    stored.deviceId !== entry.deviceId ||
    stored.userId !== device.userId ||
    stored.signingPublicKey !== entry.signingPublicKey ||
    stored.encryptionPublicKey !== entry.encryptionPublicKey ||
    stored.selfSignature !== entry.selfSignature ||
    stored.createdAt !== entry.createdAt
  ) {
    throw new AppError(
      'hub_protocol_error',
      'The key directory answered with another record than the one registered; it was not used.',
    );
  }
  await hub.bindDevice(device.deviceId, { registration: entry });
  return result;
}

function statusOf(check: PinCheck): ContactDeviceStatus {
  return check === 'new-pinned' ? 'new' : check === 'match' ? 'trusted' : 'key-changed';
}

/**
 * The devices of these users from the key directory, each checked: its self-signature verified, then its
 * keys compared with the pin (pinned on first sight). This device itself is left out; devices of users that
 * were not asked for are ignored. A device whose entry fails verification is reported as
 * 'invalid-signature' and is never sendable.
 */
export async function contactDevices(
  hub: DirectoryHub,
  pins: PinStore,
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
  const out: ContactDevice[] = [];
  for (const device of listed) {
    if (device.deviceId === own.deviceId || !requested.has(device.userId)) continue;
    const key = `${device.userId}\u0000${device.deviceId}`;
    if (seen.has(key)) continue;
    seen.add(key);

    const valid = await verifyDirectoryEntry(device);
    let status: ContactDeviceStatus;
    if (!valid) {
      // The pin store records a revocation even from an entry it cannot trust, then refuses the entry.
      if (device.revoked) await pins.checkContactDevice(device).catch(() => undefined);
      status = device.revoked ? 'revoked' : 'invalid-signature';
    } else {
      status = statusOf(await pins.checkContactDevice(device));
      if (device.revoked || pins.get(device.userId, device.deviceId)?.revoked) status = 'revoked';
    }
    const sendAllowed =
      valid &&
      (status === 'new' || status === 'trusted') &&
      pins.isSendAllowed(device.userId, device.deviceId);
    const readableKey = valid && fromBase64(device.signingPublicKey, 32) !== null;
    out.push({
      userId: device.userId,
      deviceId: device.deviceId,
      status,
      entryVerified: valid,
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
      createdAt: device.createdAt,
      registeredAt: device.registeredAt,
      revokedAt: device.revokedAt,
      lastSeenAt: device.lastSeenAt,
    });
  }
  return out;
}

/**
 * The user accepted a contact device's new keys (after comparing the safety number): re-pins to them and
 * returns the audit record of it. Throws `invalid_args` when no key change is waiting for that device.
 */
export function acceptKeyChange(
  pins: PinStore,
  audit: AuditLog,
  userId: string,
  deviceId: string,
): AuditEvent {
  const before = audit.list({ limit: 1 })[0]?.seq ?? 0;
  if (!pins.acceptKeyChange(userId, deviceId)) {
    throw new AppError('invalid_args', 'No key change is waiting for this device.');
  }
  // The pin store audits the acceptance in its profile's log; record it here only if that is another log.
  const latest = audit.list({ limit: 1 })[0];
  if (
    latest &&
    latest.seq > before &&
    latest.kind === 'key-change-accepted' &&
    latest.details.userId === userId &&
    latest.details.deviceId === deviceId
  ) {
    return latest;
  }
  return audit.append({ kind: 'key-change-accepted', details: { userId, deviceId } });
}

/** Revokes one of the signed-in user's devices in the key directory (the hub refuses others' devices). */
export async function revokeOwnDevice(hub: DirectoryHub, deviceId: string): Promise<Device> {
  return (await hub.call(HubMethod.RevokeDevice, { deviceId })).device;
}

export interface OwnDeviceRevoked {
  deviceId: string;
  /** 'event': the hub pushed DeviceRevoked; 'bind': a (re)connect found the device revoked. */
  via: 'event' | 'bind';
  revokedAt: string | null;
}

/**
 * Calls `handler` once when the device bound on this hub client is revoked — told by the hub's
 * `DeviceRevoked` event, or found on a reconnect (Hello refused with `device_revoked`) when the event was
 * missed while offline. The session layer signs out and wipes the profile. Returns an unsubscribe function.
 */
export function onOwnDeviceRevoked(
  hub: Pick<HubClient, 'on' | 'onBindFailed' | 'boundDeviceId'>,
  handler: (revoked: OwnDeviceRevoked) => void,
): () => void {
  const told = new Set<string>();
  const fire = (revoked: OwnDeviceRevoked) => {
    if (told.has(revoked.deviceId)) return;
    told.add(revoked.deviceId);
    handler(revoked);
  };
  const offEvent = hub.on(HubEvent.DeviceRevoked, (event) => {
    if (event.deviceId !== hub.boundDeviceId()) return;
    fire({ deviceId: event.deviceId, via: 'event', revokedAt: event.revokedAt });
  });
  const offBind = hub.onBindFailed((failure) => {
    if (failure.error.hubCode !== 'device_revoked') return;
    fire({ deviceId: failure.deviceId, via: 'bind', revokedAt: null });
  });
  return () => {
    offEvent();
    offBind();
  };
}
