// The hub protocol of docs/hub-protocol.md, version 2: method and event names, TypeScript types of every
// request, and zod schemas of everything the hub sends (results, events, errors), so the client validates
// what it receives. Keep this file and the document in step; the hub's conformance tests use both.
import { z } from 'zod';
import { base64Chars, isBase64 } from './base64';

export { isBase64 } from './base64';

export const HUB_PROTOCOL_VERSION = 2;
export const HUB_PATH = '/hub';

export const HubMethod = {
  Hello: 'Hello',
  GetRegistrationChallenge: 'GetRegistrationChallenge',
  RegisterDevice: 'RegisterDevice',
  ListDevices: 'ListDevices',
  RevokeDevice: 'RevokeDevice',
  PublishUserKey: 'PublishUserKey',
  GetUserKeys: 'GetUserKeys',
  SearchUsers: 'SearchUsers',
  GetUsers: 'GetUsers',
  GetPresence: 'GetPresence',
  CreateConversation: 'CreateConversation',
  ListConversations: 'ListConversations',
  AddMember: 'AddMember',
  RemoveMember: 'RemoveMember',
  GetMembershipHistory: 'GetMembershipHistory',
  PublishConversationKey: 'PublishConversationKey',
  GetConversationKeys: 'GetConversationKeys',
  Send: 'Send',
  Sync: 'Sync',
  SendReceipt: 'SendReceipt',
  GetReceipts: 'GetReceipts',
  Typing: 'Typing',
  PostKeyRelease: 'PostKeyRelease',
  GetKeyReleases: 'GetKeyReleases',
  DeleteKeyRelease: 'DeleteKeyRelease',
  GetRevocation: 'GetRevocation',
  GetRoster: 'GetRoster',
  SetAvailability: 'SetAvailability',
} as const;
export type HubMethodName = (typeof HubMethod)[keyof typeof HubMethod];

export const HubEvent = {
  Envelope: 'Envelope',
  Receipt: 'Receipt',
  Typing: 'Typing',
  Presence: 'Presence',
  MembershipChanged: 'MembershipChanged',
  DeviceRevoked: 'DeviceRevoked',
  DirectoryChanged: 'DirectoryChanged',
  UserKeyChanged: 'UserKeyChanged',
  KeyReleased: 'KeyReleased',
  RosterChanged: 'RosterChanged',
} as const;
export type HubEventName = (typeof HubEvent)[keyof typeof HubEvent];

export const HubErrorCode = z.enum([
  'unauthenticated',
  'invalid',
  'too_large',
  'rate_limited',
  'device_required',
  'device_revoked',
  'forbidden',
  'not_found',
  'conflict',
  'stale_recipients',
  'invalid_proof',
  'internal',
]);
export type HubErrorCode = z.infer<typeof HubErrorCode>;

/** A current member and their newest user-key epoch (null: no user key), as `stale_recipients` lists them. */
export const MemberEpoch = z.object({
  userId: z.string().min(1).max(128),
  epoch: z.number().int().positive().nullable(),
});
export type MemberEpoch = z.infer<typeof MemberEpoch>;

export const HubErrorBody = z.object({
  code: HubErrorCode,
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** With `stale_recipients`: every current member of the conversation at their current epoch. */
  current: z.array(MemberEpoch).optional(),
});
export type HubErrorBody = z.infer<typeof HubErrorBody>;

/**
 * The typed error inside a failed hub call, or inside the SignalR client's negotiate failure (which quotes
 * the 401 body), or null when the failure is not one of ours.
 */
