/**
 * The counts of one announcement (docs/envelope-format.md, announcements): of its recipients, how many the
 * hub reports as delivered and read, and how many sent a verified signed acknowledgement.
 *
 * Rules of the fold:
 * - only recipients count (the sender and anyone not a member are ignored, whatever the hub reports);
 * - receipts are cumulative: one at a seq at or after the announcement's covers it; earlier ones do not;
 * - a user counts once per kind, however many devices or duplicates report it;
 * - read implies delivered (the hub reports what its clients send; a read device has the message);
 * - a verified acknowledgement counts as read and delivered too: its signer's device opened the message, which
 *   is stronger evidence than the hub's word. Acknowledged never comes from the hub.
 */
export type ReceiptKind = 'delivered' | 'read' | 'acknowledged';

export interface BroadcastCounts {
  recipients: number;
  delivered: number;
  read: number;
  acknowledged: number;
}

export class BroadcastTally {
  private readonly recipients: ReadonlySet<string>;
  private readonly delivered = new Set<string>();
  private readonly read = new Set<string>();
  private readonly acknowledged = new Set<string>();

  constructor(
    /** The announcement's hub seq. */
    readonly seq: number,
    recipients: Iterable<string>,
  ) {
    this.recipients = new Set(recipients);
  }

  /** One receipt the hub reported (at `seq`); 'acknowledged' receipts are the hub's claim and ignored. */
  receipt(userId: string, kind: ReceiptKind, seq: number): void {
    if (seq < this.seq || !this.recipients.has(userId)) return;
    if (kind === 'acknowledged') return;
    this.delivered.add(userId);
    if (kind === 'read') this.read.add(userId);
  }

  /** A verified signed acknowledgement of this announcement by `userId`. */
  acknowledgement(userId: string): void {
    if (!this.recipients.has(userId)) return;
    this.acknowledged.add(userId);
    this.read.add(userId);
    this.delivered.add(userId);
  }

  counts(): BroadcastCounts {
    return {
      recipients: this.recipients.size,
      delivered: this.delivered.size,
      read: this.read.size,
      acknowledged: this.acknowledged.size,
    };
  }

  /** The recipients who have not (read, or acknowledged), sorted. */
  notYet(kind: 'read' | 'acknowledged'): string[] {
    const done = kind === 'read' ? this.read : this.acknowledged;
    return [...this.recipients].filter((u) => !done.has(u)).sort();
  }
}
