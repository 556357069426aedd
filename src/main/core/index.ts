import { createConnectionState, type ConnectionStateStore } from './connection/connection-state';
import { AppError } from './errors';
import { createEventBus, type EventBus } from './events/event-bus';
import { callHandlers } from './handlers';
import { createDispatcher, type Dispatcher } from './ipc/dispatcher';
import { createOsKeychain, type Keychain } from './keychain';
import { createLogger, type Logger } from './log/logger';
import { loadPolicy, summarizePolicy, type LoadedPolicy } from './policy';
import { hostname } from 'node:os';
import { createMessagingEngine, type MessagingEngine } from './messaging';
import { createDocumentService, type DocumentService } from './messaging/documents';
import { profileDocumentsDir, wipeDecryptedAtStart } from './documents';
import { createNotifier, type OsNotification } from './notifications';
import { createPreferences, type Preferences } from './preferences';
import { createSession, type ConnectDevice, type Session } from './session';

export interface CoreOptions {
  appName: string;
  appVersion: string;
  platform: string;
  policyFiles: { machine: string | null; user: string | null };
  /** The per-user app data folder: profiles live below it. */
  appDataDir: string;
  /** Opens the system browser for sign-in. */
  openBrowser: (url: string) => Promise<void>;
  connectDevice: ConnectDevice;
  /** The OS file dialogs; without them attaching and saving documents is refused. */
  pickFile?: () => Promise<string | null>;
  pickSavePath?: (suggestedName: string) => Promise<string | null>;
  /** Shows an OS notification (Electron's Notification in the app). */
  notify?: (notification: OsNotification) => void;
  keychain?: Keychain;
  log?: Logger;
  /** This workstation's name in key releases ("opened on WARD3B-PC02"); the host name by default. */
  deviceName?: string;
}

/** Everything the app does, in plain Node: the Electron shell and the tests drive the same object. */
export interface Core {
  dispatcher: Dispatcher;
  events: EventBus;
  connection: ConnectionStateStore;
  policy: LoadedPolicy;
  session: Session;
  /** The open profile's messaging engine (null while signed out). */
  messaging(): MessagingEngine | null;
  /** The open profile's documents (null while signed out); the shell's cm-document: protocol reads it. */
  documents(): DocumentService | null;
  log: Logger;
  close(): Promise<void>;
}

export function createCore(options: CoreOptions): Core {
  const log = options.log ?? createLogger();
  const policy = loadPolicy(options.policyFiles);
  for (const problem of policy.problems) {
    log.warn({ file: problem.file, field: problem.field, reason: problem.message }, 'policy file ignored');
  }
  const events = createEventBus();
  const connection = createConnectionState(events);
  // Decrypted documents a crash left behind are removed before any profile opens.
  wipeDecryptedAtStart(options.appDataDir);
  let messaging: MessagingEngine | null = null;
  let documents: DocumentService | null = null;
  let preferences: Preferences | null = null;
  const noDialog = (): Promise<string | null> => {
    throw new AppError('not_configured', 'This window cannot open file dialogs.');
  };
  const session = createSession({
    appDataDir: options.appDataDir,
    keychain: options.keychain ?? createOsKeychain(),
    policy: policy.policy,
    openBrowser: options.openBrowser,
    connectDevice: options.connectDevice,
    deviceName: options.deviceName ?? hostname(),
    events,
    connection,
    log,
    attach: (opened) => {
      const engine = createMessagingEngine({
        store: opened.store,
        audit: opened.audit,
        device: opened.device,
        keyring: opened.keyring,
        accessToken: opened.accessToken,
        ...(options.deviceName ? { deviceName: options.deviceName } : {}),
        hub: opened.link.hub,
        trust: opened.link.trust,
        policy: policy.policy,
        connection,
        events,
        log,
      });
      engine.start();
      const service = createDocumentService({
        engine,
        policy: policy.policy,
        audit: opened.audit,
        accessToken: opened.accessToken,
        cache: { dir: profileDocumentsDir(opened.dir), nameKey: opened.cacheNameKey },
        pickFile: options.pickFile ?? noDialog,
        pickSavePath: options.pickSavePath ?? noDialog,
        events,
        log,
        requireUnlocked: () => void session.active(),
      });
      const chosen = createPreferences(opened.store, policy.policy);
      const notify = options.notify;
      const notifier = notify
        ? createNotifier({
            privacy: chosen.notificationPrivacy,
            renotifyMs: policy.policy.urgentRenotifyMinutes * 60_000,
            show: (n) => {
              if (n.urgent || chosen.notifyFor() === 'all') notify(n);
            },
            senderName: engine.nameOf,
            isRead: (conversationId) => engine.messages.unreadCount(conversationId) === 0,
          })
        : null;
      if (notifier) engine.onReceived((batch) => notifier.received(batch));
      messaging = engine;
      documents = service;
      preferences = chosen;
      return {
        stop() {
          notifier?.dispose();
          engine.stop();
          service.dispose();
          if (messaging === engine) messaging = null;
          if (documents === service) documents = null;
          if (preferences === chosen) preferences = null;
        },
      };
    },
  });
  const requireMessaging = (): MessagingEngine => {
    session.active(); // refuses while signed out or locked
    if (!messaging) throw new AppError('signed_out', 'Messaging is not available until you are signed in.');
    return messaging;
  };
  const requireDocuments = (): DocumentService => {
    requireMessaging();
    return documents!;
  };
  const appInfo = () => ({
    name: options.appName,
    version: options.appVersion,
    platform: options.platform,
    policy: summarizePolicy(policy),
  });
  const dispatcher = createDispatcher(
    callHandlers({
      appInfo,
      connection,
      session,
      messaging: requireMessaging,
      documents: requireDocuments,
      preferences: () => {
        requireMessaging();
        return preferences!;
      },
    }),
    log,
  );
  return {
    dispatcher,
    events,
    connection,
    policy,
    session,
    messaging: () => messaging,
    documents: () => documents,
    log,
    close: () => session.close(),
  };
}
