import { randomUUID } from 'node:crypto';
import type { Db } from '../store';
import type { EscalationState, EscalationTarget, TimelineItem } from './machine';

/** One own message with a deadline, as persisted (migration 15). */
export interface EscalationRow {
  envelopeId: string;
  conversationId: string;
  deadlineAt: number;
  text: string;
  state: EscalationState;
  escalatedTo: string | null;
  escalatedEnvelopeId: string | null;
  /** Sent from another workstation of this user: shown, never run here. */
  elsewhere: boolean;
}

export interface InboxRow {
  conversationId: string;
  seq: number;
  deadlineAt: number | null;
  target: EscalationTarget | null;
  escalatedFrom: { conversationId: string; seq: number; recipients: string[] } | null;
}

export interface TimelineRow extends Omit<TimelineItem, 'kind'> {
  kind: TimelineItem['kind'] | 'reminder-received' | 'resolved-received';
  conversationId: string;
  envelopeId: string | null;
  seq: number | null;
}

interface RawEscalation {
  envelope_id: string;
  conversation_id: string;
  deadline_at: number;
  text: string;
  state: string;
  escalated_to: string | null;
  escalated_envelope_id: string | null;
  reminder_envelope_id: string | null;
  resolution_envelope_id: string | null;
  elsewhere: number;
}

const toRow = (r: RawEscalation): EscalationRow => ({
  envelopeId: r.envelope_id,
  conversationId: r.conversation_id,
  deadlineAt: r.deadline_at,
  text: r.text,
  state: JSON.parse(r.state) as EscalationState,
  escalatedTo: r.escalated_to,
  escalatedEnvelopeId: r.escalated_envelope_id,
  elsewhere: r.elsewhere === 1,
});

