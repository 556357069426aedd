import { createConnectionState, type ConnectionStateStore } from './connection/connection-state';
import { createEventBus, type EventBus } from './events/event-bus';
import { callHandlers } from './handlers';
import { createDispatcher, type Dispatcher } from './ipc/dispatcher';
import { createOsKeychain, type Keychain } from './keychain';
import { createLogger, type Logger } from './log/logger';
import { loadPolicy, summarizePolicy, type LoadedPolicy } from './policy';
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
  const session = createSession({
    appDataDir: options.appDataDir,
    keychain: options.keychain ?? createOsKeychain(),
    policy: policy.policy,
    openBrowser: options.openBrowser,
    connectDevice: options.connectDevice,
    events,
    connection,
    log,
  });
  const appInfo = () => ({
    name: options.appName,
    version: options.appVersion,
    platform: options.platform,
    policy: summarizePolicy(policy),
  });
  const dispatcher = createDispatcher(callHandlers({ appInfo, connection, session }), log);
  return { dispatcher, events, connection, policy, session, log, close: () => session.close() };
}
