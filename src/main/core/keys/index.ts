export {
  enrolDevice,
  loadDevice,
  loadDeviceSecretsForWorker,
  forgetDevice,
  sealToDevice,
  deviceKeysAccount,
  type DeviceIdentity,
  type LoadedDevice,
  type EnrolOptions,
} from './device';
export {
  signDirectoryEntry,
  verifyDirectoryEntry,
  deviceEntryBytes,
  deviceEntryDomain,
  type DirectoryEntry,
} from './directory-entry';
export { fingerprint, safetyNumber, type SafetyNumberParty, type PublicKeyInput } from './fingerprint';
export {
  createPinStore,
  type PinStore,
  type PinCheck,
  type PinnedDevice,
  type ContactDeviceEntry,
} from './pins';
