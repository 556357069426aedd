import {
  acceptKeyChange,
  contactDevices,
  onOwnDeviceRevoked,
  registerOwnDevice,
  revokeOwnDevice,
} from '../directory';
import { AppError } from '../errors';
import { createHubClient } from '../hub';
import { checkClockSkew } from '../identity';
import { createPinStore } from '../keys';
import type { ConnectDevice } from './device-link';

/**
 * The session's link to the real hub: registers this device's self-signed directory entry on the first
 * connect (every reconnect then binds it again), checks the clocks agree, and turns the hub's revocation
 * news into one callback.
 */
export const connectDeviceToHub: ConnectDevice = ({
  hubUrl,
  getAccessToken,
  device,
  store,
  audit,
  connection,
  log,
}) => {
  const hub = createHubClient({ url: hubUrl, getAccessToken, log, connection });
  const pins = createPinStore(store, { audit });
  let onRevoked: () => void = () => undefined;
  let onProblem: (problem: { code: string; message: string } | null) => void = () => undefined;

  onOwnDeviceRevoked(hub, () => onRevoked());
  hub.onConnected(async ({ hello }) => {
    try {
      checkClockSkew(new Date(hello.serverTime), new Date());
      if (hub.boundDeviceId() !== device.deviceId) await registerOwnDevice(hub, device);
      onProblem(null);
    } catch (error) {
      if (error instanceof AppError && 'hubCode' in error && error.hubCode === 'device_revoked') {
        onRevoked();
        return;
      }
      log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'device link problem');
      onProblem(
        error instanceof AppError
          ? { code: error.code, message: error.message }
          : { code: 'internal', message: 'The connection to the hub could not be set up.' },
      );
    }
  });

  return {
    hub,
    start() {
      void hub.start();
    },
    stop: () => hub.stop(),
    onRevoked(handler) {
      onRevoked = handler;
    },
    onProblem(handler) {
      onProblem = handler;
    },
    async revokeDevice(deviceId) {
      await revokeOwnDevice(hub, deviceId);
    },
    contactDevices: (userIds) => contactDevices(hub, pins, userIds, device),
    async acceptKeyChange(userId, deviceId) {
      acceptKeyChange(pins, audit, userId, deviceId);
    },
  };
};
