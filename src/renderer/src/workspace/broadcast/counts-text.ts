import type { BroadcastStatusView } from '../../../../shared/contract';
import { t } from '../../i18n';

/**
 * The sender's summary of an announcement: "23 of 40 read, 12 acknowledged". Read (and delivered) are the
 * server's report and the text says so; acknowledged counts signed acknowledgements only.
 */
export function countsText(s: BroadcastStatusView): { summary: string; delivered: string } {
  return {
    summary: s.ackRequired
      ? t('broadcast.readAcknowledged', {
          read: s.read,
          recipients: s.recipients,
          acknowledged: s.acknowledged,
        })
      : t('broadcast.read', { read: s.read, recipients: s.recipients }),
    delivered: t('broadcast.delivered', { delivered: s.delivered, recipients: s.recipients }),
  };
}

/** "Not read yet: Dr Samuel Okafor, Meera Nair" or "Everyone has read it". */
export function notYetText(kind: 'read' | 'acknowledged', names: string[]): string {
  if (names.length === 0)
    return kind === 'read' ? t('broadcast.everyoneRead') : t('broadcast.everyoneAcknowledged');
  const options = { count: names.length, names: names.join(', ') };
  return kind === 'read' ? t('broadcast.notReadYet', options) : t('broadcast.notAcknowledgedYet', options);
}