/** The escalation tables of one profile store; every write is one statement or one transaction. */
export function escalationTables(db: Db) {
  const q = {
    insert: db.prepare(`INSERT INTO escalations
      (envelope_id, conversation_id, deadline_at, text, state, open, elsewhere)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    save: db.prepare('UPDATE escalations SET state = ?, open = ? * (1 - elsewhere) WHERE envelope_id = ?'),
    intendReminder: db.prepare(
      'UPDATE escalations SET reminder_envelope_id = coalesce(reminder_envelope_id, ?) WHERE envelope_id = ?',
    ),
    intendResolution: db.prepare(
      'UPDATE escalations SET resolution_envelope_id = coalesce(resolution_envelope_id, ?) WHERE envelope_id = ?',
    ),
    intendEscalation: db.prepare(
      'UPDATE escalations SET escalated_envelope_id = coalesce(escalated_envelope_id, ?), escalated_to = coalesce(escalated_to, ?) WHERE envelope_id = ?',
    ),
    get: db.prepare<[string], RawEscalation>('SELECT * FROM escalations WHERE envelope_id = ?'),
    open: db.prepare<[], RawEscalation>('SELECT * FROM escalations WHERE open = 1 ORDER BY deadline_at'),
    markStep: db.prepare<[string, string]>(
      'UPDATE messages SET escalation_step = ? WHERE envelope_id = ? AND escalation_step IS NULL',
    ),
    seqOf: db.prepare<[string], { seq: number | null; hash: Buffer }>(
      'SELECT seq, hash FROM messages WHERE envelope_id = ?',
    ),
    addInbox:
      db.prepare(`INSERT INTO escalation_inbox (conversation_id, seq, deadline_at, target, escalated_from)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    inbox: db.prepare<
      [],
      {
        conversation_id: string;
        seq: number;
        deadline_at: number | null;
        target: string | null;
        escalated_from: string | null;
      }
    >('SELECT * FROM escalation_inbox ORDER BY coalesce(deadline_at, 9e15), conversation_id, seq'),
    dropInbox: db.prepare('DELETE FROM escalation_inbox WHERE conversation_id = ? AND seq = ?'),
    inboxTarget: db
      .prepare<[string, number], string | null>(
        'SELECT target FROM escalation_inbox WHERE conversation_id = ? AND seq = ?',
      )
      .pluck(),
    addItem: db.prepare(`INSERT INTO escalation_timeline
      (conversation_id, envelope_id, seq, kind, at, user_id, role_id) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    hasItem: db
      .prepare<[string, number, string], number>(
        'SELECT count(*) FROM escalation_timeline WHERE conversation_id = ? AND seq = ? AND kind = ?',
      )
      .pluck(),
    items: db.prepare<
      [string],
      {
        conversation_id: string;
        envelope_id: string | null;
        seq: number | null;
        kind: string;
        at: number;
        user_id: string | null;
        role_id: string | null;
      }
    >(`SELECT t.conversation_id, t.envelope_id, coalesce(t.seq, m.seq) AS seq, t.kind, t.at, t.user_id,
       t.role_id FROM escalation_timeline t LEFT JOIN messages m ON m.envelope_id = t.envelope_id
       WHERE t.conversation_id = ? ORDER BY t.at, t.id`),
  };
  return {
    insert(row: Omit<EscalationRow, 'escalatedTo' | 'escalatedEnvelopeId'>): void {
      q.insert.run(
        row.envelopeId,
        row.conversationId,
        row.deadlineAt,
        row.text,
        JSON.stringify(row.state),
        row.elsewhere ? 0 : 1,
        row.elsewhere ? 1 : 0,
      );
    },
    save(
      envelopeId: string,
      state: EscalationState,
      items: readonly TimelineItem[],
      conversationId: string,
    ): void {
      // Open: the machine still has something to do (a step, or the resolution message).
      const open =
        state.status === 'waiting' || state.status === 'escalating' || state.resolution === 'pending' ? 1 : 0;
      db.transaction(() => {
        q.save.run(JSON.stringify(state), open, envelopeId);
        for (const item of items)
          q.addItem.run(
            conversationId,
            envelopeId,
            null,
            item.kind,
            item.at,
            item.userId ?? null,
            item.roleId ?? null,
          );
      })();
    },
    /**
     * The envelope id of the reminder or escalated copy, chosen and stored before it is sent: after a crash the
     * same id is used, and a copy already in the store is recognised instead of being sent twice.
     */
    intend(envelopeId: string, what: 'reminder' | 'resolution' | { escalateTo: string }): string {
      const fresh = randomUUID();
      if (what === 'reminder') q.intendReminder.run(fresh, envelopeId);
      else if (what === 'resolution') q.intendResolution.run(fresh, envelopeId);
      else q.intendEscalation.run(fresh, what.escalateTo, envelopeId);
      const r = q.get.get(envelopeId)!;
      if (what === 'reminder') return r.reminder_envelope_id!;
      return (what === 'resolution' ? r.resolution_envelope_id : r.escalated_envelope_id)!;
    },
    /**
     * A `reminder` or `resolved` message honoured as such (migration 20): shown as its step row, never as a
     * message bubble, an unread message or the conversation list's preview.
     */
    markStep: (envelopeId: string, step: 'reminder' | 'resolved'): void =>
      void q.markStep.run(step, envelopeId),
    get: (envelopeId: string): EscalationRow | null => {
      const r = q.get.get(envelopeId);
      return r ? toRow(r) : null;
    },
    /** Every escalation not yet acknowledged (including finished ones: "Awaiting others" lists them). */
    unacknowledged: (): EscalationRow[] =>
      db
        .prepare<[], RawEscalation>('SELECT * FROM escalations ORDER BY deadline_at')
        .all()
        .map(toRow)
        .filter((r) => r.state.status !== 'acknowledged'),
    open: (): EscalationRow[] => q.open.all().map(toRow),
    /** Where an own message stands on the hub (seq null until sent) and its envelope hash. */
    placeOf(envelopeId: string): { seq: number | null; hash: string } | null {
      const r = q.seqOf.get(envelopeId);
      return r ? { seq: r.seq, hash: r.hash.toString('hex') } : null;
    },
    addInbox(row: InboxRow): void {
      q.addInbox.run(
        row.conversationId,
        row.seq,
        row.deadlineAt,
        row.target ? JSON.stringify(row.target) : null,
        row.escalatedFrom ? JSON.stringify(row.escalatedFrom) : null,
      );
    },
    inbox: (): InboxRow[] =>
      q.inbox.all().map((r) => ({
        conversationId: r.conversation_id,
        seq: r.seq,
        deadlineAt: r.deadline_at,
        target: r.target ? (JSON.parse(r.target) as EscalationTarget) : null,
        escalatedFrom: r.escalated_from ? (JSON.parse(r.escalated_from) as InboxRow['escalatedFrom']) : null,
      })),
    dropInbox: (conversationId: string, seq: number) => void q.dropInbox.run(conversationId, seq),
    /** The escalation target a message asking this user for acknowledgement signed, if it named one. */
    inboxTarget(conversationId: string, seq: number): EscalationTarget | null {
      const target = q.inboxTarget.get(conversationId, seq);
      return target ? (JSON.parse(target) as EscalationTarget) : null;
    },
    /** A recipient-side item (a reminder, a resolution received), once per message and kind. */
    addReceivedItem(
      conversationId: string,
      seq: number,
      kind: string,
      at: number,
      userId: string,
      roleId: string | null = null,
    ): boolean {
      if (q.hasItem.get(conversationId, seq, kind)! > 0) return false;
      q.addItem.run(conversationId, null, seq, kind, at, userId, roleId);
      return true;
    },
    /** Whether the sender said this message was acknowledged by the person it escalated to (or another). */
    resolved: (conversationId: string, seq: number): boolean =>
      q.hasItem.get(conversationId, seq, 'resolved-received')! > 0,
    timeline: (conversationId: string): TimelineRow[] =>
      q.items.all(conversationId).map((r) => ({
        conversationId: r.conversation_id,
        envelopeId: r.envelope_id,
        seq: r.seq,
        kind: r.kind as TimelineRow['kind'],
        at: r.at,
        ...(r.user_id ? { userId: r.user_id } : {}),
        ...(r.role_id ? { roleId: r.role_id } : {}),
      })),
  };
}

export type EscalationTables = ReturnType<typeof escalationTables>;