export function parseHubError(err: unknown): HubErrorBody | null {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  try {
    const parsed = HubErrorBody.safeParse(JSON.parse(text.slice(start, end + 1)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// ---- shared shapes -----------------------------------------------------------------------------

/**
 * The largest envelope any client can make (docs/envelope-format.md): magic and three lengths, a 512 KiB header,
 * a 1 MiB body, a 64-byte signature. Anything bigger in a `Sync` page or an `Envelope` event is refused unread;
 * tests/unit/hub/limits.test.ts keeps this in step with `envelopeLimits`.
 */
export const MAX_ENVELOPE_BYTES = 4 + 4 + 512 * 1024 + 4 + 1024 * 1024 + 64;
export const MAX_ENVELOPE_PAYLOAD_CHARS = base64Chars(MAX_ENVELOPE_BYTES);
/** Any other base64 field (keys, signatures, sealed keys, key releases) is far below 1 MiB. */
const MAX_BASE64_CHARS = base64Chars(1024 * 1024);
/** The hub's own cap on `Sync`'s `limit` (docs/hub-protocol.md). */
export const MAX_SYNC_PAGE_ITEMS = 1000;

const Timestamp = z.string().min(1).max(64);
const Id = z.string().min(1).max(128);
// Length first: the character check runs only on a string of a sane size.
const Base64 = z
  .string()
  .max(MAX_BASE64_CHARS)
  .refine((text) => text.length <= MAX_BASE64_CHARS && isBase64(text), { message: 'not base64' });
const Seq = z.number().int().nonnegative();
const Epoch = z.number().int().positive();
/** A conversation key id: the first 16 bytes of BLAKE2b-256 of the key, lower-case hex. */
export const KeyId = z.string().regex(/^[0-9a-f]{32}$/);

export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  department: z.string(),
});
export type User = z.infer<typeof User>;

export const Device = z.object({
  deviceId: Id,
  userId: Id,
  signingPublicKey: Base64,
  encryptionPublicKey: Base64,
  selfSignature: Base64,
  createdAt: z.string(),
  registeredAt: Timestamp,
  revoked: z.boolean(),
  revokedAt: Timestamp.nullable(),
  /** When a connection last bound this device (its last sign-in); null if never since the hub recorded it. */
  lastSeenAt: Timestamp.nullable(),
  /** The workstation name the device signed into its entry (version 2); null for a version 1 entry. */
  deviceName: z.string().min(1).max(64).nullable(),
});
export type Device = z.infer<typeof Device>;

/** What a user set about herself (docs/hub-protocol.md, SetAvailability): the hub's word, not a security claim. */
export const AvailabilityStatus = z.enum(['available', 'busy', 'in_theatre', 'off_shift', 'dnd']);
export type AvailabilityStatus = z.infer<typeof AvailabilityStatus>;
export const HubAvailability = z.object({
  status: AvailabilityStatus,
  until: Timestamp.nullable(),
  setAt: Timestamp,
});
export type HubAvailability = z.infer<typeof HubAvailability>;

export const Presence = z.object({
  userId: Id,
  online: z.boolean(),
  lastSeen: Timestamp.nullable(),
  /** Absent from hubs before availability; null when the user set none (or her Do not disturb ended). */
  availability: HubAvailability.nullable().optional(),
});
export type Presence = z.infer<typeof Presence>;

export const ConversationKind = z.enum(['direct', 'group']);
export type ConversationKind = z.infer<typeof ConversationKind>;

export const Conversation = z.object({
  conversationId: Id,
  kind: ConversationKind,
  createdBy: Id,
  createdAt: Timestamp,
  members: z.array(Id),
  lastSeq: Seq,
  lastChangeSeq: Seq,
});
export type Conversation = z.infer<typeof Conversation>;

export const MembershipChange = z.object({
  conversationId: Id,
  changeSeq: z.number().int().positive(),
  kind: z.enum(['added', 'removed']),
  userId: Id,
  byUserId: Id,
  afterSeq: Seq,
  at: Timestamp,
});
export type MembershipChange = z.infer<typeof MembershipChange>;

/** A time the hub stamps: short, and a date the store can keep (an unparseable one is refused with its item). */
const ServerTime = Timestamp.refine((text) => Number.isFinite(Date.parse(text)), { message: 'not a time' });

export const Envelope = z.object({
  conversationId: Id,
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  envelopeId: z.string().max(36).pipe(z.guid()),
  senderUserId: Id,
  senderDeviceId: Id,
  payload: z
    .string()
    .max(MAX_ENVELOPE_PAYLOAD_CHARS)
    .refine((text) => text.length <= MAX_ENVELOPE_PAYLOAD_CHARS && isBase64(text), {
      message: 'not base64',
    }),
  serverTime: ServerTime,
});
export type Envelope = z.infer<typeof Envelope>;

/** Why one item of a `Sync` page (or one pushed envelope) was refused on its own. */
export type RefusedReason = 'malformed' | 'too-large';

/**
 * An item the hub sent that is not a valid envelope, but whose place is known (its conversation and seq are
 * well formed): the client records it there as refused, so its cursor moves past it and nothing after it
 * waits. The other fields are kept only when they are themselves well formed.
 */
export interface RefusedEnvelope {
  conversationId: string;
  seq: number;
  envelopeId: string | null;
  senderUserId: string | null;
  senderDeviceId: string | null;
  serverTime: string | null;
  reason: RefusedReason;
  /** What was wrong (schema paths and codes; never contents). */
  issues: { path: string; code: string }[];
  /** The payload as sent, when it is a string no longer than an envelope can be (else null). */
  payload: string | null;
}

export type EnvelopeItemCheck =
  | { ok: true; envelope: Envelope }
  | { ok: false; refused: RefusedEnvelope }
  /** Not even its conversation and seq are well formed: it cannot be placed, only counted. */
  | { ok: false; refused: null; issues: { path: string; code: string }[] };

const wellFormed = <T>(schema: z.ZodType<T>, value: unknown): T | null => {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
};

/**
 * Checks one envelope from a `Sync` page or an `Envelope` event on its own: sizes first (a payload longer than
 * any envelope is `too-large` without another look), then the schema. Never throws.
 */
export function checkEnvelopeItem(raw: unknown): EnvelopeItemCheck {
  const record =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const conversationId = wellFormed(Id, record.conversationId);
  const seq = wellFormed(Envelope.shape.seq, record.seq);
  const payload = record.payload;
  const tooLarge = typeof payload === 'string' && payload.length > MAX_ENVELOPE_PAYLOAD_CHARS;
  let issues: { path: string; code: string }[];
  if (tooLarge) issues = [{ path: 'payload', code: 'too_big' }];
  else {
    const parsed = Envelope.safeParse(raw);
    if (parsed.success) return { ok: true, envelope: parsed.data };
    issues = parsed.error.issues
      .slice(0, 20)
      .map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code }));
  }
  if (conversationId === null || seq === null) return { ok: false, refused: null, issues };
  return {
    ok: false,
    refused: {
      conversationId,
      seq,
      envelopeId: wellFormed(Envelope.shape.envelopeId, record.envelopeId),
      senderUserId: wellFormed(Id, record.senderUserId),
      senderDeviceId: wellFormed(Id, record.senderDeviceId),
      serverTime: wellFormed(ServerTime, record.serverTime),
      reason: tooLarge ? 'too-large' : 'malformed',
      issues,
      payload: typeof payload === 'string' && !tooLarge ? payload : null,
    },
  };
}

