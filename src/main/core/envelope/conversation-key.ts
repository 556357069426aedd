import { z } from 'zod';
import { fromBase64, lengthPrefixed, sodium, toBase64 } from '../crypto';
import { AppError } from '../errors';
import type { LoadedDevice } from '../keys';
import { ed25519Verify } from './ed25519';
import { randomPool } from './random-pool';
import { envelopeLimits, keyIdHex } from './schema';
import { complianceEntry, sealToKey } from './seal';

/** Signing domain of a conversation key grant (docs/key-design.md). */
export const conversationKeyDomain = 'clinical-messenger/conversation-key/v1';
export const conversationKeyBytes = 32;

const id = z.string().min(1).max(envelopeLimits.maxIdLength);
const base64 = z.base64().max(1400);

/** A signed grant of one conversation key: the key sealed to each member's user key (what the hub stores). */
export const ConversationKeyGrant = z.object({
  conversationId: id,
  keyId: keyIdHex,
  senderUserId: id,
  senderDeviceId: id,
  createdAt: z.iso.datetime(),
  recipients: z
    .array(z.object({ userId: id, epoch: z.int().min(1), sealedKey: base64 }))
    .min(1)
    .max(envelopeLimits.maxRecipients),
  compliance: z.object({ keyFingerprint: z.string().min(1).max(128), sealedKey: base64 }).nullable(),
  signature: base64,
});
export type ConversationKeyGrant = z.infer<typeof ConversationKeyGrant>;

export type GrantRejection =
  'malformed' | 'unknown-sender-device' | 'bad-signature' | 'not-for-me' | 'awaiting-key' | 'key-id-mismatch';

/** A grant that was not accepted; `reason` is stable and the message holds no PHI. */
export class GrantRejected extends AppError {
  constructor(readonly reason: GrantRejection) {
    super('envelope_rejected', `A conversation key was refused (${reason}).`);
    this.name = 'GrantRejected';
  }
}

/** The first 16 bytes of BLAKE2b-256 of the key: one id can never name two different keys. */
export async function keyIdOf(key: Uint8Array): Promise<string> {
  const s = await sodium();
  return Buffer.from(s.crypto_generichash(32, key, null).subarray(0, 16)).toString('hex');
}

/** The bytes the sender device signs; recipients and compliance as JSON with a fixed field order. */
export function grantSignedBytes(grant: Omit<ConversationKeyGrant, 'signature'>): Uint8Array {
  const recipients = grant.recipients.map((r) => ({
    userId: r.userId,
    epoch: r.epoch,
    sealedKey: r.sealedKey,
  }));
  const compliance = grant.compliance
    ? { keyFingerprint: grant.compliance.keyFingerprint, sealedKey: grant.compliance.sealedKey }
    : null;
  return lengthPrefixed(conversationKeyDomain, [
    grant.conversationId,
    grant.keyId,
    grant.senderUserId,
    grant.senderDeviceId,
    grant.createdAt,
    JSON.stringify(recipients),
    JSON.stringify(compliance),
  ]);
}

export interface GrantRecipient {
  userId: string;
  epoch: number;
  /** The member's verified user key of that epoch (X25519). */
  publicKey: Uint8Array;
}

/**
 * A fresh conversation key (from the CSPRNG pool), sealed to each member's current user key and to the
 * compliance key, signed by the sending device. The caller keeps `key` and publishes `grant`.
 */
export async function createConversationKey(input: {
  sender: Pick<LoadedDevice, 'userId' | 'deviceId' | 'sign'>;
  conversationId: string;
  recipients: GrantRecipient[];
  compliance?: { publicKey: Uint8Array } | null;
  createdAt?: string;
}): Promise<{ key: Uint8Array; grant: ConversationKeyGrant }> {
  const s = await sodium();
  const key = randomPool.take(conversationKeyBytes);
  const unsigned = {
    conversationId: input.conversationId,
    keyId: await keyIdOf(key),
    senderUserId: input.sender.userId,
    senderDeviceId: input.sender.deviceId,
    createdAt: input.createdAt ?? new Date().toISOString(),
    recipients: input.recipients.map((r) => ({
      userId: r.userId,
      epoch: r.epoch,
      sealedKey: toBase64(sealToKey(s, key, r.publicKey)),
    })),
    compliance: complianceEntry(s, key, input.compliance),
  };
  const grant = { ...unsigned, signature: toBase64(input.sender.sign(grantSignedBytes(unsigned))) };
  const checked = ConversationKeyGrant.safeParse(grant);
  if (!checked.success) {
    s.memzero(key);
    throw new AppError('invalid_args', 'The conversation key could not be made for these members.');
  }
  return { key, grant: checked.data };
}

export interface OpenGrantInput {
  grant: unknown;
  /** This user: the grant must seal the key to one of their user-key epochs. */
  userId: string;
  /** The verified signing key of a member device, or null (unknown, revoked or not a member). */
  signingKeyOf: (userId: string, deviceId: string) => Uint8Array | null;
  /** Opens a box sealed to this user's key of `epoch`; null when this device does not hold that epoch. */
  openWithUserKey: (epoch: number, sealed: Uint8Array) => Uint8Array | null;
}

/**
 * Checks a grant (shape, a known member device's signature, sealed to this user) and opens its key. Throws
 * GrantRejected; `awaiting-key` means this device does not hold the user-key epoch yet (try again later).
 */
export async function openConversationKey(
  input: OpenGrantInput,
): Promise<{ grant: ConversationKeyGrant; key: Uint8Array }> {
  const parsed = ConversationKeyGrant.safeParse(input.grant);
  if (!parsed.success) throw new GrantRejected('malformed');
  const grant = parsed.data;
  const signingKey = input.signingKeyOf(grant.senderUserId, grant.senderDeviceId);
  if (!signingKey) throw new GrantRejected('unknown-sender-device');
  const signature = fromBase64(grant.signature, 64);
  if (!signature || !ed25519Verify(signingKey, grantSignedBytes(grant), signature)) {
    throw new GrantRejected('bad-signature');
  }
  const mine = grant.recipients.find((r) => r.userId === input.userId);
  const sealed = mine ? fromBase64(mine.sealedKey) : null;
  if (!mine || !sealed) throw new GrantRejected('not-for-me');
  let key: Uint8Array | null;
  try {
    key = input.openWithUserKey(mine.epoch, sealed);
  } catch {
    throw new GrantRejected('not-for-me');
  }
  if (!key) throw new GrantRejected('awaiting-key');
  if (key.byteLength !== conversationKeyBytes || (await keyIdOf(key)) !== grant.keyId) {
    throw new GrantRejected('key-id-mismatch');
  }
  return { grant, key };
}
