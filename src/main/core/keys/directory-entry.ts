import { fromBase64, lengthPrefixed, sodium, toBase64 } from '../crypto';
import type { LoadedDevice } from './device';

/**
 * A device's record for the hub's key directory: the entry part of the `RegisterDevice` payload of
 * docs/hub-protocol.md (keys and signature in standard base64; `createdAt` is stored verbatim by the hub).
 * `deviceName` (the workstation's name, e.g. "WARD3B-PC02") is present in version 2 entries only: a device
 * enrolled before names existed keeps its version 1 entry, which has none.
 */
export interface DirectoryEntry {
  deviceId: string;
  signingPublicKey: string;
  encryptionPublicKey: string;
  selfSignature: string;
  createdAt: string;
  deviceName?: string | null;
}

/** Version 1 entries (no device name): still verified, for devices enrolled before names were signed. */
export const deviceEntryDomain = 'clinical-messenger/device-entry/v1';
/** Version 2 entries: the device name is signed too. */
export const deviceEntryDomainV2 = 'clinical-messenger/device-entry/v2';
/** The statement a device signs to prove, at registration, that it holds its signing key. */
export const deviceRegistrationDomain = 'clinical-messenger/device-registration/v1';

/** Longest device name; a longer host name is cut. */
export const maxDeviceNameLength = 64;
/** What a device name may hold (checked by the hub too): letters, digits, space, `.`, `_` and `-`. */
export const deviceNamePattern = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/**
 * A workstation's name as the directory shows it: the host name upper-cased, characters outside the allowed
 * set replaced by `-`, at most 64 characters; 'WORKSTATION' when nothing is left.
 */
export function normalizeDeviceName(name: string): string {
  const cleaned = name
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9 ._-]/g, '-')
    .replace(/^[^A-Z0-9]+/, '')
    .slice(0, maxDeviceNameLength)
    .trimEnd();
  return cleaned.length > 0 ? cleaned : 'WORKSTATION';
}

/**
 * The bytes a device self-signature covers. Each part is a 4-byte big-endian length and its bytes, in order:
 *
 *   version 1: 'clinical-messenger/device-entry/v1' || userId (UTF-8) || deviceId (UTF-8)
 *     || signing public key (32 raw bytes) || encryption public key (32 raw bytes) || createdAt (UTF-8)
 *   version 2: 'clinical-messenger/device-entry/v2' || the same five fields || deviceName (UTF-8)
 *
 * The domain tag keeps this signature from being valid as any other signature of the device (envelopes,
 * receipts) and a version 1 signature from being valid for a named entry (so a name cannot be added to, or
 * stripped from, an entry); binding the userId means the hub cannot move a device to another user.
 */
export function deviceEntryBytes(fields: {
  userId: string;
  deviceId: string;
  signingPublicKey: Uint8Array;
  encryptionPublicKey: Uint8Array;
  createdAt: string;
  deviceName?: string | null;
}): Uint8Array {
  const common = [
    fields.userId,
    fields.deviceId,
    fields.signingPublicKey,
    fields.encryptionPublicKey,
    fields.createdAt,
  ];
  return typeof fields.deviceName === 'string'
    ? lengthPrefixed(deviceEntryDomainV2, [...common, fields.deviceName])
    : lengthPrefixed(deviceEntryDomain, common);
}

/** This device's self-signed directory entry (version 2 when the device has a name), ready for `RegisterDevice`. */
export function signDirectoryEntry(device: LoadedDevice): DirectoryEntry {
  const selfSignature = device.sign(deviceEntryBytes(device));
  return {
    deviceId: device.deviceId,
    signingPublicKey: toBase64(device.signingPublicKey),
    encryptionPublicKey: toBase64(device.encryptionPublicKey),
    selfSignature: toBase64(selfSignature),
    createdAt: device.createdAt,
    ...(typeof device.deviceName === 'string' ? { deviceName: device.deviceName } : {}),
  };
}

/**
 * The bytes a registration proof signs: 'clinical-messenger/device-registration/v1' || userId (UTF-8)
 * || deviceId (UTF-8) || nonce (the hub's challenge, raw bytes), each length-prefixed as above.
 */
export function registrationProofBytes(userId: string, deviceId: string, nonce: Uint8Array): Uint8Array {
  return lengthPrefixed(deviceRegistrationDomain, [userId, deviceId, nonce]);
}

/**
 * Proves to the hub that this device holds its signing key: an Ed25519 signature, by the device key, over
 * the hub's fresh challenge bound to this user and device. Null when the nonce is not base64.
 */
export function signRegistrationProof(
  device: Pick<LoadedDevice, 'userId' | 'deviceId' | 'sign'>,
  nonce: string,
): string | null {
  const bytes = fromBase64(nonce);
  if (!bytes || bytes.byteLength < 16 || bytes.byteLength > 64) return null;
  return toBase64(device.sign(registrationProofBytes(device.userId, device.deviceId, bytes)));
}

/**
 * True only if the entry is well formed (strict base64, 32-byte keys, 64-byte signature, a device name of the
 * allowed form when there is one) and its self-signature, made by its own signing key, covers exactly these
 * fields for this user: version 2 bytes when the entry carries a name, version 1 bytes when it carries none.
 */
export async function verifyDirectoryEntry(entry: DirectoryEntry & { userId: string }): Promise<boolean> {
  const s = await sodium();
  if (typeof entry.userId !== 'string' || typeof entry.deviceId !== 'string') return false;
  if (typeof entry.createdAt !== 'string') return false;
  const name = entry.deviceName ?? null;
  if (name !== null && (typeof name !== 'string' || !deviceNamePattern.test(name))) return false;
  const signingPublicKey = fromBase64(entry.signingPublicKey, s.crypto_sign_PUBLICKEYBYTES);
  const encryptionPublicKey = fromBase64(entry.encryptionPublicKey, s.crypto_box_PUBLICKEYBYTES);
  const signature = fromBase64(entry.selfSignature, s.crypto_sign_BYTES);
  if (!signingPublicKey || !encryptionPublicKey || !signature) return false;
  const bytes = deviceEntryBytes({ ...entry, deviceName: name, signingPublicKey, encryptionPublicKey });
  try {
    return s.crypto_sign_verify_detached(signature, bytes, signingPublicKey);
  } catch {
    return false;
  }
}
