import type { IntegrityAlertView, MessageView } from '../../../shared/contract';
import { dayKey, dayLabel } from './time';

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'alert'; key: string; alert: IntegrityAlertView }
  | { kind: 'message'; key: string; message: MessageView };

export function alertText(a: IntegrityAlertView): string {
  switch (a.kind) {
    case 'gap':
      return a.fromSeq === a.toSeq
        ? `Message ${a.fromSeq} is missing from the server's copy.`
        : `Messages ${a.fromSeq}–${a.toSeq} are missing from the server's copy.`;
    case 'reordered':
      return `Messages around ${a.fromSeq} were reordered by the server.`;
    case 'altered':
      return `Message ${a.fromSeq} was altered on the server.`;
    case 'missing-predecessor':
      return `Message ${a.fromSeq} refers to a message this computer never received.`;
    case 'unsigned-ack':
      return `The server says message ${a.fromSeq} was acknowledged, but no signed acknowledgement came with it.`;
    case 'unconfirmed-member':
      return 'The server lists someone as a member whom no member added.';
  }
}

/**
 * The rows of a conversation's timeline, oldest first: its loaded messages, a separator before the first
 * message of each day, and each integrity alert in place, just before the first message at or after the
 * seq it is about. An alert outside the loaded messages waits for its page (older or newer) to load.
 */
export function timelineRows(
  messages: MessageView[],
  alerts: IntegrityAlertView[],
  loaded: { hasOlder: boolean; hasNewer: boolean },
): Row[] {
  const firstSeq = messages.find((m) => m.seq !== null)?.seq ?? Infinity;
  const pending = [...alerts]
    .filter((a) => !(loaded.hasOlder && a.fromSeq < firstSeq))
    .sort((a, b) => a.fromSeq - b.fromSeq || a.id - b.id);
  const rows: Row[] = [];
  const alertsUpTo = (seq: number): void => {
    while (pending.length > 0 && pending[0]!.fromSeq <= seq) {
      const alert = pending.shift()!;
      rows.push({ kind: 'alert', key: `alert-${alert.id}`, alert });
    }
  };
  let day: string | null = null;
  for (const m of messages) {
    const key = dayKey(m.time);
    if (key !== day) {
      rows.push({ kind: 'day', key: `day-${key}-${m.envelopeId}`, label: dayLabel(m.time) });
      day = key;
    }
    alertsUpTo(m.seq ?? Infinity);
    rows.push({ kind: 'message', key: m.envelopeId, message: m });
  }
  if (!loaded.hasNewer) alertsUpTo(Infinity);
  return rows;
}
