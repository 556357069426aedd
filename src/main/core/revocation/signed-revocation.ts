import { z } from 'zod';
import { fromBase64, lengthPrefixed, pinnedKeyThatSigned, signDetached, sodium, toBase64 } from '../crypto';

/**
 * A device revocation signed by the hospital's IT (docs/remote-wipe.md). Only such a revocation, verified on
 * the workstation against a key its machine policy pins (`adminSigningKeys`), wipes a profile; the hub's word
 * alone (its `DeviceRevoked` event, a `device_revoked` refusal) only locks it.
 */
export interface RevocationFields {
  userId: string;
  deviceId: string;
  /** ISO 8601 time IT signed it (IT's clock, not the hub's). */
  revokedAt: string;
}

export interface SignedRevocation extends RevocationFields {
  /** Ed25519 signature (64 bytes, standard base64) over `revocationBytes`. */
  signature: string;
}

export const revocationDomain = 'clinical-messenger/device-revocation/v1';

/**
 * The bytes IT signs. Each part is a 4-byte big-endian length and its bytes, in order:
 *
 *   'clinical-messenger/device-revocation/v1' || userId (UTF-8) || deviceId (UTF-8) || revokedAt (UTF-8)
 *
 * The domain tag keeps an IT signature over these bytes from meaning anything else; binding the user and the
 * device means a revocation for one device cannot be replayed against another.
 */
export function revocationBytes(fields: RevocationFields): Uint8Array {
  return lengthPrefixed(revocationDomain, [fields.userId, fields.deviceId, fields.revokedAt]);
}

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/);

/**
 * A revocation as the hub hands it over (an event, or `GetRevocation`): attacker-written, so every field is
 * bounded and the signature must decode to exactly 64 bytes before anything is verified.
 */
export const SignedRevocationSchema = z.strictObject({
  userId: identifier,
  deviceId: identifier,
  revokedAt: z.iso.datetime({ offset: true }).max(64),
  signature: z
    .string()
    .max(100)
    .refine((v) => fromBase64(v, 64) !== null, { error: 'must be a 64-byte Ed25519 signature in base64' }),
});

/** Signs a revocation with an IT secret key (libsodium's 64-byte Ed25519 secret key). */
export async function signRevocation(
  fields: RevocationFields,
  secretKey: Uint8Array,
): Promise<SignedRevocation> {
  return { ...fields, signature: await signDetached(revocationBytes(fields), secretKey) };
}

/** A new IT signing key pair (Ed25519), both halves in standard base64. */
export async function generateAdminKeyPair(): Promise<{ publicKey: string; secretKey: string }> {
  const s = await sodium();
  const pair = s.crypto_sign_keypair();
  return { publicKey: toBase64(pair.publicKey), secretKey: toBase64(pair.privateKey) };
}

/** Why a revocation the hub delivered does not count as IT's. */
export type RevocationRefusal =
  /** The hub gave no signature at all (a revocation by the device's owner, expiry, or a hostile hub). */
  | 'unsigned'
  /** The machine policy pins no IT key, so no signature can be checked. */
  | 'no-pinned-keys'
  /** The fields are not a well-formed revocation. */
  | 'malformed'
  /** It names another user or another device than this workstation's profile. */
  | 'other-device'
  /** No pinned key verifies the signature (another key, or altered fields). */
  | 'signature-invalid';

export type RevocationVerdict =
  | { valid: true; revocation: SignedRevocation; keyIndex: number }
  | { valid: false; reason: RevocationRefusal };

/**
 * Whether `raw` is a revocation of exactly this user's device, signed by one of the pinned IT keys
 * (`adminSigningKeys`, base64 Ed25519 public keys, validated by the policy schema). Every signature check is
 * libsodium's `crypto_sign_verify_detached` (constant time; it refuses small-order keys).
 */
export async function verifyRevocation(
  raw: unknown,
  expected: { userId: string; deviceId: string },
  pinnedKeys: readonly string[],
): Promise<RevocationVerdict> {
  if (raw === null || raw === undefined) return { valid: false, reason: 'unsigned' };
  const parsed = SignedRevocationSchema.safeParse(raw);
  if (!parsed.success) return { valid: false, reason: 'malformed' };
  const revocation = parsed.data;
  if (revocation.userId !== expected.userId || revocation.deviceId !== expected.deviceId) {
    return { valid: false, reason: 'other-device' };
  }
  if (pinnedKeys.length === 0) return { valid: false, reason: 'no-pinned-keys' };
  const keyIndex = await pinnedKeyThatSigned(revocationBytes(revocation), revocation.signature, pinnedKeys);
  if (keyIndex >= 0) return { valid: true, revocation, keyIndex };
  return { valid: false, reason: 'signature-invalid' };
}
