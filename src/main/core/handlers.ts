import type { AppInfo, ConnectionState } from '../../shared/contract';
import { AppError } from './errors';
import type { ConnectionStateStore } from './connection/connection-state';
import type { CallHandlers } from './ipc/dispatcher';
import { toConversationView, toMessageView, type MessagingEngine } from './messaging';
import type { DocumentService } from './messaging/documents';
import type { Preferences } from './preferences';
import type { Session } from './session';

/** Every contract call, answered by the core service that owns it. */
export function callHandlers(deps: {
  appInfo: () => AppInfo;
  connection: ConnectionStateStore;
  session: Session;
  /** The open, unlocked profile's messaging engine; throws when there is none. */
  messaging: () => MessagingEngine;
  documents: () => DocumentService;
  preferences: () => Preferences;
}): CallHandlers {
  const { session, messaging, documents, preferences } = deps;
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
    'directory.presence': ({ userIds }) => messaging().presence(userIds),
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
    'messages.send': ({ conversationId, text, urgent, ackRequired, patient }) =>
      messaging().send({
        conversationId,
        payload: { v: 1, kind: 'text', text, urgent, ackRequired, patient },
      }),
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
    'documents.attach': (input) => documents().attach(input),
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
    'documents.exportEvidence': ({ conversationId, seq }) => documents().exportEvidence(conversationId, seq),
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
