import { z } from 'zod';
import { AvailabilityView } from './availability';
import { DRAFT_MAX_CHARS } from '../drafts';

export const ConnectionState = z.object({
  state: z.enum(['offline', 'connecting', 'connected', 'reconnecting', 'syncing']),
  since: z.iso.datetime(),
  queued: z.number().int().nonnegative(),
  /** What is known to keep the app from its servers: 'proxy' while the last try through the proxy failed. */
  problem: z.enum(['proxy']).optional(),
});
export type ConnectionState = z.infer<typeof ConnectionState>;

export const PolicyProblem = z.object({
  file: z.string(),
  field: z.string(),
  message: z.string(),
});
export type PolicyProblem = z.infer<typeof PolicyProblem>;

export const PolicySource = z.enum(['machine', 'user', 'default']);

/** What the renderer may know of the effective policy: no keys, no tokens. */
export const PolicySummary = z.object({
  hubUrl: z.string().nullable(),
  idpAuthority: z.string().nullable(),
  gatewayUrl: z.string().nullable(),
  idleLockMinutes: z.number().int().positive(),
  idleLockMaxMinutes: z.number().int().positive(),
  retentionDays: z.number().int().positive(),
  notificationPrivacy: z.enum(['hidden', 'sender', 'preview']),
  urgentRenotifyMinutes: z.number().int().positive(),
  listPreviews: z.boolean(),
  saveToDiskAllowed: z.boolean(),
  complianceCopy: z.boolean(),
  /** The hospital's MRN format (an anchored regular expression) the composer checks a patient tag against. */
  mrnPattern: z.string().max(200),
  sources: z.record(z.string(), PolicySource),
  problems: z.array(PolicyProblem),
  /** The machine policy (a file or the Windows Group Policy key): 'refused' stops sign-in (policy_invalid). */
  machine: z.object({
    source: z.string().nullable(),
    status: z.enum(['absent', 'in-force', 'refused']),
  }),
});
export type PolicySummary = z.infer<typeof PolicySummary>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  policy: PolicySummary,
});
export type AppInfo = z.infer<typeof AppInfo>;

export const ProfileSummary = z.object({
  profileId: z.string(),
  displayName: z.string(),
  username: z.string(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

const Notice = z.object({ code: z.string(), message: z.string() });

/** Where the workstation's session is: what the renderer shows (chooser, sign-in, lock screen, app). */
export const SessionState = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('signed-out'),
    profiles: z.array(ProfileSummary),
    notice: Notice.nullable(),
    /** The profile the last sign-in found damaged (`profile_damaged`): it can be started over. */
    damaged: ProfileSummary.nullable().optional(),
  }),
  z.object({ status: z.literal('busy'), step: z.enum(['signing-in', 'opening', 'enrolling']) }),
  z.object({
    status: z.literal('needs-reenrol'),
    profile: ProfileSummary,
    problem: Notice,
  }),
  z.object({
    status: z.literal('active'),
    profile: ProfileSummary,
    device: z.object({ deviceId: z.string(), fingerprint: z.string() }),
    pinSet: z.boolean(),
    idleLockMinutes: z.number().int().positive(),
    idleLockMaxMinutes: z.number().int().positive(),
    /** Something about the connection the user should know (e.g. this computer's clock is wrong). */
    notice: Notice.nullable(),
  }),
  z.object({
    status: z.literal('locked'),
    profile: ProfileSummary,
    /** False when no PIN is set or too many wrong PINs were entered: a full sign-in is needed. */
    pinAvailable: z.boolean(),
    attemptsLeft: z.number().int().nonnegative().nullable(),
    notice: Notice.nullable(),
    /**
     * Set when the hub revoked this workstation without IT's signature (code `access_withdrawn`): the data stays,
     * the PIN does not open it, and only a full sign-in does. Shown above everything else on the lock screen.
     */
    withdrawn: Notice.nullable(),
    /** Urgent messages of others not yet read: a count only; nothing else of them reaches the lock screen. */
    urgentUnread: z.number().int().nonnegative().optional(),
  }),
]);
export type SessionState = z.infer<typeof SessionState>;

export const Pin = z.string().regex(/^\d{4,8}$/, { error: 'a PIN is 4 to 8 digits' });

export const ContactDevice = z.object({
  userId: z.string(),
  deviceId: z.string(),
  /** 'unaccepted': a new device held under newDeviceTrust "verify" until someone compares and accepts it. */
  status: z.enum(['trusted', 'new', 'unaccepted', 'key-changed', 'revoked', 'invalid-signature']),
  sendAllowed: z.boolean(),
  safetyNumber: z.string().nullable(),
  fingerprint: z.string().nullable(),
  /** When the device was enrolled (signed by it) and when it last signed in (the hub's word). */
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  /** The workstation name the device signed ("WARD3B-PC02"); null for a device enrolled before names. */
  deviceName: z.string().nullable(),
  /** First seen after its user was already known on this computer (every conversation shows a notice). */
  newDevice: z.boolean(),
});
export type ContactDevice = z.infer<typeof ContactDevice>;