export const UserKey = z.object({
  userId: Id,
  epoch: Epoch,
  publicKey: Base64,
  createdAt: z.string(),
  signerDeviceId: Id,
  signature: Base64,
  publishedAt: Timestamp,
});
export type UserKey = z.infer<typeof UserKey>;

export const ConversationKeyRecipient = z.object({ userId: Id, epoch: Epoch, sealedKey: Base64 });
export type ConversationKeyRecipient = z.infer<typeof ConversationKeyRecipient>;

export const ConversationKeyCompliance = z.object({
  keyFingerprint: z.string().min(1).max(128),
  sealedKey: Base64,
});
export type ConversationKeyCompliance = z.infer<typeof ConversationKeyCompliance>;

export const ConversationKey = z.object({
  conversationId: Id,
  keyId: KeyId,
  senderUserId: Id,
  senderDeviceId: Id,
  createdAt: z.string(),
  recipients: z.array(ConversationKeyRecipient),
  compliance: ConversationKeyCompliance.nullable(),
  signature: Base64,
  publishedAt: Timestamp,
});
export type ConversationKey = z.infer<typeof ConversationKey>;

export const KeyRelease = z.object({
  releaseId: z.guid(),
  userId: Id,
  toDeviceId: Id,
  fromDeviceId: Id,
  createdAt: z.string(),
  sealed: Base64,
  signature: Base64,
  postedAt: Timestamp,
});
export type KeyRelease = z.infer<typeof KeyRelease>;

