import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { constantTimeEqual, fromBase64, sodium, toBase64 } from '../crypto';
import { AppError } from '../errors';
import { keychainAccount, type Keychain } from '../keychain';
import { deviceNamePattern, normalizeDeviceName } from './directory-entry';

/** The public identity of this device: what the hub's key directory and other users see. */
export interface DeviceIdentity {
  profileId: string;
  userId: string;
  deviceId: string;
  /** Ed25519 public key (32 bytes). */
  signingPublicKey: Uint8Array;
  /** X25519 public key (32 bytes): others seal message keys to it. */
  encryptionPublicKey: Uint8Array;
  /** ISO 8601 time of enrolment; part of the signed directory entry, so it never changes. */
  createdAt: string;
  /**
   * The workstation's name at enrolment ("WARD3B-PC02"), signed into the directory entry (version 2); null for
   * a device enrolled before names were signed (its entry stays version 1). Absent counts as null.
   */
  deviceName?: string | null;
}

/** A device whose private keys were loaded from the keychain. The keys stay inside these closures. */
export interface LoadedDevice extends DeviceIdentity {
  /** Ed25519 detached signature (64 bytes) over `bytes`. Callers domain-separate what they sign. */
  sign(bytes: Uint8Array): Uint8Array;
  /** Opens a `crypto_box_seal` sealed box addressed to this device; AppError `invalid_args` if it is not. */
  openSealed(sealed: Uint8Array): Uint8Array;
}

/**
 * The keychain entry `<profileId>/device-keys` holds ONE versioned JSON document with both key pairs, so the
 * keys of a device are written and replaced atomically (a keychain write is atomic per entry). One profile
 * has one device on this workstation; the device id is inside the entry.
 */
const DeviceKeysEntryV1 = z.object({
  v: z.literal(1),
  deviceId: z.string().min(1).max(128),
  userId: z.string().min(1).max(128),
  createdAt: z.string().min(1),
  /** Absent in entries written before device names were signed. */
  deviceName: z.string().regex(deviceNamePattern).optional(),
  signingPublicKey: z.string(),
  signingSecretKey: z.string(),
  encryptionPublicKey: z.string(),
  encryptionSecretKey: z.string(),
});
type DeviceKeysEntryV1 = z.infer<typeof DeviceKeysEntryV1>;

export function deviceKeysAccount(profileId: string): string {
  return keychainAccount(profileId, 'device-keys');
}

export interface EnrolOptions {
  profileId: string;
  userId: string;
  /** Replace an existing device of this profile (after it was revoked, or when its entry is corrupt). */
  replace?: boolean;
  /** Defaults to the current time. */
  createdAt?: string;
  /** The workstation's name (normalized: upper case, at most 64 characters); none gives a version 1 entry. */
  deviceName?: string;
}

/**
 * Generates this device's Ed25519 signing and X25519 encryption key pairs, stores the private keys in the
 * keychain and returns the public identity. Refuses (`device_exists`) when the profile already has a device
 * entry, unless `replace` is set: overwriting would silently orphan a device the hub knows.
 */
export async function enrolDevice(keychain: Keychain, options: EnrolOptions): Promise<DeviceIdentity> {
  const s = await sodium();
  const account = deviceKeysAccount(options.profileId);
  if (!options.replace && (await keychain.get(account)) !== null) {
    throw new AppError('device_exists', 'This profile already has device keys on this workstation.');
  }
  const signing = s.crypto_sign_keypair();
  const encryption = s.crypto_box_keypair();
  const entry: DeviceKeysEntryV1 = {
    v: 1,
    deviceId: randomUUID(),
    userId: options.userId,
    createdAt: options.createdAt ?? new Date().toISOString(),
    ...(options.deviceName !== undefined ? { deviceName: normalizeDeviceName(options.deviceName) } : {}),
    signingPublicKey: toBase64(signing.publicKey),
    signingSecretKey: toBase64(signing.privateKey),
    encryptionPublicKey: toBase64(encryption.publicKey),
    encryptionSecretKey: toBase64(encryption.privateKey),
  };
  await keychain.set(account, JSON.stringify(entry));
  s.memzero(signing.privateKey);
  s.memzero(encryption.privateKey);
  return {
    profileId: options.profileId,
    userId: entry.userId,
    deviceId: entry.deviceId,
    signingPublicKey: signing.publicKey,
    encryptionPublicKey: encryption.publicKey,
    createdAt: entry.createdAt,
    deviceName: entry.deviceName ?? null,
  };
}

function corrupt(reason: string): AppError {
  return new AppError(
    'key_corrupt',
    `This device's keys in the system keychain are damaged (${reason}). The device must be enrolled again.`,
  );
}

