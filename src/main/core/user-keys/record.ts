import { z } from 'zod';
import { fromBase64, lengthPrefixed, toBase64 } from '../crypto';
import { ed25519Verify } from '../envelope/ed25519';
import type { LoadedDevice } from '../keys';

/** Signing domain of a user-key record (docs/key-design.md). */
export const userKeyDomain = 'clinical-messenger/user-key/v1';

const id = z.string().min(1).max(128);

/** A user's public key of one epoch, signed by one of that user's devices, as the hub's directory lists it. */
export const UserKeyRecord = z.object({
  userId: id,
  epoch: z.int().min(1),
  publicKey: z.base64().max(64),
  createdAt: z.iso.datetime(),
  signerDeviceId: id,
  signature: z.base64().max(128),
});
export type UserKeyRecord = z.infer<typeof UserKeyRecord>;

/** A user key as the client uses it once its record verified. */
export interface VerifiedUserKey {
  userId: string;
  epoch: number;
  publicKey: Uint8Array;
  createdAt: string;
}

export function userKeyBytes(r: Omit<UserKeyRecord, 'signature'>, publicKey: Uint8Array): Uint8Array {
  return lengthPrefixed(userKeyDomain, [r.userId, String(r.epoch), publicKey, r.createdAt, r.signerDeviceId]);
}

/** The record of a new user-key epoch, signed by this device (which must belong to that user). */
export function signUserKey(
  device: Pick<LoadedDevice, 'userId' | 'deviceId' | 'sign'>,
  key: { epoch: number; publicKey: Uint8Array; createdAt: string },
): UserKeyRecord {
  const unsigned = {
    userId: device.userId,
    epoch: key.epoch,
    publicKey: toBase64(key.publicKey),
    createdAt: key.createdAt,
    signerDeviceId: device.deviceId,
  };
  return { ...unsigned, signature: toBase64(device.sign(userKeyBytes(unsigned, key.publicKey))) };
}

/**
 * The key, if the record is well formed and signed by a verified device of the same user (`signingKeyOf`
 * answers only for devices whose own directory entry verified); null otherwise.
 */
export function verifyUserKey(
  record: unknown,
  signingKeyOf: (userId: string, deviceId: string) => Uint8Array | null,
): VerifiedUserKey | null {
  const parsed = UserKeyRecord.safeParse(record);
  if (!parsed.success) return null;
  const r = parsed.data;
  const publicKey = fromBase64(r.publicKey, 32);
  const signature = fromBase64(r.signature, 64);
  const signer = signingKeyOf(r.userId, r.signerDeviceId);
  if (!publicKey || !signature || !signer) return null;
  if (!ed25519Verify(signer, userKeyBytes(r, publicKey), signature)) return null;
  return { userId: r.userId, epoch: r.epoch, publicKey, createdAt: r.createdAt };
}
