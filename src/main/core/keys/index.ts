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
  deviceEntryDomainV2,
  deviceRegistrationDomain,
  deviceNamePattern,
  normalizeDeviceName,
  registrationProofBytes,
  signRegistrationProof,
  type DirectoryEntry,
} from './directory-entry';
export { fingerprint, safetyNumber, type SafetyNumberParty, type PublicKeyInput } from './fingerprint';
export {
  createPinStore,
  type PinStore,
  type PinCheck,
  type PinnedDevice,
  type ContactDeviceEntry,
  type FirstSight,
} from './pins';
