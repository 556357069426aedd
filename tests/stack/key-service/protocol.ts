// The key service's wire format: request bodies (zod), response shapes, and the bytes each signature covers.
// The client side is src/main/core/user-keys/key-service-client.ts; keep the two in step.
import { z } from 'zod';
import { lengthPrefixed } from '../../../src/main/core/crypto';

/** Domain of the service's Ed25519 signature over a release or a notice record (its JSON text). */
export const keyServiceDomain = 'clinical-messenger/key-service/v1';
/** Domain of a device's proof of possession in a release request. */
export const releaseRequestDomain = 'clinical-messenger/key-release-request/v1';

export const MAX_BODY_BYTES = 256 * 1024;
export const CHALLENGE_TTL_MS = 5 * 60_000;

const Id = z.string().min(1).max(128);
const Base64 = z.base64();

export const UserKeyRecord = z.object({
  userId: Id,
  epoch: z.int().min(1),
  publicKey: Base64.max(64),
  createdAt: z.iso.datetime(),
  signerDeviceId: Id,
  signature: Base64.max(128),
});

export const DepositRequest = z.object({ userKey: UserKeyRecord, sealedSecret: Base64.max(256) });
export type DepositRequest = z.infer<typeof DepositRequest>;

export const ChallengeRequest = z.object({}).optional();

export const ReleaseRequest = z.object({
  device: z.object({
    deviceId: Id,
    signingPublicKey: Base64.max(64),
    encryptionPublicKey: Base64.max(64),
    selfSignature: Base64.max(128),
    createdAt: z.string().min(1).max(64),
    /** A version 2 entry signs the device's name too (docs/hub-protocol.md); absent for version 1. */
    deviceName: z.string().min(1).max(64).optional(),
  }),
  deviceName: z.string().min(1).max(64),
  nonce: Base64.max(64),
  proof: Base64.max(128),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

export interface KeyServiceMetadata {
  releasePublicKey: string;
  signingPublicKey: string;
  requireMfa: boolean;
}

export interface DepositResponse {
  stored: true;
  created: boolean;
}

export interface ChallengeResponse {
  nonce: string;
  expiresAt: string;
}

/** A record (JSON text) and the service's signature over `signedRecordBytes(record)`, in base64. */
export interface SignedRecord {
  record: string;
  signature: string;
}

export interface ReleaseRecord {
  kind: 'key-release';
  userId: string;
  deviceId: string;
  deviceName: string;
  releasedAt: string;
  keys: Array<{ epoch: number; publicKey: string; sealedSecret: string }>;
}

export interface ReleaseNoticeRecord {
  kind: 'release-notice';
  userId: string;
  deviceId: string;
  deviceName: string;
  releasedAt: string;
}

export interface ReleasesResponse {
  notices: SignedRecord[];
}

export function signedRecordBytes(record: string): Uint8Array {
  return lengthPrefixed(keyServiceDomain, [record]);
}

/** What the device signs to prove it holds the key of the entry it presents; `nonce` as its base64 text. */
export function releaseRequestBytes(fields: {
  userId: string;
  deviceId: string;
  deviceName: string;
  nonce: string;
}): Uint8Array {
  return lengthPrefixed(releaseRequestDomain, [
    fields.userId,
    fields.deviceId,
    fields.deviceName,
    fields.nonce,
  ]);
}
