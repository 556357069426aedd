import {
  acceptKeyChange,
  acceptNewDevice,
  contactDevices,
  registerOwnDevice,
  revokeOwnDevice,
} from '../directory';
import { AppError } from '../errors';
import { createHubClient } from '../hub';
import { checkClockSkew } from '../identity';
import { createTrustService } from '../trust';
import { fetchRevocation, onOwnDeviceRevoked, type OwnDeviceRevoked } from '../revocation';
import type { ConnectDevice } from './device-link';

/**
 * The session's link to the real hub: registers this device's self-signed directory entry on the first
 * connect (every reconnect then binds it again), checks the clocks agree, and turns the hub's revocation
 * news (with IT's signed revocation, when the hub has one) into one callback.
 */
export const connectDeviceToHub: ConnectDevice = ({
  hubUrl,
  getAccessToken,
  device,
  store,
  audit,
  connection,
  log,
  newDeviceTrust,
}) => {
  const hub = createHubClient({ url: hubUrl, getAccessToken, log, connection });
  // The profile's one trust service: the directory view here and the messaging engine (link.trust) share it.
  const trust = createTrustService({
    store,
    audit,
    selfUserId: device.userId,
    ...(newDeviceTrust ? { newDeviceTrust } : {}),
  });
  let onRevoked: (revoked: OwnDeviceRevoked) => void | Promise<void> = () => undefined;
  let onProblem: (problem: { code: string; message: string } | null) => void = () => undefined;
  // A reconnect can find the revocation twice (Hello, then RegisterDevice): each notice is told once.
  const told = new Set<string>();
  const report = async (revoked: OwnDeviceRevoked): Promise<void> => {
    const key = `${revoked.deviceId}\n${revoked.revocation?.signature ?? ''}`;
    if (told.has(key)) return;
    told.add(key);
    await onRevoked(revoked);
  };

  onOwnDeviceRevoked(hub, (revoked) => void report(revoked), log);
  hub.onConnected(async ({ hello }) => {
    try {
      checkClockSkew(new Date(hello.serverTime), new Date());
      if (hub.boundDeviceId() !== device.deviceId) await registerOwnDevice(hub, device);
      onProblem(null);
    } catch (error) {
      if (error instanceof AppError && 'hubCode' in error && error.hubCode === 'device_revoked') {
        const revocation = await fetchRevocation(hub, device.deviceId, log);
        // Awaited: a wipe then stops this link before the other connect handlers (the engine's) run.
        await report({ deviceId: device.deviceId, via: 'bind', revokedAt: null, revocation });
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
    trust,
    contactDevices: (userIds) => contactDevices(hub, trust, userIds, device),
    async acceptKeyChange(userId, deviceId) {
      acceptKeyChange(trust, userId, deviceId);
    },
    async acceptNewDevice(userId, deviceId) {
      acceptNewDevice(trust, userId, deviceId);
    },
  };
};
