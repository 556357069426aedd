export { keychainAccount, profileAccountPrefix, type Keychain, type KeychainPurpose } from './keychain';
export { createOsKeychain, appKeychainService } from './os-keychain';
export { getOrCreateSecretKey } from './secret-key';
