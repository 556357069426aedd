import type { Keychain } from '../keychain';
import { deviceKeysAccount, enrolDevice, loadDevice, type LoadedDevice } from '../keys';

/** New device keys held in memory until the hub has retired the old device; only then written to the keychain. */
export interface StagedDevice {
  device: LoadedDevice;
  /** Writes the keys to the keychain (replacing whatever entry this profile had). */
  commit(keychain: Keychain): Promise<void>;
}

export async function stageDevice(options: {
  profileId: string;
  userId: string;
  deviceName?: string;
}): Promise<StagedDevice> {
  const held = new Map<string, string>();
  const memory: Keychain = {
    get: async (account) => held.get(account) ?? null,
    set: async (account, secret) => void held.set(account, secret),
    delete: async (account) => held.delete(account),
    list: async () => [...held.keys()],
  };
  await enrolDevice(memory, { ...options, replace: true });
  const device = await loadDevice(memory, options.profileId);
  const account = deviceKeysAccount(options.profileId);
  return {
    device,
    async commit(keychain) {
      await keychain.set(account, held.get(account)!);
      held.clear();
    },
  };
}
