import { useCallback, useEffect, useState } from 'react';
import type { DeviceNoticeView } from '../../../shared/contract';

/**
 * The new devices of a conversation's other members ("signed in on a new workstation"), read when the
 * conversation opens, when it changes (a new device seen or accepted changes it too) and after reconnecting.
 */
export function useDeviceNotices(conversationId: string, changes: number): DeviceNoticeView[] {
  const [notices, setNotices] = useState<DeviceNoticeView[]>([]);
  const load = useCallback(() => {
    void window.clinical.call('conversations.deviceNotices', { conversationId }).then((result) => {
      // A failed call (the profile closing) keeps what was shown; the next change asks again.
      if (result.ok) setNotices(result.value);
    });
  }, [conversationId]);
  useEffect(() => {
    load();
  }, [load, changes]);
  useEffect(() => {
    const offs = [
      window.clinical.on('messages.changed', (e) => e.conversationId === conversationId && load()),
      window.clinical.on('connection.state', (c) => c.state === 'connected' && load()),
    ];
    return () => offs.forEach((off) => off());
  }, [conversationId, load]);
  return notices;
}
