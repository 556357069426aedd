import type { z } from 'zod';
import { z as zod } from 'zod';
import type { CallName, EventName } from './names';
import {
  AppInfo,
  ConnectionState,
  ContactDevice,
  ConversationView,
  DeviceNoticeView,
  DirectoryUser,
  DocumentOpenResult,
  DraftText,
  IntegrityAlertView,
  MessageView,
  PatientContext,
  Pin,
  Preferences,
  PresenceView,
  SearchHitView,
  SessionState,
  UiLanguage,
  UserKeyStatusView,
} from './schemas';
import {
  AwaitingMineView,
  AwaitingOthersView,
  EscalationOptions,
  EscalationStepView,
  EscalationTargetView,
} from './escalation';
import {
  BroadcastPreviewArgs,
  BroadcastPreviewView,
  BroadcastRef,
  BroadcastSendArgs,
  BroadcastStatusView,
} from './broadcast';
import { RoleResolutionView, RoleSendArgs, RoleSendResult, RoleView } from './roles';
import { UpdateStatusView } from './updates';
import { ByPatientArgs, PatientPageView, SetPatientArgs } from './patient';
import { AvailabilityChangedEvent, MyAvailabilityView, SetAvailabilityArgs } from './availability';

const id = zod.string().min(1).max(128);

interface CallSpec {
  args: z.ZodType;
  result: z.ZodType;
}

/**
 * The one IPC contract: every call and event between renderer and main, named once (names.ts) with its
 * schemas here. Main validates every incoming call and outgoing event against it; the preload exposes
 * exactly these names; the renderer's types are inferred from it.
 */
