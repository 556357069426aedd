export {
  registerOwnDevice,
  contactDevices,
  acceptKeyChange,
  acceptNewDevice,
  revokeOwnDevice,
  type ContactDevice,
  type ContactDeviceStatus,
  type OwnDevice,
} from './directory';
