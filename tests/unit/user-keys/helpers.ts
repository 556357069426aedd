import { randomUUID } from 'node:crypto';
import type { Keychain } from '../../../src/main/core/keychain';
import { enrolDevice, loadDevice, type LoadedDevice } from '../../../src/main/core/keys';
import { loadUserKeyring, type UserKeyring } from '../../../src/main/core/user-keys';

/**
 * A keychain that lives in a Map, for tests of what is stored in it (the OS keychain adapter has its own
 * tests). `entries` is exposed so a test can read or damage an entry the way another process could.
 */
export function memoryKeychainForTest(): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: async (account) => entries.get(account) ?? null,
    set: async (account, secret) => {
      entries.set(account, secret);
    },
    delete: async (account) => entries.delete(account),
    list: async () => [...entries.keys()],
  };
}

/** One clinician signed in at one PC: a profile with real device keys in its own keychain. */
export interface Workstation {
  keychain: ReturnType<typeof memoryKeychainForTest>;
  profileId: string;
  device: LoadedDevice;
  keyring: UserKeyring;
}

export async function signInAt(userId: string): Promise<Workstation> {
  const keychain = memoryKeychainForTest();
  const profileId = randomUUID();
  await enrolDevice(keychain, { profileId, userId });
  const device = await loadDevice(keychain, profileId);
  return { keychain, profileId, device, keyring: await loadUserKeyring(keychain, profileId, userId) };
}

/**
 * The key directory as a verified, unrevoked list of devices: answers (userId, deviceId) with that device's
 * signing key only when the device belongs to that user.
 */
export function directoryOf(
  ...devices: LoadedDevice[]
): (userId: string, deviceId: string) => Uint8Array | null {
  return (userId, deviceId) =>
    devices.find((d) => d.userId === userId && d.deviceId === deviceId)?.signingPublicKey ?? null;
}
