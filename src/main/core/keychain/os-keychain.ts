import keytar from 'keytar';
import { AppError } from '../errors';
import type { Keychain } from './keychain';

/** The service name every entry of the app is filed under. */
export const appKeychainService = 'Clinical Messenger';

function unavailable(cause: unknown): AppError {
  // keytar's messages (D-Bus, libsecret) carry no secrets, but the user needs a plain sentence.
  return new AppError(
    'keychain_unavailable',
    'The system keychain is not available (it may be locked or its service is not running).',
    { cause },
  );
}

async function guard<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw unavailable(err);
  }
}

/** The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Vault on Windows) via keytar. */
export function createOsKeychain(service: string = appKeychainService): Keychain {
  return {
    get: (account) => guard(() => keytar.getPassword(service, account)),
    set: (account, secret) => guard(() => keytar.setPassword(service, account, secret)),
    delete: (account) => guard(() => keytar.deletePassword(service, account)),
    list: () => guard(async () => (await keytar.findCredentials(service)).map((c) => c.account)),
  };
}