/**
 * A new device of a colleague, shown in each conversation with them: "Dr Okafor signed in on a new workstation,
 * WARD3B-PC02, at 14:02". Placed in the timeline by when this computer first saw it.
 */
export const DeviceNoticeView = z.object({
  userId: z.string(),
  deviceId: z.string(),
  deviceName: z.string().nullable(),
  /** The enrolment time the device signed. */
  enrolledAt: z.string().nullable(),
  /** When this computer first saw the device in the directory. */
  seenAt: z.string(),
  /** 'awaiting-acceptance': nothing reaches it until someone accepts it in contact details ("verify"). */
  state: z.enum(['in-use', 'awaiting-acceptance', 'accepted', 'revoked']),
});
export type DeviceNoticeView = z.infer<typeof DeviceNoticeView>;

/**
 * This workstation and its user's key (docs/key-design.md): whether history can be opened here, and every
 * release of the key to a workstation ("Your messages were opened on WARD3B-PC02 at 14:02").
 */
export const UserKeyStatusView = z.object({
  state: z.enum(['ready', 'waiting', 'refused']),
  /** What the user should know or do when not ready (e.g. sign in again with multi-factor authentication). */
  message: z.string().nullable(),
  code: z.string().nullable(),
  releases: z.array(
    z.object({
      deviceId: z.string(),
      deviceName: z.string(),
      releasedAt: z.string(),
      thisDevice: z.boolean(),
    }),
  ),
  /**
   * Workstations this user's account enrolled after this one ("You signed in on WARD3B-PC02 at 14:02. If this
   * was not you, tell IT."); 'awaiting-acceptance' under "verify": her key is not shared with it until she
   * compares the safety number and accepts it here.
   */
  devices: z.array(DeviceNoticeView.extend({ safetyNumber: z.string().nullable() })),
});
export type UserKeyStatusView = z.infer<typeof UserKeyStatusView>;

export const PatientContext = z.object({ mrn: z.string().min(1).max(64), name: z.string().min(1).max(200) });

/** A document as the renderer may know it: never the file key. */
export const DocumentView = z.object({
  cid: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
  mediaType: z.string(),
  fileName: z.string(),
});

export const MessageView = z.object({
  conversationId: z.string(),
  seq: z.number().int().positive().nullable(),
  envelopeId: z.string(),
  senderUserId: z.string(),
  own: z.boolean(),
  pending: z.boolean(),
  sendFailure: z.string().nullable(),
  time: z.string(),
  verdict: z.enum(['valid', 'quarantined']),
  /** Why a message could not be verified; it is then shown as "could not verify", never as valid. */
  reason: z.string().nullable(),
  kind: z.enum(['text', 'document']).nullable(),
  text: z.string().nullable(),
  urgent: z.boolean(),
  ackRequired: z.boolean(),
  patient: PatientContext.nullable(),
  document: DocumentView.nullable(),
  /** What the hub reports (not signed): shown as the server's word, never as proof. */
  receipts: z.array(z.object({ userId: z.string(), kind: z.enum(['delivered', 'read']), at: z.string() })),
  /**
   * Verified signed acknowledgements of this message (only when it asks for one), one per user, oldest first:
   * `own` for this user (on any of her devices), `at` the acknowledger's signed time.
   */
  acknowledgements: z.array(z.object({ userId: z.string(), own: z.boolean(), at: z.string() })),
  /** Sent to a role (docs/roster.md): the role and the holders it resolved to, from the signed payload. */
  toRole: z
    .object({ roleId: z.string(), name: z.string(), holders: z.array(z.string()), asBackup: z.boolean() })
    .nullable()
    .optional(),
  /**
   * A signed escalation step message of its sender (docs/escalation.md), honoured as such: the timeline shows
   * its step row instead of a message bubble.
   */
  escalationStep: z.enum(['reminder', 'resolved']).nullable().optional(),
});
export type MessageView = z.infer<typeof MessageView>;

