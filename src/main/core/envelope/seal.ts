import { randomUUID } from 'node:crypto';
import { sodium, toBase64, utf8, type Sodium } from '../crypto';
import { AppError } from '../errors';
import { fingerprint, type LoadedDevice } from '../keys';
import { randomPool } from './random-pool';
import { EnvelopeHeader, EnvelopeHeaderV2, EntryPayload, type AnyEnvelopeHeader } from './schema';
import { encodeWire, envelopeHash, messageKeyBytes, nonceBytes, signedBytes } from './wire';

export interface SealRecipient {
  userId: string;
  deviceId: string;
  /** The device's X25519 key from the (pinned) key directory. */
  encryptionPublicKey: Uint8Array;
}

export interface SealEnvelopeInput {
  sender: Pick<LoadedDevice, 'userId' | 'deviceId' | 'sign'>;
  conversationId: string;
  /** A UUID; defaults to a new random one. */
  envelopeId?: string;
  /** ISO 8601 UTC ("…Z"); defaults to now. */
  clientTime?: string;
  /** Hashes of the latest envelope(s) the sender has seen in this conversation (at most 16). */
  prev: string[];
  payload: EntryPayload;
  /** Every current device of every member, the sender's other devices included. */
  recipients: SealRecipient[];
  /** The hospital's compliance key when policy names one. */
  compliance?: { publicKey: Uint8Array } | null;
}

export interface SealedEnvelope<H extends AnyEnvelopeHeader = AnyEnvelopeHeader> {
  bytes: Uint8Array;
  hash: string;
  header: H;
}

/**
 * crypto_box_seal, byte for byte (ephemeral X25519 key pair, nonce = BLAKE2b-192(epk || pk), crypto_box),
 * with the ephemeral secret from the CSPRNG pool instead of libsodium's per-call randombytes, which costs as
 * much as the rest of the seal. Any crypto_box_seal_open opens it (tested).
 */
export function sealToKey(s: Sodium, message: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (publicKey.byteLength !== s.crypto_box_PUBLICKEYBYTES) {
    throw new AppError('invalid_args', 'A recipient encryption key is 32 bytes.');
  }
  const ephemeralSecret = randomPool.take(s.crypto_box_SECRETKEYBYTES);
  try {
    const ephemeralPublic = s.crypto_scalarmult_base(ephemeralSecret);
    const noncePreimage = new Uint8Array(64);
    noncePreimage.set(ephemeralPublic, 0);
    noncePreimage.set(publicKey, 32);
    const nonce = s.crypto_generichash(s.crypto_box_NONCEBYTES, noncePreimage, null);
    const boxed = s.crypto_box_easy(message, nonce, publicKey, ephemeralSecret);
    const out = new Uint8Array(32 + boxed.byteLength);
    out.set(ephemeralPublic, 0);
    out.set(boxed, 32);
    return out;
  } finally {
    s.memzero(ephemeralSecret);
  }
}

/** Encrypts the payload under `key` with the exact header bytes as AD and signs header + body (any format). */
function encryptAndSign<H extends AnyEnvelopeHeader>(
  s: Sodium,
  sender: SealEnvelopeInput['sender'],
  header: H,
  payload: EntryPayload,
  key: Uint8Array,
): SealedEnvelope<H> {
  const headerBytes = utf8(JSON.stringify(header));
  const nonce = randomPool.take(nonceBytes);
  const ciphertext = s.crypto_aead_xchacha20poly1305_ietf_encrypt(
    utf8(JSON.stringify(payload)),
    headerBytes,
    null,
    nonce,
    key,
  );
  const body = new Uint8Array(nonceBytes + ciphertext.byteLength);
  body.set(nonce, 0);
  body.set(ciphertext, nonceBytes);
  const bytes = encodeWire(
    headerBytes,
    body,
    sender.sign(signedBytes(headerBytes, body, header.v)),
    header.v,
  );
  return { bytes, hash: envelopeHash(bytes), header };
}

/** The header fields both formats share, with their defaults. */
function commonHeader(input: Omit<SealEnvelopeInput, 'recipients' | 'payload'>) {
  return {
    conversationId: input.conversationId,
    envelopeId: input.envelopeId ?? randomUUID(),
    senderUserId: input.sender.userId,
    senderDeviceId: input.sender.deviceId,
    clientTime: input.clientTime ?? new Date().toISOString(),
    prev: input.prev,
  };
}

/** A key sealed to the hospital's compliance key, named by its fingerprint; null when policy names none. */
export function complianceEntry(
  s: Sodium,
  key: Uint8Array,
  compliance: { publicKey: Uint8Array } | null | undefined,
): { keyFingerprint: string; sealedKey: string } | null {
  return compliance
    ? {
        keyFingerprint: fingerprint(compliance.publicKey),
        sealedKey: toBase64(sealToKey(s, key, compliance.publicKey)),
      }
    : null;
}

function checkedPayload(payload: EntryPayload): EntryPayload {
  const parsed = EntryPayload.safeParse(payload);
  if (!parsed.success) throw new AppError('invalid_args', 'The message is not in a form that can be sent.');
  return parsed.data;
}

function headerProblem(issues: { path: PropertyKey[] }[]): AppError {
  return new AppError(
    'invalid_args',
    `The envelope header is invalid (${issues.map((i) => i.path.join('.')).join(', ')}).`,
  );
}

export interface SealEnvelopeV2Input extends Omit<SealEnvelopeInput, 'recipients' | 'compliance'> {
  /** The conversation's current key (its grant seals it to the members' user keys). */
  conversationKey: { keyId: string; key: Uint8Array };
}

/**
 * Format 2 (docs/key-design.md): the payload encrypted under the conversation key named in the header; no
 * per-envelope recipients, so the cost does not grow with members or devices.
 */
export async function sealEnvelopeV2(input: SealEnvelopeV2Input): Promise<SealedEnvelope<EnvelopeHeaderV2>> {
  const s = await sodium();
  const payload = checkedPayload(input.payload);
  const header = EnvelopeHeaderV2.safeParse({
    v: 2,
    ...commonHeader(input),
    keyId: input.conversationKey.keyId,
  });
  if (!header.success) throw headerProblem(header.error.issues);
  return encryptAndSign(s, input.sender, header.data, payload, input.conversationKey.key);
}

/**
 * Builds one envelope: a fresh message key and nonce from the CSPRNG pool, the key sealed to every recipient
 * device (and the compliance key), the payload encrypted with XChaCha20-Poly1305 under the exact header bytes
 * as associated data, and header + body signed by the sender device. Throws AppError `invalid_args` when the
 * payload or the header would not pass a receiver's checks (the sender learns it now, not the receivers).
 */
export async function sealEnvelope(input: SealEnvelopeInput): Promise<SealedEnvelope<EnvelopeHeader>> {
  const s = await sodium();
  const payload = checkedPayload(input.payload);
  const messageKey = randomPool.take(messageKeyBytes);
  try {
    const header = EnvelopeHeader.safeParse({
      v: 1,
      ...commonHeader(input),
      recipients: input.recipients.map((r) => ({
        userId: r.userId,
        deviceId: r.deviceId,
        sealedKey: toBase64(sealToKey(s, messageKey, r.encryptionPublicKey)),
      })),
      compliance: complianceEntry(s, messageKey, input.compliance),
    });
    if (!header.success) throw headerProblem(header.error.issues);
    return encryptAndSign(s, input.sender, header.data, payload, messageKey);
  } finally {
    s.memzero(messageKey);
  }
}
