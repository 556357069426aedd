import { fromBase64, sodium, type Sodium } from '../crypto';
import { AppError } from '../errors';
import type { LoadedDevice } from '../keys';
import { ed25519Verify } from './ed25519';
import { EnvelopeHeader, EnvelopeHeaderV2, EntryPayload, type AnyEnvelopeHeader } from './schema';
import {
  envelopeHash,
  maxPayloadDepth,
  messageKeyBytes,
  nonceBytes,
  parseJsonBytes,
  signedBytes,
  splitEnvelope,
} from './wire';

/** Why an envelope was not accepted, in the order the checks run. */
export const rejectionReasons = [
  'malformed',
  'unknown-sender-device',
  'bad-signature',
  'device-revoked',
  'device-not-accepted',
  'not-member',
  'header-mismatch',
  'not-sealed-to-me',
  'awaiting-key',
  'decrypt-failed',
  'payload-invalid',
  // After opening, a control entry is checked against the conversation's chain (messaging/conversation-state.ts).
  'control-not-allowed',
  'control-out-of-order',
  'control-invalid',
  // A message in an announcement conversation from a member who is not one of its admins.
  'announcement-not-admin',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

const reasonText: Record<RejectionReason, string> = {
  malformed: 'The message is not a readable envelope.',
  'unknown-sender-device': 'The message names a sender device that is not in the key directory.',
  'bad-signature': "The message's signature does not match its sender device.",
  'device-revoked':
    'The message was signed by a device that had been revoked by then; it is not trusted and is not shown.',
  'device-not-accepted':
    'The message comes from a new device of the sender that nobody has accepted on this computer yet; compare the safety number in contact details.',
  'not-member': 'The message was signed by a device that is not a current member of the conversation.',
  'header-mismatch': 'The message does not match what the server says about it (conversation, id or sender).',
  'not-sealed-to-me': 'The message was not encrypted for this device.',
  'awaiting-key':
    'This computer does not have the key for this message yet; it opens as soon as the key arrives.',
  'decrypt-failed': 'The message could not be decrypted: it was altered.',
  'payload-invalid': 'The message decrypted, but its content is not in a known form.',
  'control-not-allowed':
    'A change to the conversation by someone the conversation does not allow to make it.',
  'control-out-of-order': 'A change to the conversation that does not follow from the changes before it.',
  'control-invalid': 'A change to the conversation that contradicts the conversation as it stands.',
  'announcement-not-admin':
    'A message in an announcement from a recipient: only the announcement’s sender may post in it.',
};

/** An envelope that did not pass verification. `reason` is stable; the message is safe to show (no PHI). */
export class EnvelopeRejected extends AppError {
  constructor(readonly reason: RejectionReason) {
    super('envelope_rejected', reasonText[reason]);
    this.name = 'EnvelopeRejected';
  }
}

/** What the hub says about a delivered envelope (its metadata, outside the signed bytes). */
export interface HubMetadata {
  conversationId: string;
  envelopeId: string;
  senderUserId: string;
  senderDeviceId: string;
  seq: number;
  serverTime: string;
}

export interface SenderKey {
  signingPublicKey: Uint8Array;
  currentMember: boolean;
  /**
   * When the device's revocation took effect for this client (ms since the epoch: the earlier of the
   * directory's time and when this client learned it), or null/absent if it is not revoked. An envelope whose
   * signed `clientTime` or hub `serverTime` is at or after it is `device-revoked`.
   */
  revokedAt?: number | null;
  /** False for a new device held until accepted (newDeviceTrust "verify"): `device-not-accepted`. */
  accepted?: boolean;
}

/** Looks a device up in the (pinned) key directory and the conversation's current membership. */
export type SenderKeyLookup = (userId: string, deviceId: string) => SenderKey | null;

/** Format 2: the conversation key a header names, or null when this device does not have it yet. */
export type ConversationKeyLookup = (conversationId: string, keyId: string) => Uint8Array | null;

/** The receiving device: only its ids and the ability to open sealed boxes are needed. */
export type ReceivingDevice = Pick<LoadedDevice, 'userId' | 'deviceId' | 'openSealed'>;

export interface OpenEnvelopeInput {
  bytes: Uint8Array;
  hub: HubMetadata;
  me: ReceivingDevice;
  senderKey: SenderKeyLookup;
  /**
   * Format 2: the conversation key the header names (from a verified grant), or null when this device does not
   * have it yet (`awaiting-key`: kept and opened again once the key arrives, never an integrity failure).
   */
  conversationKey?: ConversationKeyLookup;
}

export interface OpenedEnvelope {
  header: AnyEnvelopeHeader;
  payload: EntryPayload;
  /** envelopeHash(bytes): what later envelopes name in `prev`. */
  hash: string;
}

/**
 * The checks of openEnvelope with libsodium already loaded (synchronous: the worker pool runs it as is).
 * Throws EnvelopeRejected; never returns something unverified.
 */
export function openEnvelopeWith(s: Sodium, input: OpenEnvelopeInput): OpenedEnvelope {
  const { bytes, hub, me } = input;
  // 1. framing, header JSON, header schema
  const parts = splitEnvelope(bytes);
  if (!parts) throw new EnvelopeRejected('malformed');
  const parsedHeader = (parts.version === 1 ? EnvelopeHeader : EnvelopeHeaderV2).safeParse(parts.header);
  if (!parsedHeader.success) throw new EnvelopeRejected('malformed');
  const header: AnyEnvelopeHeader = parsedHeader.data;
  // 2. the device the header names must be in the directory
  const sender = input.senderKey(header.senderUserId, header.senderDeviceId);
  if (!sender) throw new EnvelopeRejected('unknown-sender-device');
  // 3. its signature over the received header and body bytes
  if (
    !ed25519Verify(
      sender.signingPublicKey,
      signedBytes(parts.headerBytes, parts.body, parts.version),
      parts.signature,
    )
  ) {
    throw new EnvelopeRejected('bad-signature');
  }
  // 3a. not signed at or after the device's revocation (by its own clock or the hub's), and 3b. accepted
  if (typeof sender.revokedAt === 'number') {
    const signed = Date.parse(header.clientTime);
    const stored = Date.parse(hub.serverTime);
    const late = (t: number) => !Number.isFinite(t) || t >= sender.revokedAt!;
    if (late(signed) || late(stored)) throw new EnvelopeRejected('device-revoked');
  }
  if (sender.accepted === false) throw new EnvelopeRejected('device-not-accepted');
  // 4. a current member device
  if (!sender.currentMember) throw new EnvelopeRejected('not-member');
  // 5. the signed header agrees with the hub's metadata (a replay under another id/conversation fails here)
  if (
    header.conversationId !== hub.conversationId ||
    header.envelopeId !== hub.envelopeId ||
    header.senderUserId !== hub.senderUserId ||
    header.senderDeviceId !== hub.senderDeviceId
  ) {
    throw new EnvelopeRejected('header-mismatch');
  }
  // 6. the message key: sealed to this device (format 1) or the conversation key the header names (format 2)
  const messageKey = header.v === 1 ? unsealMessageKey(header, me) : conversationKeyOf(header, input);
  // 7. authenticated decryption, the header bytes as associated data
  let plaintext: Uint8Array;
  try {
    if (messageKey.byteLength !== messageKeyBytes) throw new Error('message key length');
    plaintext = s.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      parts.body.subarray(nonceBytes),
      parts.headerBytes,
      parts.body.subarray(0, nonceBytes),
      messageKey,
    );
  } catch {
    throw new EnvelopeRejected('decrypt-failed');
  } finally {
    s.memzero(messageKey);
  }
  // 8. the payload schema
  const payload = EntryPayload.safeParse(parseJsonBytes(plaintext, maxPayloadDepth));
  s.memzero(plaintext);
  if (!payload.success) throw new EnvelopeRejected('payload-invalid');
  return { header, payload: payload.data, hash: envelopeHash(bytes) };
}

