export {
  registerOwnDevice,
  contactDevices,
  acceptKeyChange,
  revokeOwnDevice,
  onOwnDeviceRevoked,
  type ContactDevice,
  type ContactDeviceStatus,
  type OwnDevice,
  type OwnDeviceRevoked,
} from './directory';
