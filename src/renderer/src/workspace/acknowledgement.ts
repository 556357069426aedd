import type { MessageView } from '../../../shared/contract';
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
  if (mine) parts.push(`You acknowledged at ${formatTime(mine.at, now)}`);
  if (others.length > 0) {
    const who = others.map((a) => `${nameOf(a.userId)} at ${formatTime(a.at, now)}`).join(', ');
    parts.push(`Acknowledged by ${who}`);
  }
  return {
    text: parts.length > 0 ? parts.join(' · ') : 'Acknowledgement required',
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
  if (m.sendFailure === 'membership_differs') return 'Not sent: membership differs (see the alert)';
  if (m.sendFailure) return `Not sent (${m.sendFailure})`;
  if (m.pending) return 'Sending…';
  if (m.ackRequired && m.acknowledgements.length > 0) return null;
  if (m.receipts.some((r) => r.kind === 'read')) return 'Read (reported by the server)';
  if (m.receipts.some((r) => r.kind === 'delivered')) return 'Delivered (reported by the server)';
  return 'Sent';
}
