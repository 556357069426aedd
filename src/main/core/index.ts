import { createConnectionState, type ConnectionStateStore } from './connection/connection-state';
import { AppError } from './errors';
import { createEventBus, type EventBus } from './events/event-bus';
import { callHandlers } from './handlers';
import { createDispatcher, type Dispatcher } from './ipc/dispatcher';
import { createOsKeychain, type Keychain } from './keychain';
import { createLogger, type Logger } from './log/logger';
import { loadPolicy, summarizePolicy, type LoadedPolicy } from './policy';
import { createMessagingEngine, type MessagingEngine } from './messaging';
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
  keychain?: Keychain;
  log?: Logger;
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
  let messaging: MessagingEngine | null = null;
  const session = createSession({
    appDataDir: options.appDataDir,
    keychain: options.keychain ?? createOsKeychain(),
    policy: policy.policy,
    openBrowser: options.openBrowser,
    connectDevice: options.connectDevice,
    events,
    connection,
    log,
    attach: (opened) => {
      const engine = createMessagingEngine({
        store: opened.store,
        audit: opened.audit,
        device: opened.device,
        hub: opened.link.hub,
        policy: policy.policy,
        connection,
        events,
        log,
      });
      engine.start();
      messaging = engine;
      return {
        stop() {
          engine.stop();
          if (messaging === engine) messaging = null;
        },
      };
    },
  });
  const requireMessaging = (): MessagingEngine => {
    session.active(); // refuses while signed out or locked
    if (!messaging) throw new AppError('signed_out', 'Messaging is not available until you are signed in.');
    return messaging;
  };
  const appInfo = () => ({
    name: options.appName,
    version: options.appVersion,
    platform: options.platform,
    policy: summarizePolicy(policy),
  });
  const dispatcher = createDispatcher(
    callHandlers({ appInfo, connection, session, messaging: requireMessaging }),
    log,
  );
  return {
    dispatcher,
    events,
    connection,
    policy,
    session,
    messaging: () => messaging,
    log,
    close: () => session.close(),
  };
}
