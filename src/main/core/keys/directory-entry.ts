import { fromBase64, lengthPrefixed, sodium, toBase64 } from '../crypto';
import type { LoadedDevice } from './device';

/**
 * A device's record for the hub's key directory: exactly the `RegisterDevice` payload of docs/hub-protocol.md
 * (keys and signature in standard base64; `createdAt` is stored verbatim by the hub).
 */
export interface DirectoryEntry {
  deviceId: string;
  signingPublicKey: string;
  encryptionPublicKey: string;
  selfSignature: string;
  createdAt: string;
}

export const deviceEntryDomain = 'clinical-messenger/device-entry/v1';

/**
 * The bytes a device self-signature covers. Each part is a 4-byte big-endian length and its bytes, in order:
 *
 *   'clinical-messenger/device-entry/v1' || userId (UTF-8) || deviceId (UTF-8)
 *     || signing public key (32 raw bytes) || encryption public key (32 raw bytes) || createdAt (UTF-8)
 *
 * The domain tag keeps this signature from being valid as any other signature of the device (envelopes,
 * receipts); binding the userId means the hub cannot move a device to another user.
 */
export function deviceEntryBytes(fields: {
  userId: string;
  deviceId: string;
  signingPublicKey: Uint8Array;
  encryptionPublicKey: Uint8Array;
  createdAt: string;
}): Uint8Array {
  return lengthPrefixed(deviceEntryDomain, [
    fields.userId,
    fields.deviceId,
    fields.signingPublicKey,
    fields.encryptionPublicKey,
    fields.createdAt,
  ]);
}

/** This device's self-signed directory entry, ready to send as `RegisterDevice`. */
export function signDirectoryEntry(device: LoadedDevice): DirectoryEntry {
  const selfSignature = device.sign(deviceEntryBytes(device));
  return {
    deviceId: device.deviceId,
    signingPublicKey: toBase64(device.signingPublicKey),
    encryptionPublicKey: toBase64(device.encryptionPublicKey),
    selfSignature: toBase64(selfSignature),
    createdAt: device.createdAt,
  };
}

/**
 * True only if the entry is well formed (strict base64, 32-byte keys, 64-byte signature) and its
 * self-signature, made by its own signing key, covers exactly these fields for this user.
 */
export async function verifyDirectoryEntry(entry: DirectoryEntry & { userId: string }): Promise<boolean> {
  const s = await sodium();
  if (typeof entry.userId !== 'string' || typeof entry.deviceId !== 'string') return false;
  if (typeof entry.createdAt !== 'string') return false;
  const signingPublicKey = fromBase64(entry.signingPublicKey, s.crypto_sign_PUBLICKEYBYTES);
  const encryptionPublicKey = fromBase64(entry.encryptionPublicKey, s.crypto_box_PUBLICKEYBYTES);
  const signature = fromBase64(entry.selfSignature, s.crypto_sign_BYTES);
  if (!signingPublicKey || !encryptionPublicKey || !signature) return false;
  const bytes = deviceEntryBytes({ ...entry, signingPublicKey, encryptionPublicKey });
  try {
    return s.crypto_sign_verify_detached(signature, bytes, signingPublicKey);
  } catch {
    return false;
  }
}
