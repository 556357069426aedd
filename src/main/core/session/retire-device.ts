import { registerOwnDevice, revokeOwnDevice } from '../directory';
import { AppError } from '../errors';
import { createHubClient, HubCallError } from '../hub';
import type { LoadedDevice } from '../keys';
import type { Logger } from '../log/logger';

/** How long starting a profile over waits for the hub before it refuses (nothing changed yet). */
export const retireConnectMs = 15_000;

export interface RetireDevicesOptions {
  hubUrl: string;
  /** The user's own fresh token (from the full sign-in that started this). */
  getAccessToken: () => Promise<string>;
  deviceIds: readonly string[];
  /**
   * The device that replaces them, still held in memory: the hub takes RevokeDevice only on a connection
   * bound to a device, so it is registered (with its proof of possession) on this connection first.
   */
  replacement: LoadedDevice;
  log: Logger;
  connectMs?: number;
}

const unreachable = () =>
  new AppError(
    'hub_unreachable',
    "The hub cannot be reached, so this computer's old device cannot be retired first. Nothing was changed; try again when the network is back.",
  );

/**
 * Revokes this user's old devices on the hub through the user's own token, on a connection bound to the
 * replacement device (registered first; revoked again if retiring the old ones is refused). Resolves only when the hub has said every one is revoked (or never knew it: `not_found`, a device that
 * never connected). Unreachable → `hub_unreachable`; another refusal is passed on. Nothing local changes here.
 */
export async function retireDevices(options: RetireDevicesOptions): Promise<string[]> {
  const hub = createHubClient({
    url: options.hubUrl,
    getAccessToken: options.getAccessToken,
    log: options.log,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const connected = await Promise.race([
      hub.start().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), options.connectMs ?? retireConnectMs);
      }),
    ]);
    if (!connected || hub.state() !== 'connected') throw unreachable();
    try {
      await registerOwnDevice(hub, options.replacement);
    } catch (error) {
      if (error instanceof AppError && error.code === 'hub_unreachable') throw unreachable();
      throw error;
    }
    const revoked: string[] = [];
    try {
      for (const deviceId of options.deviceIds) {
        if (deviceId === options.replacement.deviceId) continue;
        try {
          await revokeOwnDevice(hub, deviceId);
          revoked.push(deviceId);
        } catch (error) {
          if (error instanceof HubCallError && error.hubCode === 'not_found') continue;
          throw error;
        }
      }
    } catch (error) {
      // Not started over after all: the replacement, never used here, must not stay in the directory.
      await revokeOwnDevice(hub, options.replacement.deviceId).catch(() => undefined);
      if (error instanceof AppError && error.code === 'hub_unreachable') throw unreachable();
      throw error;
    }
    return revoked;
  } finally {
    clearTimeout(timer);
    await hub.stop();
  }
}
