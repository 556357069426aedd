// The hub protocol of docs/hub-protocol.md, version 1: method and event names, TypeScript types of every
// request, and zod schemas of everything the hub sends (results, events, errors), so the client validates
// what it receives. Keep this file and the document in step; the hub's conformance tests use both.
import { z } from 'zod';

export const HUB_PROTOCOL_VERSION = 1;
export const HUB_PATH = '/hub';

export const HubMethod = {
  Hello: 'Hello',
  RegisterDevice: 'RegisterDevice',
  ListDevices: 'ListDevices',
  RevokeDevice: 'RevokeDevice',
  SearchUsers: 'SearchUsers',
  GetUsers: 'GetUsers',
  GetPresence: 'GetPresence',
  CreateConversation: 'CreateConversation',
  ListConversations: 'ListConversations',
  AddMember: 'AddMember',
  RemoveMember: 'RemoveMember',
  GetMembershipHistory: 'GetMembershipHistory',
  Send: 'Send',
  Sync: 'Sync',
  SendReceipt: 'SendReceipt',
  GetReceipts: 'GetReceipts',
  Typing: 'Typing',
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
  'internal',
]);
export type HubErrorCode = z.infer<typeof HubErrorCode>;

export const HubErrorBody = z.object({
  code: HubErrorCode,
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
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

const Timestamp = z.string().min(1);
const Id = z.string().min(1).max(128);
const Base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
const Seq = z.number().int().nonnegative();

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
});
export type Device = z.infer<typeof Device>;

export const Presence = z.object({ userId: Id, online: z.boolean(), lastSeen: Timestamp.nullable() });
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

export const Envelope = z.object({
  conversationId: Id,
  seq: z.number().int().positive(),
  envelopeId: z.guid(),
  senderUserId: Id,
  senderDeviceId: Id,
  payload: Base64,
  serverTime: Timestamp,
});
export type Envelope = z.infer<typeof Envelope>;

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
});
export type HelloResult = z.infer<typeof HelloResult>;

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
export const SyncResult = z.object({ envelopes: z.array(Envelope), more: z.boolean() });
export type SyncResult = z.infer<typeof SyncResult>;
export const GetReceiptsResult = z.object({ receipts: z.array(Receipt) });
export const TypingResult = z.null().optional();

/** The schema of each method's result. */
export const HubResults = {
  Hello: HelloResult,
  RegisterDevice: RegisterDeviceResult,
  ListDevices: ListDevicesResult,
  RevokeDevice: RevokeDeviceResult,
  SearchUsers: UsersResult,
  GetUsers: UsersResult,
  GetPresence: GetPresenceResult,
  CreateConversation: CreateConversationResult,
  ListConversations: ListConversationsResult,
  AddMember: MemberChangeResult,
  RemoveMember: MemberChangeResult,
  GetMembershipHistory: MembershipHistoryResult,
  Send: SendResult,
  Sync: SyncResult,
  SendReceipt: Receipt,
  GetReceipts: GetReceiptsResult,
  Typing: TypingResult,
} satisfies Record<HubMethodName, z.ZodType>;
export type HubResult<M extends HubMethodName> = z.infer<(typeof HubResults)[M]>;

// ---- method requests ---------------------------------------------------------------------------

export interface HubRequests {
  Hello: { deviceId?: string };
  RegisterDevice: {
    deviceId: string;
    signingPublicKey: string;
    encryptionPublicKey: string;
    selfSignature: string;
    createdAt: string;
  };
  ListDevices: { userIds: string[] };
  RevokeDevice: { deviceId: string };
  SearchUsers: { query?: string; limit?: number };
  GetUsers: { userIds: string[] };
  GetPresence: { userIds: string[] };
  CreateConversation: { conversationId?: string; kind: ConversationKind; memberIds: string[] };
  ListConversations: Record<string, never>;
  AddMember: { conversationId: string; userId: string };
  RemoveMember: { conversationId: string; userId: string };
  GetMembershipHistory: { conversationId: string };
  Send: { envelopeId: string; conversationId: string; senderDeviceId: string; payload: string };
  Sync: { cursors?: { conversationId: string; afterSeq: number }[]; limit?: number };
  SendReceipt: { conversationId: string; seq: number; kind: ReceiptKind };
  GetReceipts: { conversationId: string; afterSeq?: number; limit?: number };
  Typing: { conversationId: string; typing: boolean };
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

export const DeviceRevokedEvent = z.object({ deviceId: Id, userId: Id, revokedAt: Timestamp });
export type DeviceRevokedEvent = z.infer<typeof DeviceRevokedEvent>;

export const DirectoryChangedEvent = z.object({
  userId: Id,
  deviceId: Id,
  change: z.enum(['registered', 'revoked']),
  at: Timestamp,
});
export type DirectoryChangedEvent = z.infer<typeof DirectoryChangedEvent>;

/** The schema of each event's payload. */
export const HubEvents = {
  Envelope,
  Receipt,
  Typing: TypingEvent,
  Presence,
  MembershipChanged: MembershipChangedEvent,
  DeviceRevoked: DeviceRevokedEvent,
  DirectoryChanged: DirectoryChangedEvent,
} satisfies Record<HubEventName, z.ZodType>;
export type HubEventPayload<E extends HubEventName> = z.infer<(typeof HubEvents)[E]>;
