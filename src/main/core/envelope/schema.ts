import { z } from 'zod';

/** Lower-case hex SHA-256 (64 characters): envelope hashes in `prev`, document plaintext hashes. */
export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex characters');

/** Standard padded base64 (what the hub protocol uses for keys). */
const base64 = z.base64();

/** Limits of the wire format (see docs/envelope-format.md). A bigger envelope is `malformed`. */
export const envelopeLimits = {
  /** UTF-8 JSON header: 1,024 recipients of ~250 bytes each fit with room to spare. */
  maxHeaderBytes: 512 * 1024,
  /** nonce + ciphertext: a 65,536-character text, patient context and a document reference, JSON-escaped. */
  maxBodyBytes: 1024 * 1024,
  maxRecipients: 1024,
  maxPrev: 16,
  maxIdLength: 128,
} as const;

const id = z.string().min(1).max(envelopeLimits.maxIdLength);

export const EnvelopeRecipient = z.strictObject({ userId: id, deviceId: id, sealedKey: base64 });
export type EnvelopeRecipient = z.infer<typeof EnvelopeRecipient>;

/** The signed, readable-by-the-hub part of an envelope. Holds identifiers and sealed keys only, never PHI. */
export const EnvelopeHeader = z.strictObject({
  v: z.literal(1),
  conversationId: id,
  envelopeId: z.uuid(),
  senderUserId: id,
  senderDeviceId: id,
  clientTime: z.iso.datetime(),
  prev: z.array(hex64).max(envelopeLimits.maxPrev),
  recipients: z.array(EnvelopeRecipient).max(envelopeLimits.maxRecipients),
  compliance: z.strictObject({ keyFingerprint: z.string().min(1).max(128), sealedKey: base64 }).nullable(),
});
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

/** A conversation key id: the first 16 bytes of BLAKE2b-256 of the key, lower-case hex. */
export const keyIdHex = z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lower-case hex characters');

/**
 * Format 2 (docs/key-design.md): no per-envelope recipients; the payload is encrypted under the conversation
 * key `keyId`, which a signed grant seals to each member's user key.
 */
export const EnvelopeHeaderV2 = z.strictObject({
  v: z.literal(2),
  conversationId: id,
  envelopeId: z.uuid(),
  senderUserId: id,
  senderDeviceId: id,
  clientTime: z.iso.datetime(),
  prev: z.array(hex64).max(envelopeLimits.maxPrev),
  keyId: keyIdHex,
});
export type EnvelopeHeaderV2 = z.infer<typeof EnvelopeHeaderV2>;

/** The header of either format; `v` tells which. */
export type AnyEnvelopeHeader = EnvelopeHeader | EnvelopeHeaderV2;

const PatientContext = z.strictObject({ mrn: z.string().max(64), name: z.string().max(200) }).nullable();

const common = {
  v: z.literal(1),
  text: z.string().max(65536),
  urgent: z.boolean(),
  ackRequired: z.boolean(),
  patient: PatientContext,
  /**
   * Sent to a role (docs/roster.md): the role, the holders it resolved to at send time and the IT-signed
   * roster serial that said so; `asBackup` when it went to the role's backup. Absent in older envelopes.
   */
  toRole: z
    .strictObject({
      roleId: id,
      name: z.string().min(1).max(120),
      holders: z.array(id).min(1).max(16),
      serial: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
      asBackup: z.literal(true).optional(),
    })
    .optional(),
  /** Acknowledgement deadline and escalation (docs/escalation.md); absent in older envelopes. */
  escalation: z
    .discriminatedUnion('step', [
      z.strictObject({
        step: z.literal('deadline'),
        minutes: z.int().min(1).max(60),
        target: z
          .discriminatedUnion('kind', [
            z.strictObject({ kind: z.literal('user'), userId: id }),
            z.strictObject({ kind: z.literal('role'), roleId: id }),
          ])
          .nullable(),
      }),
      z.strictObject({ step: z.literal('reminder'), seq: z.int().min(1), envelopeHash: hex64 }),
      z.strictObject({
        step: z.literal('escalated'),
        conversationId: id,
        seq: z.int().min(1),
        envelopeHash: hex64,
        sentAt: z.iso.datetime(),
        recipients: z.array(id).max(envelopeLimits.maxRecipients),
      }),
      /** The chain stopped: `by` acknowledged (at their signed `at`) where the message still waited elsewhere. */
      z.strictObject({
        step: z.literal('resolved'),
        seq: z.int().min(1),
        envelopeHash: hex64,
        by: id,
        at: z.iso.datetime(),
      }),
    ])
    .optional(),
};