/**
 * A device revocation signed by the hospital's IT (docs/remote-wipe.md), as IT submitted it to the hub. The
 * hub cannot check the signature; the client verifies it against the keys its machine policy pins.
 */
export const Revocation = z.object({
  userId: Id,
  deviceId: Id,
  revokedAt: z.string().min(1).max(64),
  signature: Base64.max(100),
});
export type Revocation = z.infer<typeof Revocation>;

export const ReceiptKind = z.enum(['delivered', 'read', 'acknowledged']);
export type ReceiptKind = z.infer<typeof ReceiptKind>;

export const Receipt = z.object({
  conversationId: Id,
  seq: z.number().int().positive(),
  userId: Id,
  deviceId: Id,
  kind: ReceiptKind,
  at: Timestamp,
});
export type Receipt = z.infer<typeof Receipt>;

// ---- method results ----------------------------------------------------------------------------

export const HubLimits = z.object({
  maxEnvelopeBytes: z.number().int().positive(),
  callsPerSecond: z.number().positive(),
  callBurst: z.number().positive(),
  maxSyncLimit: z.number().int().positive(),
  maxReceiveMessageBytes: z.number().int().positive(),
});
export type HubLimits = z.infer<typeof HubLimits>;

export const HelloResult = z.object({
  protocolVersion: z.literal(HUB_PROTOCOL_VERSION),
  userId: Id,
  user: User.nullable(),
  roles: z.array(z.string()),
  deviceId: Id.nullable(),
  limits: HubLimits,
  serverTime: Timestamp,
  /**
   * The oldest client version the hub accepts sends from (strict x.y.z; docs/updates.md). Below it the client
   * stops sending and asks for an update; the hub cannot make anything install.
   */
  minimumClientVersion: z
    .string()
    .max(20)
    .regex(/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/)
    .nullable()
    .optional(),
});
export type HelloResult = z.infer<typeof HelloResult>;

export const GetRegistrationChallengeResult = z.object({
  /** 32 random bytes, base64: sign it (with the user and device ids) to register a device on this connection. */
  nonce: Base64.max(64),
  expiresAt: Timestamp,
});
export const RegisterDeviceResult = z.object({ device: Device, created: z.boolean() });
export const ListDevicesResult = z.object({ devices: z.array(Device) });
export const RevokeDeviceResult = z.object({ device: Device });
export const UsersResult = z.object({ users: z.array(User) });
export const GetPresenceResult = z.object({ presence: z.array(Presence) });
export const CreateConversationResult = z.object({ conversation: Conversation, created: z.boolean() });
export const ListConversationsResult = z.object({ conversations: z.array(Conversation) });
export const MemberChangeResult = z.object({ conversation: Conversation, change: MembershipChange });
export const MembershipHistoryResult = z.object({ changes: z.array(MembershipChange) });
export const SendResult = z.object({
  conversationId: Id,
  envelopeId: z.guid(),
  seq: z.number().int().positive(),
  serverTime: Timestamp,
  duplicate: z.boolean(),
});
export type SendResult = z.infer<typeof SendResult>;
/**
 * A `Sync` page: its frame (an array of at most the hub's page size, and `more`) must be right; each item is
 * then checked on its own (checkEnvelopeItem), so one bad item is refused alone, never the page around it.
 */
export const SyncResult = z
  .object({ envelopes: z.array(z.unknown()).max(MAX_SYNC_PAGE_ITEMS), more: z.boolean() })
  .transform(({ envelopes: items, more }) => {
    const envelopes: Envelope[] = [];
    const refused: RefusedEnvelope[] = [];
    /** Items without a well-formed conversation and seq: nowhere to record them. */
    let unplaceable = 0;
    for (const item of items) {
      const checked = checkEnvelopeItem(item);
      if (checked.ok) envelopes.push(checked.envelope);
      else if (checked.refused) refused.push(checked.refused);
      else unplaceable++;
    }
    return { envelopes, refused, unplaceable, more };
  });
