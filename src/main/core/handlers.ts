import type { AppInfo, ConnectionState } from '../../shared/contract';
import type { ConnectionStateStore } from './connection/connection-state';
import type { CallHandlers } from './ipc/dispatcher';
import type { Session } from './session';

/** Every contract call, answered by the core service that owns it. */
export function callHandlers(deps: {
  appInfo: () => AppInfo;
  connection: ConnectionStateStore;
  session: Session;
}): CallHandlers {
  const { session } = deps;
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
    'keys.contactDevices': ({ userIds }) => session.contactDevices(userIds),
    'keys.acceptKeyChange': ({ userId, deviceId }) => session.acceptKeyChange(userId, deviceId),
  };
}
