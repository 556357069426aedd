import type { PresenceView } from '../../../shared/contract';
import { t } from '../i18n';
import { formatTime } from './time';

export function presenceLabel(p: PresenceView): string {
  if (p.online) return t('presence.online');
  return p.lastSeen ? t('presence.lastSeen', { time: formatTime(p.lastSeen) }) : t('presence.offline');
}

/** Presence of some colleagues; an empty list when the hub cannot say (offline). */
export async function fetchPresence(userIds: string[]): Promise<PresenceView[]> {
  if (userIds.length === 0) return [];
  const result = await window.clinical.call('directory.presence', { userIds });
  return result.ok ? result.value : [];
}