export type SyncResult = z.infer<typeof SyncResult>;
export const GetReceiptsResult = z.object({ receipts: z.array(Receipt) });
export const TypingResult = z.null().optional();
export const PublishUserKeyResult = z.object({ userKey: UserKey, created: z.boolean() });
export const GetUserKeysResult = z.object({ userKeys: z.array(UserKey) });
export const PublishConversationKeyResult = z.object({
  conversationKey: ConversationKey,
  created: z.boolean(),
});
export const GetConversationKeysResult = z.object({ conversationKeys: z.array(ConversationKey) });
export const PostKeyReleaseResult = z.object({ release: KeyRelease, created: z.boolean() });
export const GetKeyReleasesResult = z.object({ releases: z.array(KeyRelease) });
export const DeleteKeyReleaseResult = z.object({ deleted: z.boolean() });
export const GetRevocationResult = z.object({ revocation: Revocation.nullable() });
/**
 * The roster as the hub stores it (docs/roster.md). Each entry stays unknown here: the client verifies every
 * one against IT's pinned keys on its own (src/main/core/roles), so one bad entry never fails the page.
 */
export const GetRosterResult = z.object({ entries: z.array(z.unknown()).max(500) });
export const SetAvailabilityResult = z.object({ presence: Presence });

/** The schema of each method's result. */
export const HubResults = {
  Hello: HelloResult,
  GetRegistrationChallenge: GetRegistrationChallengeResult,
  RegisterDevice: RegisterDeviceResult,
  ListDevices: ListDevicesResult,
  RevokeDevice: RevokeDeviceResult,
  PublishUserKey: PublishUserKeyResult,
  GetUserKeys: GetUserKeysResult,
  SearchUsers: UsersResult,
  GetUsers: UsersResult,
  GetPresence: GetPresenceResult,
  CreateConversation: CreateConversationResult,
  ListConversations: ListConversationsResult,
  AddMember: MemberChangeResult,
  RemoveMember: MemberChangeResult,
  GetMembershipHistory: MembershipHistoryResult,
  PublishConversationKey: PublishConversationKeyResult,
  GetConversationKeys: GetConversationKeysResult,
  Send: SendResult,
  Sync: SyncResult,
  SendReceipt: Receipt,
  GetReceipts: GetReceiptsResult,
  Typing: TypingResult,
  PostKeyRelease: PostKeyReleaseResult,
  GetKeyReleases: GetKeyReleasesResult,
  DeleteKeyRelease: DeleteKeyReleaseResult,
  GetRevocation: GetRevocationResult,
  GetRoster: GetRosterResult,
  SetAvailability: SetAvailabilityResult,
} satisfies Record<HubMethodName, z.ZodType>;
export type HubResult<M extends HubMethodName> = z.infer<(typeof HubResults)[M]>;

// ---- method requests ---------------------------------------------------------------------------