export const DocumentReference = z.strictObject({
  cid: z.string().min(1).max(256),
  fileKey: base64,
  sha256: hex64,
  size: z.number().int().nonnegative(),
  mediaType: z.string().max(255),
  fileName: z.string().max(255),
});
export type DocumentReference = z.infer<typeof DocumentReference>;

/** What the ciphertext holds: everything clinical. */
export const MessagePayload = z.discriminatedUnion('kind', [
  z.strictObject({ ...common, kind: z.literal('text') }),
  z.strictObject({ ...common, kind: z.literal('document'), document: DocumentReference }),
]);
export type MessagePayload = z.infer<typeof MessagePayload>;

/** A positive hub seq. */
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * A signed acknowledgement (docs/envelope-format.md): the acknowledging device names the message by its
 * envelope hash and hub seq. Sent as its own envelope in the conversation, so every member verifies it.
 */
export const AckPayload = z.strictObject({
  v: z.literal(1),
  kind: z.literal('ack'),
  envelopeHash: hex64,
  seq,
});
export type AckPayload = z.infer<typeof AckPayload>;

const memberList = z.array(id).min(1).max(envelopeLimits.maxRecipients);
const conversationName = z.string().max(200).nullable();
const retentionDays = z.number().int().min(1).max(36500).nullable();
const conversationPatient = z
  .strictObject({ mrn: z.string().min(1).max(64), name: z.string().min(1).max(200) })
  .nullable();

/**
 * One change to a conversation's state, signed into its chain (docs/envelope-format.md, control entries).
 * `snapshot` states the whole state at once: the creator's upgrade of a conversation made before control
 * entries existed. `add` also states the whole state after the change (`members`, `admins`, `name`,
 * `retentionDays`): the members it adds cannot open the entries before it (they were sealed before them), so
 * they start from it; the other members check that it matches what they folded.
 */
export const ControlChange = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('create'),
    /** 'announcement': only its admins may post messages (docs/envelope-format.md, announcements). */
    conversationKind: z.enum(['direct', 'group', 'announcement']),
    members: memberList,
    admins: memberList,
  }),
  z.strictObject({
    op: z.literal('snapshot'),
    conversationKind: z.enum(['direct', 'group']),
    members: memberList,
    admins: memberList,
    throughSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }),
  z.strictObject({
    op: z.literal('add'),
    userIds: memberList,
    members: memberList,
    admins: memberList,
    name: conversationName,
    retentionDays,
    /** The conversation's patient, stated only when it has one (absent: none, and in older entries). */
    patient: conversationPatient.optional(),
  }),
  z.strictObject({ op: z.literal('remove'), userIds: memberList }),
  z.strictObject({ op: z.literal('leave') }),
  z.strictObject({ op: z.literal('rename'), name: z.string().max(200) }),
  z.strictObject({ op: z.literal('retention'), days: retentionDays }),
  /** Makes it a patient conversation (one banner, the composer starts with this patient), or ends that (null). */
  z.strictObject({ op: z.literal('patient'), patient: conversationPatient }),
]);
export type ControlChange = z.infer<typeof ControlChange>;

export const ControlPayload = z.strictObject({
  v: z.literal(1),
  kind: z.literal('control'),
  change: ControlChange,
});
export type ControlPayload = z.infer<typeof ControlPayload>;

/** What a verified envelope may hold: a message, or an entry of the conversation's state (not shown as a message). */
export const EntryPayload = z.discriminatedUnion('kind', [MessagePayload, ControlPayload, AckPayload]);
export type EntryPayload = z.infer<typeof EntryPayload>;
/** The payloads that are state, not messages. */
export type ChainEntryPayload = ControlPayload | AckPayload;

/** The message a payload holds, or null for a state entry. */
export function asMessage(payload: EntryPayload): MessagePayload | null {
  return payload.kind === 'text' || payload.kind === 'document' ? payload : null;
}

export function isChainEntry(payload: EntryPayload): payload is ChainEntryPayload {
  return payload.kind === 'control' || payload.kind === 'ack';
}
