/**
 * Contact-key trust of one profile (docs/key-design.md, "New devices"): pins, key changes, new devices and
 * the notices about them, revocations as this profile learned them.
 */
export {
  createTrustService,
  type TrustService,
  type TrustOptions,
  type NewDeviceTrust,
  type DeviceNotice,
  type ObservedDevice,
} from './trust';
