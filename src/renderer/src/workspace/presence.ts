import type { PresenceView } from '../../../shared/contract';
import { formatTime } from './time';

export function presenceLabel(p: PresenceView): string {
  if (p.online) return 'Online';
  return p.lastSeen ? `Offline, last seen ${formatTime(p.lastSeen)}` : 'Offline';
}

/** Presence of some colleagues; an empty list when the hub cannot say (offline). */
export async function fetchPresence(userIds: string[]): Promise<PresenceView[]> {
  if (userIds.length === 0) return [];
  const result = await window.clinical.call('directory.presence', { userIds });
  return result.ok ? result.value : [];
}