/** Reads and checks the keychain entry (errors as loadDevice documents). */
async function readDeviceKeys(keychain: Keychain, profileId: string) {
  const s = await sodium();
  const raw = await keychain.get(deviceKeysAccount(profileId));
  if (raw === null) {
    throw new AppError('key_missing', 'This device has no keys in the system keychain yet.');
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw corrupt('not readable');
  }
  const parsed = DeviceKeysEntryV1.safeParse(json);
  if (!parsed.success) throw corrupt('unexpected format');
  const entry = parsed.data;
  const signingPublicKey = fromBase64(entry.signingPublicKey, s.crypto_sign_PUBLICKEYBYTES);
  const signingSecretKey = fromBase64(entry.signingSecretKey, s.crypto_sign_SECRETKEYBYTES);
  const encryptionPublicKey = fromBase64(entry.encryptionPublicKey, s.crypto_box_PUBLICKEYBYTES);
  const encryptionSecretKey = fromBase64(entry.encryptionSecretKey, s.crypto_box_SECRETKEYBYTES);
  if (!signingPublicKey || !signingSecretKey || !encryptionPublicKey || !encryptionSecretKey) {
    throw corrupt('wrong key length');
  }
  // An Ed25519 secret key is seed || public key: the public key must be what the seed derives, and must be
  // the one embedded in the secret key; the X25519 public key must be the base-point multiple of its secret.
  const derivedSigning = s.crypto_sign_seed_keypair(signingSecretKey.subarray(0, s.crypto_sign_SEEDBYTES));
  s.memzero(derivedSigning.privateKey);
  if (
    !constantTimeEqual(derivedSigning.publicKey, signingPublicKey) ||
    !constantTimeEqual(signingSecretKey.subarray(s.crypto_sign_SEEDBYTES), signingPublicKey)
  ) {
    throw corrupt('signing key pair does not match');
  }
  if (!constantTimeEqual(s.crypto_scalarmult_base(encryptionSecretKey), encryptionPublicKey)) {
    throw corrupt('encryption key pair does not match');
  }
  return { s, entry, signingPublicKey, signingSecretKey, encryptionPublicKey, encryptionSecretKey };
}

/**
 * Loads this profile's device from the keychain. Errors: `key_missing` (no entry), `key_corrupt` (not the
 * expected JSON, wrong key lengths, or a public key that does not belong to its secret key). Nothing is
 * deleted or rewritten on error.
 */
export async function loadDevice(keychain: Keychain, profileId: string): Promise<LoadedDevice> {
  const { s, entry, signingPublicKey, signingSecretKey, encryptionPublicKey, encryptionSecretKey } =
    await readDeviceKeys(keychain, profileId);
  return {
    profileId,
    userId: entry.userId,
    deviceId: entry.deviceId,
    signingPublicKey,
    encryptionPublicKey,
    createdAt: entry.createdAt,
    deviceName: entry.deviceName ?? null,
    sign: (bytes) => s.crypto_sign_detached(bytes, signingSecretKey),
    openSealed: (sealed) => {
      try {
        return s.crypto_box_seal_open(sealed, encryptionPublicKey, encryptionSecretKey);
      } catch (cause) {
        throw new AppError(
          'invalid_args',
          'The sealed data is not addressed to this device or was altered.',
          {
            cause,
          },
        );
      }
    },
  };
}

/**
 * The ONE place a secret key leaves the keychain closure: the X25519 key pair of this device, for the
 * envelope open pool (src/main/core/envelope/open-pool.ts), which copies it once to each of its worker threads
 * so they can open sealed message keys. The signing key is not returned: workers never sign. Same checks and
 * errors as loadDevice. The caller wipes the secret (`fill(0)`) when the pool has been created.
 */
export async function loadDeviceSecretsForWorker(
  keychain: Keychain,
  profileId: string,
): Promise<{
  userId: string;
  deviceId: string;
  encryptionPublicKey: Uint8Array;
  encryptionSecretKey: Uint8Array;
}> {
  const { s, entry, signingSecretKey, encryptionPublicKey, encryptionSecretKey } = await readDeviceKeys(
    keychain,
    profileId,
  );
  s.memzero(signingSecretKey);
  return { userId: entry.userId, deviceId: entry.deviceId, encryptionPublicKey, encryptionSecretKey };
}

/** Seals `bytes` to a device's X25519 public key (anonymous sender; only that device can open it). */
export async function sealToDevice(encryptionPublicKey: Uint8Array, bytes: Uint8Array): Promise<Uint8Array> {
  return (await sodium()).crypto_box_seal(bytes, encryptionPublicKey);
}

/** Removes this profile's device keys from the keychain (true if there were any). */
export async function forgetDevice(keychain: Keychain, profileId: string): Promise<boolean> {
  return keychain.delete(deviceKeysAccount(profileId));
}
