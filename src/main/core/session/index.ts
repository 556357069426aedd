export {
  createSession,
  type OpenedProfile,
  type Session,
  type SessionOptions,
  type SessionTimers,
} from './session';
export type { ConnectDevice, DeviceLink } from './device-link';
export { connectDeviceToHub } from './hub-device-link';
