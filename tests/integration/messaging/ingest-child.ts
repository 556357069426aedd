// A real app core in its own process, for the crash test: opens a profile (resumed behind the PIN), unlocks
// it and lets the messaging engine sync until killed. Arguments come from the environment.
import { createCore } from '../../../src/main/core';
import { createOsKeychain } from '../../../src/main/core/keychain';
import { connectDeviceToHub } from '../../../src/main/core/session';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const core = createCore({
  appName: 'Clinical Messenger',
  appVersion: '0.1.0',
  platform: 'linux',
  policyFiles: { machine: env('CM_CHILD_POLICY'), user: null },
  appDataDir: env('CM_CHILD_APP_DATA'),
  keychain: createOsKeychain(env('CM_CHILD_KEYCHAIN_SERVICE')),
  openBrowser: () => Promise.reject(new Error('the crash-test child never signs in interactively')),
  connectDevice: (o) => connectDeviceToHub({ ...o, backoff: { initialMs: 100, maxMs: 1_000 } }),
});
const state = await core.dispatcher.dispatch('session.signIn', { profileId: env('CM_CHILD_PROFILE') });
if (!state.ok) throw new Error(`sign-in: ${state.error.code}`);
const unlocked = await core.dispatcher.dispatch('session.unlockWithPin', { pin: env('CM_CHILD_PIN') });
if (!unlocked.ok) throw new Error(`unlock: ${unlocked.error.code}`);
process.stdout.write('unlocked\n');
// Keeps running (syncing) until the parent kills it.
setInterval(() => undefined, 1 << 30);