function unsealMessageKey(header: EnvelopeHeader, me: ReceivingDevice): Uint8Array {
  const mine = header.recipients.find((r) => r.userId === me.userId && r.deviceId === me.deviceId);
  if (!mine) throw new EnvelopeRejected('not-sealed-to-me');
  const sealed = fromBase64(mine.sealedKey);
  if (!sealed) throw new EnvelopeRejected('not-sealed-to-me');
  try {
    return me.openSealed(sealed);
  } catch {
    throw new EnvelopeRejected('not-sealed-to-me');
  }
}

/** A copy (the caller wipes it) of the conversation key, or `awaiting-key`. */
function conversationKeyOf(header: EnvelopeHeaderV2, input: OpenEnvelopeInput): Uint8Array {
  const key = input.conversationKey?.(header.conversationId, header.keyId) ?? null;
  if (!key) throw new EnvelopeRejected('awaiting-key');
  return key.slice();
}

/**
 * Verifies and decrypts one envelope received from the hub. Checks, in order: framing and header schema
 * (`malformed`), the header's sender device in the directory (`unknown-sender-device`), its Ed25519 signature
 * over the received bytes (`bad-signature`), current membership (`not-member`), header vs the hub's metadata
 * (`header-mismatch`), a sealed key for this device that opens (`not-sealed-to-me`), XChaCha20-Poly1305 with
 * the header as associated data (`decrypt-failed`), the payload schema (`payload-invalid`).
 */
export async function openEnvelope(input: OpenEnvelopeInput): Promise<OpenedEnvelope> {
  return openEnvelopeWith(await sodium(), input);
}

export interface ParsedEnvelopeParts {
  header: AnyEnvelopeHeader;
  headerBytes: Uint8Array;
  body: Uint8Array;
  signature: Uint8Array;
}

/**
 * The parts of an envelope with its header schema-checked, WITHOUT verifying anything (for verification
 * reports and tooling). Null when openEnvelope would say `malformed`.
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelopeParts | null {
  const parts = splitEnvelope(bytes);
  if (!parts) return null;
  const header = (parts.version === 1 ? EnvelopeHeader : EnvelopeHeaderV2).safeParse(parts.header);
  if (!header.success) return null;
  return {
    header: header.data,
    headerBytes: parts.headerBytes,
    body: parts.body,
    signature: parts.signature,
  };
}

/**
 * Whether `signingPublicKey` signed these envelope bytes — the check a verification report can repeat offline
 * from the envelopes and public keys alone (no message key needed).
 */
export function verifyEnvelopeSignature(bytes: Uint8Array, signingPublicKey: Uint8Array): boolean {
  const parts = splitEnvelope(bytes);
  return (
    parts !== null &&
    ed25519Verify(
      signingPublicKey,
      signedBytes(parts.headerBytes, parts.body, parts.version),
      parts.signature,
    )
  );
}
