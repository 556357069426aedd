/**
 * The one port to the OS keychain. Every secret of the app (device private keys, store keys) lives behind
 * it. Accounts are scoped to one service (the app); see `keychainAccount` for how they are named.
 */
export interface Keychain {
  /** The secret of `account`, or null when there is none. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True if an entry was deleted, false if there was none. */
  delete(account: string): Promise<boolean>;
  /** The accounts of this service (never their secrets). */
  list(): Promise<string[]>;
}

/** What a keychain entry is for. */
export type KeychainPurpose = 'device-keys' | 'store-key' | (string & {});

const part = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The account name of a secret: `<profileId>/<purpose>` or `<profileId>/<deviceId>/<purpose>`. Every account
 * of a profile starts with `<profileId>/`, which is how removing a profile finds them all
 * (`profileAccountPrefix`). Parts may not contain '/' so no profile's prefix can match another's accounts.
 */
export function keychainAccount(profileId: string, purpose: KeychainPurpose, deviceId?: string): string {
  for (const value of [profileId, purpose, ...(deviceId === undefined ? [] : [deviceId])]) {
    if (!part.test(value)) throw new TypeError(`keychainAccount: invalid part ${JSON.stringify(value)}`);
  }
  return deviceId === undefined ? `${profileId}/${purpose}` : `${profileId}/${deviceId}/${purpose}`;
}

/** The prefix shared by every account of a profile, and by no account of another profile. */
export function profileAccountPrefix(profileId: string): string {
  if (!part.test(profileId)) throw new TypeError(`profileAccountPrefix: invalid profile id`);
  return `${profileId}/`;
}
