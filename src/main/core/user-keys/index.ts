/**
 * User keys (docs/key-design.md): the per-user X25519 key that conversation keys are sealed to, how it is
 * made, signed, rotated, released to a new workstation (by another own device or the key service) and
 * forgotten.
 */
export { createUserKeys, type UserKeys, type UserKeysDeps, type UserKeyStatus } from './user-keys';
export { loadUserKeyring, userKeysAccount, type UserKeyring, type UserKeyEpochSecret } from './keyring';
export {
  signUserKey,
  verifyUserKey,
  userKeyDomain,
  type UserKeyRecord,
  type VerifiedUserKey,
} from './record';
export { sealKeyRelease, openKeyRelease, keyReleaseDomain, type KeyReleaseMessage } from './release';
export {
  depositUserKey,
  requestKeyRelease,
  listReleaseNotices,
  type KeyServiceConfig,
  type ReleaseNotice,
} from './key-service-client';
