import type { BroadcastStatusView } from '../../../../shared/contract';

/**
 * The sender's summary of an announcement: "23 of 40 read, 12 acknowledged". Read (and delivered) are the
 * server's report and the text says so; acknowledged counts signed acknowledgements only.
 */
export function countsText(s: BroadcastStatusView): { summary: string; delivered: string } {
  const read = `${s.read} of ${s.recipients} read`;
  return {
    summary: s.ackRequired ? `${read}, ${s.acknowledged} acknowledged` : read,
    delivered: `${s.delivered} of ${s.recipients} delivered (reported by the server)`,
  };
}

/** "Not read yet: Dr Samuel Okafor, Meera Nair" or "Everyone has read it". */
export function notYetText(kind: 'read' | 'acknowledged', names: string[]): string {
  if (names.length === 0) return kind === 'read' ? 'Everyone has read it.' : 'Everyone has acknowledged it.';
  return `${kind === 'read' ? 'Not read yet' : 'Not acknowledged yet'} (${names.length}): ${names.join(', ')}`;
}