export const contract = {
  calls: {
    'app.info': { args: zod.undefined(), result: AppInfo },
    /** The diagnostics bundle for IT (JSON text, no PHI); with `save`, also written where the user chooses. */
    'app.diagnostics': {
      args: zod.strictObject({ save: zod.boolean() }),
      result: zod.object({ text: zod.string().max(4_000_000), saved: zod.boolean() }),
    },
    /** Signed updates and the hub's minimum version (docs/updates.md). */
    'updates.status': { args: zod.undefined(), result: UpdateStatusView },
    'connection.current': { args: zod.undefined(), result: ConnectionState },
    'session.current': { args: zod.undefined(), result: SessionState },
    'session.signIn': { args: zod.strictObject({ profileId: zod.uuid().optional() }), result: SessionState },
    'session.signOut': { args: zod.undefined(), result: SessionState },
    'session.switchUser': { args: zod.undefined(), result: SessionState },
    'session.lock': { args: zod.undefined(), result: SessionState },
    'session.unlockWithPin': { args: zod.strictObject({ pin: Pin }), result: SessionState },
    'session.unlockWithSignIn': { args: zod.undefined(), result: SessionState },
    'session.setPin': { args: zod.strictObject({ pin: Pin }), result: SessionState },
    'session.setIdleTimeout': {
      args: zod.strictObject({ minutes: zod.int().min(1).max(240) }),
      result: SessionState,
    },
    'session.activity': { args: zod.undefined(), result: zod.null() },
    'session.reenrol': { args: zod.undefined(), result: SessionState },
    /** After `profile_damaged`: a full sign-in of that user, the old device revoked on the hub, a new start. */
    'session.startProfileOver': { args: zod.strictObject({ profileId: zod.uuid() }), result: SessionState },
    'keys.contactDevices': {
      args: zod.strictObject({ userIds: zod.array(zod.string().min(1).max(128)).min(1).max(500) }),
      result: zod.array(ContactDevice),
    },
    'keys.acceptKeyChange': {
      args: zod.strictObject({
        userId: zod.string().min(1).max(128),
        deviceId: zod.string().min(1).max(128),
      }),
      result: zod.array(ContactDevice),
    },
    /** Accepts a new device held under newDeviceTrust "verify" (after comparing its safety number). */
    'keys.acceptNewDevice': {
      args: zod.strictObject({
        userId: zod.string().min(1).max(128),
        deviceId: zod.string().min(1).max(128),
      }),
      result: zod.array(ContactDevice),
    },
    'keys.status': { args: zod.undefined(), result: UserKeyStatusView },
    /** The new devices of the conversation's other members, for the timeline ("signed in on a new workstation"). */
    'conversations.deviceNotices': {
      args: zod.strictObject({ conversationId: id }),
      result: zod.array(DeviceNoticeView),
    },
    'directory.search': {
      args: zod.strictObject({ query: zod.string().max(200) }),
      result: zod.array(DirectoryUser),
    },
    'directory.presence': {
      args: zod.strictObject({ userIds: zod.array(id).min(1).max(200) }),
      result: zod.array(PresenceView),
    },
    /** Sets this user's availability on all her devices (Do not disturb: until a time ≤ 24 h ahead). */
    'directory.setAvailability': { args: SetAvailabilityArgs, result: MyAvailabilityView },
    /** This user's own availability, as this profile keeps it. */
    'directory.myAvailability': { args: zod.undefined(), result: MyAvailabilityView },
    /** Roles of the roster by name, with IT's verified holders and backup (docs/roster.md). */
    'directory.roles': {
      args: zod.strictObject({ query: zod.string().max(200) }),
      result: zod.array(RoleView),
    },
    /** Who a message to the role would reach now; shown before sending ("in theatre; backup: ..."). */
    'roles.resolve': { args: zod.strictObject({ roleId: id }), result: RoleResolutionView },
    /** Resolves the role at send time and sends to its holders; `role_unstaffed` before sending if nobody. */
    'roles.send': { args: RoleSendArgs, result: RoleSendResult },
    'settings.current': { args: zod.undefined(), result: Preferences },
    'settings.update': {
      args: zod.strictObject({
        idleLockMinutes: zod.int().min(1).max(240).optional(),
        notifyFor: zod.enum(['all', 'urgent']).optional(),
        notificationPrivacy: zod.enum(['hidden', 'sender', 'preview']).optional(),
        listPreviews: zod.boolean().optional(),
        language: UiLanguage.optional(),
      }),
      result: Preferences,
    },
    'conversations.list': { args: zod.undefined(), result: zod.array(ConversationView) },
    'conversations.create': {
      args: zod.strictObject({
        kind: zod.enum(['direct', 'group']),
        memberIds: zod.array(id).min(1).max(255),
      }),
      result: zod.object({ conversationId: zod.string() }),
    },
    /** Adds colleagues to a group (creator and admins): the server's change, then a signed control entry. */
    'conversations.addMember': {
      args: zod.strictObject({ conversationId: id, userIds: zod.array(id).min(1).max(255) }),
      result: zod.null(),
    },
    /** Removes colleagues from a group (creator and admins). */
    'conversations.removeMember': {
      args: zod.strictObject({ conversationId: id, userIds: zod.array(id).min(1).max(255) }),
      result: zod.null(),
    },
    /** This user leaves the conversation (any member may). */
    'conversations.leave': { args: zod.strictObject({ conversationId: id }), result: zod.null() },
    /** Makes it a patient conversation, or ends that (admins): a signed control entry. */
    'conversations.setPatient': { args: SetPatientArgs, result: zod.null() },
    'messages.page': {
      args: zod
        .strictObject({
          conversationId: id,
          beforeSeq: zod.int().positive().optional(),
          afterSeq: zod.int().nonnegative().optional(),
          limit: zod.int().min(1).max(200),
        })
        .refine((a) => a.beforeSeq === undefined || a.afterSeq === undefined, {
          message: 'a page is either before or after a seq, not both',
        }),
      result: zod.array(MessageView),
    },
    'messages.send': {
      args: zod.strictObject({
        conversationId: id,
        text: zod.string().min(1).max(65536),
        urgent: zod.boolean(),
        ackRequired: zod.boolean(),
        patient: PatientContext.nullable(),
        /** Ack-required only: the deadline (one of the policy's choices; the policy's default when absent). */
        ackDeadlineMinutes: zod.int().min(1).max(60).optional(),
        /** Who it escalates to at the deadline; the policy's default when absent, null for nobody. */
        escalateTo: EscalationTargetView.nullable().optional(),
      }),
      result: zod.object({ envelopeId: zod.string() }),
    },
    'messages.search': {
      args: zod.strictObject({
        query: zod.string().min(1).max(200),
        ranked: zod.boolean().optional(),
        conversationId: id.optional(),
      }),
      result: zod.array(SearchHitView),
    },
    /** The patient view: this computer's messages and documents tagged with one MRN, newest first, paged. */
    'messages.byPatient': { args: ByPatientArgs, result: PatientPageView },
    'messages.markRead': {
      args: zod.strictObject({ conversationId: id, uptoSeq: zod.int().positive() }),
      result: zod.null(),
    },
    'messages.typing': {
      args: zod.strictObject({ conversationId: id, typing: zod.boolean() }),
      result: zod.null(),
    },
    'messages.acknowledge': {
      args: zod.strictObject({ conversationId: id, seq: zod.int().positive() }),
      result: zod.null(),
    },
    /** Deadline choices and defaults from the machine policy (docs/escalation.md). */
    'escalations.options': { args: zod.undefined(), result: EscalationOptions },
    /** Messages asking this user for acknowledgement, not yet acknowledged (the sidebar count). */
    'escalations.awaitingMine': { args: zod.undefined(), result: zod.array(AwaitingMineView) },
    /** This user's messages with a deadline that nobody has acknowledged yet, with time left. */
    'escalations.awaitingOthers': { args: zod.undefined(), result: zod.array(AwaitingOthersView) },
    /** The escalation steps written into a conversation's timeline (local items, never sent). */
    'escalations.timeline': {
      args: zod.strictObject({ conversationId: id }),
      result: zod.array(EscalationStepView),
    },
    /** An announcement (docs/envelope-format.md): only the sender posts; recipients read and acknowledge. */
    'broadcasts.send': {
      args: BroadcastSendArgs,
      result: zod.object({ conversationId: zod.string(), envelopeId: zod.string() }),
    },
    /** Whom an announcement would reach now (each role resolved alone), before anything is sent. */
    'broadcasts.preview': { args: BroadcastPreviewArgs, result: BroadcastPreviewView },
    /** Delivered and read (the server's word) and acknowledged (signed) counts of an announcement I sent. */
    'broadcasts.status': { args: BroadcastRef, result: BroadcastStatusView },
    /** The recipients who have not read, or not acknowledged, an announcement I sent (user ids). */
    'broadcasts.notYet': {
      args: BroadcastRef.extend({ kind: zod.enum(['read', 'acknowledged']) }),
      result: zod.array(zod.string()),
    },
    'messages.exportReport': {
      args: zod.strictObject({ conversationId: id }),
      result: zod.object({ report: zod.string() }),
    },
    'integrity.alerts': {
      args: zod.strictObject({ conversationId: id.optional() }),
      result: zod.array(IntegrityAlertView),
    },
    'documents.attach': {
      args: zod.strictObject({
        /** Chosen by the renderer: names the progress events and lets the user cancel. */
        operationId: zod.uuid(),
        conversationId: id,
        text: zod.string().max(65536),
        urgent: zod.boolean(),
        ackRequired: zod.boolean(),
        patient: PatientContext.nullable(),
      }),
      /** null when the user closed the file dialog. */
      result: zod.object({ envelopeId: zod.string() }).nullable(),
    },
    'documents.open': {
      args: zod.strictObject({
        conversationId: id,
        seq: zod.int().positive(),
        operationId: zod.uuid().optional(),
      }),
      result: DocumentOpenResult,
    },
    'documents.cancel': { args: zod.strictObject({ operationId: zod.uuid() }), result: zod.null() },
    /** The verified bytes behind a viewer URL, for the sandboxed viewer (base64; previews up to 64 MiB). */
    /** Saves the evidence of a failed verification (JSON, no document content) where the user chooses. */
    'documents.exportEvidence': {
      args: zod.strictObject({ conversationId: id, seq: zod.int().positive() }),
      result: zod.object({ saved: zod.boolean() }),
    },
    'documents.read': {
      args: zod.strictObject({ url: zod.string().max(200) }),
      result: zod.object({ base64: zod.string() }),
    },
    /** While an image opens: its authenticated bytes from `from`, shown marked "verifying…" until it answers. */
    'documents.preview': {
      args: zod.strictObject({
        operationId: zod.uuid(),
        from: zod
          .int()
          .min(0)
          .max(2 ** 31),
      }),
      result: zod.object({
        offset: zod.int().min(0),
        base64: zod.string(),
        available: zod.int().min(0),
        total: zod.int().min(0),
      }),
    },
    'documents.close': { args: zod.strictObject({ url: zod.string().max(200) }), result: zod.null() },
    'documents.save': {
      args: zod.strictObject({ url: zod.string().max(200), fileName: zod.string().min(1).max(255) }),
      result: zod.object({ saved: zod.boolean() }),
    },
    /** The conversation's unsent text, kept encrypted with the profile ('' when none). */
    'drafts.get': { args: zod.strictObject({ conversationId: id }), result: zod.object({ text: DraftText }) },
    /** Keeps the conversation's unsent text ('' removes it); sending a message removes it too. */
    'drafts.set': { args: zod.strictObject({ conversationId: id, text: DraftText }), result: zod.null() },
  } satisfies Record<CallName, CallSpec>,
  events: {
    'connection.state': ConnectionState,
    'session.state': SessionState,
    'messages.changed': zod.object({ conversationId: zod.string() }),
    'messages.typing': zod.object({
      conversationId: zod.string(),
      userId: zod.string(),
      typing: zod.boolean(),
    }),
    /** The user clicked the OS notification of this conversation: open it (after unlocking, if locked). */
    'conversations.open': zod.object({ conversationId: zod.string() }),
    /** This workstation's key status or the list of key releases changed: ask `keys.status` again. */
    'keys.changed': zod.object({}),
    /** IT's roster changed (or was refused): ask `directory.roles` again. */
    'roles.changed': zod.object({}),
    /** A colleague's availability, as the hub said (or null when it ended). */
    'directory.availability': AvailabilityChangedEvent,
    /** The hub's minimum version or the last update check changed: ask `updates.status` again. */
    'updates.changed': zod.object({}),
    /** An escalation moved (a step, an acknowledgement, a new deadline): ask the awaiting views again. */
    'escalations.changed': zod.object({}),
    'documents.progress': zod.object({
      operationId: zod.string(),
      phase: zod.enum(['encrypt', 'upload', 'download', 'verify']),
      bytes: zod.number().nonnegative(),
      total: zod.number().nonnegative().nullable(),
    }),
  } satisfies Record<EventName, z.ZodType>,
};

type Contract = typeof contract;
export type CallArgs<N extends CallName> = z.input<Contract['calls'][N]['args']>;
export type CallResult<N extends CallName> = z.output<Contract['calls'][N]['result']>;
export type EventPayload<E extends EventName> = z.output<Contract['events'][E]>;

export * from './names';
export * from './result';
export * from './patient';
export * from './schemas';
export * from './updates';
export * from './availability';
export * from './roles';
export * from './escalation';
export * from './broadcast';