export const ConversationView = z.object({
  conversationId: z.string(),
  /** 'announcement' (from the signed chain): only its admins post; recipients read and acknowledge. */
  kind: z.enum(['direct', 'group', 'announcement']),
  members: z.array(z.string()),
  lastMessage: z
    .object({
      kind: z.enum(['text', 'document']).nullable(),
      /** null when it could not be verified, or when previews are off by policy or by the user. */
      preview: z.string().nullable(),
      /**
       * 'awaiting-key': kept until this workstation has the key; 'device-not-accepted': held until the
       * sender's new workstation is accepted (newDeviceTrust "verify"). Neither is an integrity failure.
       */
      verdict: z.enum(['valid', 'quarantined', 'awaiting-key', 'device-not-accepted']),
      senderUserId: z.string(),
      at: z.string(),
      urgent: z.boolean(),
      patient: PatientContext.nullable(),
      pending: z.boolean(),
    })
    .nullable(),
  unread: z.number().int().nonnegative(),
  urgentUnread: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  alerts: z.number().int().nonnegative(),
  /**
   * 'confirmed': `members` come from the conversation's verified signed chain. 'unconfirmed': no create or
   * snapshot entry yet ("membership not yet confirmed"), `members` are the server's list.
   */
  membership: z.enum(['confirmed', 'unconfirmed']),
  /** Who may add, remove, rename and set retention (from the chain; empty while unconfirmed). */
  admins: z.array(z.string()),
  /** The signed name, if an admin gave one. */
  name: z.string().nullable(),
  /** A patient conversation's patient (a signed control entry): one banner instead of a pill per message. */
  patient: PatientContext.nullable(),
});
export type ConversationView = z.infer<typeof ConversationView>;

export const SearchHitView = z.object({
  conversationId: z.string(),
  seq: z.number().int().nullable(),
  envelopeId: z.string(),
  senderUserId: z.string(),
  at: z.string(),
  text: z.string(),
  urgent: z.boolean(),
  patient: PatientContext.nullable(),
});
export type SearchHitView = z.infer<typeof SearchHitView>;

export const IntegrityAlertView = z.object({
  id: z.number().int(),
  conversationId: z.string(),
  kind: z.enum([
    'gap',
    'missing-predecessor',
    'altered',
    'reordered',
    'unsigned-ack',
    'unconfirmed-member',
    // envelopes that failed verification, grouped per burst (details.count); never counted as unread
    'quarantined',
  ]),
  fromSeq: z.number().int(),
  toSeq: z.number().int(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  raisedAt: z.string(),
});
export type IntegrityAlertView = z.infer<typeof IntegrityAlertView>;

/** The languages the renderer has a catalogue for, or the computer's own. */
export const UiLanguage = z.enum(['system', 'en', 'hi']);
export type UiLanguage = z.infer<typeof UiLanguage>;

/** The signed-in user's own settings, each within what the policy allows. */
export const Preferences = z.object({
  idleLockMinutes: z.number().int().positive(),
  idleLockMaxMinutes: z.number().int().positive(),
  /** Urgent messages always notify; 'urgent' quietens routine ones. */
  notifyFor: z.enum(['all', 'urgent']),
  notificationPrivacy: z.enum(['hidden', 'sender', 'preview']),
  notificationPrivacyMax: z.enum(['hidden', 'sender', 'preview']),
  listPreviews: z.boolean(),
  listPreviewsAllowed: z.boolean(),
  urgentRenotifyMinutes: z.number().int().positive(),
  /** The language the app speaks to this user: 'system' follows the computer's. */
  language: UiLanguage,
});
export type Preferences = z.infer<typeof Preferences>;

export const PresenceView = z.object({
  userId: z.string(),
  online: z.boolean(),
  lastSeen: z.string().nullable(),
  /** What the colleague set (the hub's word); null when none or her Do not disturb has ended. */
  availability: AvailabilityView.nullable().optional(),
});
export type PresenceView = z.infer<typeof PresenceView>;

export const DirectoryUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  department: z.string(),
});
export type DirectoryUser = z.infer<typeof DirectoryUser>;

/** Opening a document either proves it and gives the viewer a URL, or says which check failed, with evidence. */
export const DocumentOpenResult = z.discriminatedUnion('verified', [
  z.object({
    verified: z.literal(true),
    /** cm-document://… — served by main from the verified bytes only, for as long as the viewer holds it. */
    url: z.string(),
    fileName: z.string(),
    mediaType: z.string(),
    size: z.number().int().nonnegative(),
    cid: z.string(),
    sha256: z.string(),
    blocks: z.number().int().nonnegative(),
    signer: z.object({ userId: z.string(), deviceId: z.string() }),
    sentAt: z.string(),
    verifiedAt: z.string(),
  }),
  z.object({
    verified: z.literal(false),
    check: z.string(),
    message: z.string(),
    evidence: z.object({
      cid: z.string(),
      blockCid: z.string().nullable(),
      expected: z.string().nullable(),
      found: z.string().nullable(),
      source: z.string().nullable(),
    }),
    signer: z.object({ userId: z.string(), deviceId: z.string() }),
    sentAt: z.string(),
    checkedAt: z.string(),
  }),
]);
export type DocumentOpenResult = z.infer<typeof DocumentOpenResult>;

/**
 * A composer's unsent text, '' for none. Well-formed text only: a lone surrogate half would not come back from
 * the store as it was typed.
 */
export const DraftText = z
  .string()
  .max(DRAFT_MAX_CHARS, { error: `a draft is at most ${DRAFT_MAX_CHARS} characters` })
  .refine((text) => !/\p{Cs}/u.test(text), { error: 'a draft must be well-formed text' });
