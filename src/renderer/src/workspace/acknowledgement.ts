import type { MessageView } from '../../../shared/contract';
import { t } from '../i18n';
import { formatTime } from './time';

/**
 * What a message says about acknowledgement, from verified signed entries only (`acknowledgements`; the hub's
 * word is never shown as one): "You acknowledged at 14:05", "Acknowledged by Dr Asha Rao at 14:05", or
 * "Acknowledgement required"; and whether this user may still acknowledge it (a verified message from someone
 * else that asks for it, which she has not acknowledged on any of her devices).
 */
export function acknowledgementStatus(
  m: MessageView,
  nameOf: (userId: string) => string,
  now = new Date(),
): { text: string | null; canAcknowledge: boolean } {
  if (!m.ackRequired || m.verdict !== 'valid') return { text: null, canAcknowledge: false };
  const mine = m.acknowledgements.find((a) => a.own);
  const others = m.acknowledgements.filter((a) => !a.own);
  const parts: string[] = [];
  if (mine) parts.push(t('ack.youAt', { time: formatTime(mine.at, now) }));
  if (others.length > 0) {
    const who = others
      .map((a) => t('ack.whoAt', { name: nameOf(a.userId), time: formatTime(a.at, now) }))
      .join(', ');
    parts.push(t('ack.by', { who }));
  }
  return {
    text: parts.length > 0 ? parts.join(' · ') : t('ack.required'),
    canAcknowledge: !m.own && !mine && m.seq !== null,
  };
}

/**
 * The sending state of an own message. Delivered and read are the server's report (receipts are not signed),
 * and say so; null for a message of someone else, and once a signed acknowledgement says more.
 */
export function deliveryStatus(m: MessageView): string | null {
  if (!m.own) return null;
  // A message the hub refused for good has no seq either: not sent, not 'Sending…'.
  if (m.sendFailure === 'membership_differs') return t('delivery.membershipDiffers');
  if (m.sendFailure) return t('delivery.notSent', { reason: m.sendFailure });
  if (m.pending) return t('delivery.sending');
  if (m.ackRequired && m.acknowledgements.length > 0) return null;
  if (m.receipts.some((r) => r.kind === 'read')) return t('delivery.read');
  if (m.receipts.some((r) => r.kind === 'delivered')) return t('delivery.delivered');
  return t('delivery.sent');
}
