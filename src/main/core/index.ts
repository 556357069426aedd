import { createConnectionState, type ConnectionStateStore } from './connection/connection-state';
import { createEventBus, type EventBus } from './events/event-bus';
import { createDispatcher, type Dispatcher } from './ipc/dispatcher';
import { createLogger, type Logger } from './log/logger';
import { loadPolicy, summarizePolicy, type LoadedPolicy } from './policy';

export interface CoreOptions {
  appName: string;
  appVersion: string;
  platform: string;
  policyFiles: { machine: string | null; user: string | null };
  log?: Logger;
}

/** Everything the app does, in plain Node: the Electron shell and the tests drive the same object. */
export interface Core {
  dispatcher: Dispatcher;
  events: EventBus;
  connection: ConnectionStateStore;
  policy: LoadedPolicy;
  log: Logger;
}

export function createCore(options: CoreOptions): Core {
  const log = options.log ?? createLogger();
  const policy = loadPolicy(options.policyFiles);
  for (const problem of policy.problems) {
    log.warn({ file: problem.file, field: problem.field, reason: problem.message }, 'policy file ignored');
  }
  const events = createEventBus();
  const connection = createConnectionState(events);
  const dispatcher = createDispatcher(
    {
      'app.info': () => ({
        name: options.appName,
        version: options.appVersion,
        platform: options.platform,
        policy: summarizePolicy(policy),
      }),
      'connection.current': () => connection.current(),
    },
    log,
  );
  return { dispatcher, events, connection, policy, log };
}
