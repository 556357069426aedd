import type { AppInfo, ConnectionState } from '../../shared/contract';
import { AppError } from './errors';
import type { ConnectionStateStore } from './connection/connection-state';
import type { CallHandlers } from './ipc/dispatcher';
import { toConversationView, toMessageView, type MessagingEngine } from './messaging';
import type { DocumentService } from './messaging/documents';
import type { Preferences } from './preferences';
import type { Session } from './session';
import type { EscalationService } from './escalation';
import { createPatientRule, DEFAULT_MRN_PATTERN } from './patient/mrn-pattern';
import type { UpdateService } from './updates';
import type { RolesService } from './roles';
import type { AvailabilityService } from './availability';
import type { BroadcastService } from './broadcast';
import { createDrafts } from './drafts';

/** Every contract call, answered by the core service that owns it. */
export function callHandlers(deps: {
  appInfo: () => AppInfo;
  diagnostics: (save: boolean) => Promise<{ text: string; saved: boolean }>;
  connection: ConnectionStateStore;
  session: Session;
  /** The open, unlocked profile's messaging engine; throws when there is none. */
  messaging: () => MessagingEngine;
  documents: () => DocumentService;
  preferences: () => Preferences;
  escalations: () => EscalationService;
  /** The open profile's roster and messages to roles (docs/roster.md). */
  roles: () => RolesService;
  /** The open profile's own status and colleagues' statuses (Do not disturb holds routine notifications). */
  availability: () => AvailabilityService;
  /** Signed updates and the hub's minimum version; answers before sign-in too. */
  updates: Pick<UpdateService, 'status'>;
  /** The machine policy's MRN format, checked on every patient tag from the renderer (default: the default's). */
  patients?: ReturnType<typeof createPatientRule>;
  /** Announcements and their counts (only the sender posts in an announcement). */
  broadcasts: () => BroadcastService;
}): CallHandlers {
  const { session, messaging, documents, preferences } = deps;
  const patients = deps.patients ?? createPatientRule(DEFAULT_MRN_PATTERN);
  /** The open, unlocked profile's drafts (refused while locked, like everything else it stores). */
  const drafts = () => createDrafts(session.active().store);
  const settings = () => {
    const state = session.current();
    if (state.status !== 'active') throw new AppError('locked', 'Settings are available once unlocked.');
    return {
      idleLockMinutes: state.idleLockMinutes,
      idleLockMaxMinutes: state.idleLockMaxMinutes,
      ...preferences().current(),
    };
  };
  return {
    'app.info': deps.appInfo,
    'app.diagnostics': ({ save }) => deps.diagnostics(save),
    'updates.status': () => deps.updates.status(),
    'connection.current': (): ConnectionState => deps.connection.current(),
    'session.current': () => session.current(),
    'session.signIn': ({ profileId }) => session.signIn(profileId),
    'session.signOut': () => session.signOut(),
    'session.switchUser': () => session.switchUser(),
    'session.lock': () => session.lock(),
    'session.unlockWithPin': ({ pin }) => session.unlockWithPin(pin),
    'session.unlockWithSignIn': () => session.unlockWithSignIn(),
    'session.setPin': ({ pin }) => session.setPin(pin),
    'session.setIdleTimeout': ({ minutes }) => session.setIdleTimeout(minutes),
    'session.activity': () => {
      session.activity();
      return null;
    },
    'session.reenrol': () => session.reenrol(),
    'session.startProfileOver': ({ profileId }) => session.startProfileOver(profileId),
    'keys.contactDevices': ({ userIds }) => session.contactDevices(userIds),
    'keys.acceptKeyChange': async ({ userId, deviceId }) => {
      const devices = await session.acceptKeyChange(userId, deviceId);
      // The engine checks keys before sealing; it must see the new pin now, not when its cache expires.
      await messaging().refreshContacts([userId]);
      return devices;
    },
    'keys.acceptNewDevice': async ({ userId, deviceId }) => {
      const engine = messaging();
      await session.active().link.acceptNewDevice(userId, deviceId);
      // What waited for it now goes ahead: the engine's keys, own-device release, quarantined envelopes.
      await engine.deviceAccepted(userId, deviceId);
      return session.contactDevices([userId]);
    },
    'keys.status': () => {
      const engine = messaging();
      const { status, notices } = engine.userKeyStatus();
      const thisDevice = engine.deviceId;
      return {
        state: status.state,
        message: status.state === 'ready' ? null : status.message,
        code: status.state === 'refused' ? status.code : null,
        releases: notices.map((n) => ({ ...n, thisDevice: n.deviceId === thisDevice })),
        devices: engine.ownDeviceNotices(),
      };
    },
    'conversations.deviceNotices': ({ conversationId }) => messaging().deviceNotices(conversationId),
    'directory.search': ({ query }) => messaging().searchDirectory(query),
    'directory.presence': ({ userIds }) => deps.availability().presence(userIds),
    'directory.setAvailability': (args) => deps.availability().set(args),
    'directory.myAvailability': () => deps.availability().mine(),
    'directory.roles': ({ query }) => deps.roles().list(query),
    'roles.resolve': ({ roleId }) => deps.roles().resolve(roleId),
    'roles.send': (input) => {
      patients.check(input.patient); // the same tag rule as any message, before the role is resolved
      return deps.roles().send(input);
    },
    'settings.current': settings,
    'settings.update': ({ idleLockMinutes, ...change }) => {
      preferences().update(change);
      if (idleLockMinutes !== undefined) session.setIdleTimeout(idleLockMinutes);
      return settings();
    },
    'conversations.list': () => {
      const engine = messaging();
      const { messages } = engine;
      const alerts = new Map<string, number>();
      for (const alert of messages.alerts())
        alerts.set(alert.conversationId, (alerts.get(alert.conversationId) ?? 0) + 1);
      const previews = preferences().listPreviews();
      return messages
        .listConversations()
        .map((c) =>
          toConversationView(
            c,
            alerts.get(c.conversationId) ?? 0,
            previews,
            engine.conversationState(c.conversationId),
          ),
        );
    },
    'conversations.create': async ({ kind, memberIds }) => ({
      conversationId: await messaging().createConversation(kind, memberIds),
    }),
    'conversations.addMember': async ({ conversationId, userIds }) => {
      await messaging().changeConversation(conversationId, { op: 'add', userIds });
      return null;
    },
    'conversations.removeMember': async ({ conversationId, userIds }) => {
      await messaging().changeConversation(conversationId, { op: 'remove', userIds });
      return null;
    },
    'conversations.leave': async ({ conversationId }) => {
      await messaging().changeConversation(conversationId, { op: 'leave' });
      return null;
    },
    'messages.page': ({ conversationId, beforeSeq, afterSeq, limit }) => {
      const { messages, acknowledgements } = messaging();
      const page = messages.page(conversationId, {
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        limit,
      });
      const acks = acknowledgements.of(conversationId, page);
      return page.map((m) =>
        m.seq === null
          ? toMessageView(m, [], [])
          : toMessageView(m, messages.receipts(conversationId, m.seq), acks.get(m.seq) ?? []),
      );
    },
    // Through escalation: the deadline is checked against policy (nothing sent if refused) and its timer starts.
    'messages.send': async (input) => {
      patients.check(input.patient); // before anything is sealed or stored
      deps.broadcasts().checkMayPost(input.conversationId);
      const kept = drafts();
      const sent = await deps.escalations().send(input);
      kept.clear(input.conversationId);
      return sent;
    },
    'messages.byPatient': ({ mrn, beforeId, limit }) =>
      messaging().messages.byPatient(mrn, { ...(beforeId !== undefined ? { beforeId } : {}), limit }),
    'conversations.setPatient': async ({ conversationId, patient }) => {
      patients.check(patient);
      await messaging().changeConversation(conversationId, { op: 'patient', patient });
      return null;
    },
    'broadcasts.send': (input) => deps.broadcasts().send(input),
    'broadcasts.preview': (input) => deps.broadcasts().preview(input),
    'broadcasts.status': ({ conversationId, seq }) => deps.broadcasts().status(conversationId, seq),
    'broadcasts.notYet': ({ conversationId, seq, kind }) =>
      deps.broadcasts().notYet(conversationId, seq, kind),
    'escalations.options': () => deps.escalations().options(),
    'escalations.awaitingMine': () => deps.escalations().awaitingMine(),
    'escalations.awaitingOthers': () => deps.escalations().awaitingOthers(),
    'escalations.timeline': ({ conversationId }) =>
      deps
        .escalations()
        .timeline(conversationId)
        .map((t) => ({
          conversationId: t.conversationId,
          seq: t.seq,
          envelopeId: t.envelopeId,
          kind: t.kind,
          at: new Date(t.at).toISOString(),
          userId: t.userId ?? null,
          roleId: t.roleId ?? null,
        })),
    'messages.search': ({ query, ranked, conversationId }) =>
      messaging().messages.search(query, {
        limit: 50,
        ranked: ranked ?? false,
        ...(conversationId ? { conversationId } : {}),
      }),
    'messages.markRead': async ({ conversationId, uptoSeq }) => {
      await messaging().markRead(conversationId, uptoSeq);
      return null;
    },
    'messages.typing': async ({ conversationId, typing }) => {
      await messaging().typing(conversationId, typing);
      return null;
    },
    'messages.acknowledge': async ({ conversationId, seq }) => {
      await messaging().acknowledge(conversationId, seq);
      return null;
    },
    'messages.exportReport': async ({ conversationId }) => ({
      report: JSON.stringify(await messaging().exportReport(conversationId), null, 2),
    }),
    'documents.attach': async (input) => {
      patients.check(input.patient); // before the file dialog opens
      deps.broadcasts().checkMayPost(input.conversationId);
      const kept = drafts();
      const sent = await documents().attach(input);
      if (sent) kept.clear(input.conversationId); // null: the file dialog was closed, the draft stays
      return sent;
    },
    'documents.open': ({ conversationId, seq, operationId }) =>
      documents().open(conversationId, seq, operationId),
    'documents.cancel': ({ operationId }) => {
      documents().cancel(operationId);
      return null;
    },
    'documents.close': async ({ url }) => {
      await documents().close(url);
      return null;
    },
    'documents.save': ({ url, fileName }) => documents().save(url, fileName),
    'documents.read': ({ url }) => documents().read(url),
    'documents.preview': ({ operationId, from }) => documents().preview(operationId, from),
    'documents.exportEvidence': ({ conversationId, seq }) => documents().exportEvidence(conversationId, seq),
    'drafts.get': ({ conversationId }) => ({ text: drafts().get(conversationId) }),
    'drafts.set': ({ conversationId, text }) => {
      drafts().set(conversationId, text);
      return null;
    },
    'integrity.alerts': ({ conversationId }) =>
      messaging()
        .messages.alerts(conversationId)
        .map((a) => ({
          id: a.id,
          conversationId: a.conversationId,
          kind: a.kind,
          fromSeq: a.fromSeq,
          toSeq: a.toSeq,
          details: a.details,
          raisedAt: a.raisedAt,
        })),
  };
}
