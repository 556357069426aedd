import { useCallback, useEffect, useState } from 'react';
import type { ContactDevice, PresenceView } from '../../../shared/contract';
import { fetchPresence } from './presence';

/**
 * The devices (with safety numbers) and presence of a conversation's other members: read from the hub when
 * the conversation opens, after every reconnect and when `deviceStates` (what the conversation's device
 * notices say) changes, not on every message.
 */
export function useContactKeys(
  userIds: string[],
  deviceStates = '',
): {
  devices: ContactDevice[];
  presence: PresenceView[];
  error: string | null;
  accept: (device: ContactDevice) => Promise<void>;
} {
  const [devices, setDevices] = useState<ContactDevice[]>([]);
  const [presence, setPresence] = useState<PresenceView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const key = userIds.join(',');

  const load = useCallback(() => {
    const ids = key ? key.split(',') : [];
    if (ids.length === 0) return;
    void Promise.all([
      window.clinical.call('keys.contactDevices', { userIds: ids }),
      fetchPresence(ids),
    ]).then(([found, seen]) => {
      if (found.ok) setDevices(found.value);
      setPresence(seen);
    });
  }, [key]);
  useEffect(() => {
    load();
  }, [load, deviceStates]);
  useEffect(() => window.clinical.on('connection.state', (c) => c.state === 'connected' && load()), [load]);

  /** Accepts a changed key, or a new device held under newDeviceTrust "verify", after the user compared. */
  const accept = async (device: ContactDevice): Promise<void> => {
    const which = device.status === 'unaccepted' ? 'keys.acceptNewDevice' : 'keys.acceptKeyChange';
    const result = await window.clinical.call(which, {
      userId: device.userId,
      deviceId: device.deviceId,
    });
    if (result.ok) {
      setDevices((old) => [...old.filter((d) => d.userId !== device.userId), ...result.value]);
      setError(null);
    } else {
      setError(result.error.message);
    }
  };
  return { devices, presence, error, accept };
}