export interface HubRequests {
  Hello: { deviceId?: string };
  GetRegistrationChallenge: Record<string, never>;
  RegisterDevice: {
    deviceId: string;
    signingPublicKey: string;
    encryptionPublicKey: string;
    selfSignature: string;
    createdAt: string;
    /** Version 2 entries: the workstation name, covered by `selfSignature`. */
    deviceName?: string;
    /** The nonce of this connection's latest `GetRegistrationChallenge` (single use, short-lived). */
    nonce: string;
    /** Ed25519 by the signing key over the registration statement (docs/hub-protocol.md, RegisterDevice). */
    proof: string;
  };
  ListDevices: { userIds: string[] };
  RevokeDevice: { deviceId: string };
  PublishUserKey: {
    epoch: number;
    publicKey: string;
    createdAt: string;
    signerDeviceId: string;
    signature: string;
  };
  GetUserKeys: { userIds: string[]; all?: boolean };
  SearchUsers: { query?: string; limit?: number };
  GetUsers: { userIds: string[] };
  GetPresence: { userIds: string[] };
  CreateConversation: { conversationId?: string; kind: ConversationKind; memberIds: string[] };
  ListConversations: Record<string, never>;
  AddMember: { conversationId: string; userId: string };
  RemoveMember: { conversationId: string; userId: string };
  GetMembershipHistory: { conversationId: string };
  PublishConversationKey: {
    conversationId: string;
    keyId: string;
    senderDeviceId: string;
    createdAt: string;
    recipients: { userId: string; epoch: number; sealedKey: string }[];
    compliance: { keyFingerprint: string; sealedKey: string } | null;
    signature: string;
  };
  GetConversationKeys: { conversationId: string; keyIds?: string[] };
  Send: {
    envelopeId: string;
    conversationId: string;
    senderDeviceId: string;
    payload: string;
    /** The conversation key the envelope is encrypted under; required once a member has a user key. */
    keyId?: string;
  };
  Sync: { cursors?: { conversationId: string; afterSeq: number }[]; limit?: number };
  SendReceipt: { conversationId: string; seq: number; kind: ReceiptKind };
  GetReceipts: { conversationId: string; afterSeq?: number; limit?: number };
  Typing: { conversationId: string; typing: boolean };
  PostKeyRelease: {
    releaseId: string;
    toDeviceId: string;
    fromDeviceId: string;
    createdAt: string;
    sealed: string;
    signature: string;
  };
  GetKeyReleases: Record<string, never>;
  DeleteKeyRelease: { releaseId: string };
  GetRevocation: { deviceId: string };
  GetRoster: Record<string, never>;
  SetAvailability: { status: AvailabilityStatus; until?: string };
}

// ---- events ------------------------------------------------------------------------------------

export const TypingEvent = z.object({
  conversationId: Id,
  userId: Id,
  deviceId: Id,
  typing: z.boolean(),
  at: Timestamp,
});
export type TypingEvent = z.infer<typeof TypingEvent>;

export const MembershipChangedEvent = z.object({
  conversation: Conversation,
  changes: z.array(MembershipChange),
});
export type MembershipChangedEvent = z.infer<typeof MembershipChangedEvent>;

/** With `signature`, the revocation IT signed (`revokedAt` is then IT's time, as signed). */
export const DeviceRevokedEvent = z.object({
  deviceId: Id,
  userId: Id,
  revokedAt: Timestamp.max(64),
  signature: Base64.max(100).nullable().optional(),
});
export type DeviceRevokedEvent = z.infer<typeof DeviceRevokedEvent>;

export const DirectoryChangedEvent = z.object({
  userId: Id,
  deviceId: Id,
  change: z.enum(['registered', 'revoked']),
  at: Timestamp,
});
export type DirectoryChangedEvent = z.infer<typeof DirectoryChangedEvent>;

export const UserKeyChangedEvent = z.object({ userId: Id, epoch: Epoch, at: Timestamp });
export type UserKeyChangedEvent = z.infer<typeof UserKeyChangedEvent>;

export const KeyReleasedEvent = z.object({
  releaseId: z.guid(),
  toDeviceId: Id,
  fromDeviceId: Id,
  at: Timestamp,
});
export type KeyReleasedEvent = z.infer<typeof KeyReleasedEvent>;

/** IT changed a role of the roster: ask `GetRoster` again (and verify it). */
export const RosterChangedEvent = z.object({
  roleId: Id,
  serial: z.number().int().positive(),
  at: Timestamp,
});
export type RosterChangedEvent = z.infer<typeof RosterChangedEvent>;

/** The schema of each event's payload. */
export const HubEvents = {
  Envelope,
  Receipt,
  Typing: TypingEvent,
  Presence,
  MembershipChanged: MembershipChangedEvent,
  DeviceRevoked: DeviceRevokedEvent,
  DirectoryChanged: DirectoryChangedEvent,
  UserKeyChanged: UserKeyChangedEvent,
  KeyReleased: KeyReleasedEvent,
  RosterChanged: RosterChangedEvent,
} satisfies Record<HubEventName, z.ZodType>;
export type HubEventPayload<E extends HubEventName> = z.infer<(typeof HubEvents)[E]>;
