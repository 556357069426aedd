import { asMessage, type MessagePayload } from '../envelope';
import { AppError } from '../errors';
import type { EventBus } from '../events/event-bus';
import type { HubClient } from '../hub';
import type { Logger } from '../log/logger';
import type { IncomingMessage } from '../messages';
import type { MessagingEngine } from '../messaging';
import type { EffectivePolicy } from '../policy';
import type { ProfileStore } from '../store';
import type { Clock } from './clock';
import {
  initialState,
  resume,
  transition,
  type AckVia,
  type EscalationAction,
  type EscalationEvent,
  type EscalationTarget,
  type TimelineItem,
} from './machine';
import { sameEnvelopeHash } from './same-hash';
import { escalationTables, type InboxRow, type TimelineRow } from './tables';

/** A role's current backup (ROLES wires the roster in); null when the role resolves to nobody. */
export type ResolveRoleBackup = (roleId: string) => Promise<string | null>;

export const nobodyOnCall: ResolveRoleBackup = () => Promise.resolve(null);

export interface SendWithDeadline {
  conversationId: string;
  text: string;
  urgent: boolean;
  ackRequired: boolean;
  patient: { mrn: string; name: string } | null;
  ackDeadlineMinutes?: number | undefined;
  escalateTo?: EscalationTarget | null | undefined;
  /** A message to a role (docs/roster.md): the role and the holders it resolved to, signed with the rest. */
  toRole?: MessagePayload['toRole'];
}

export type DeadlineChoice = Pick<SendWithDeadline, 'ackRequired' | 'ackDeadlineMinutes' | 'escalateTo'>;

export interface EscalationDeps {
  store: ProfileStore;
  engine: MessagingEngine;
  hub: Pick<HubClient, 'state' | 'onConnected'>;
  policy: EffectivePolicy;
  clock: Clock;
  events: EventBus;
  log: Logger;
  userId: string;
  resolveRoleBackup: ResolveRoleBackup;
  /** Tells the sender (an OS notification in the app); never carries the message text. */
  alertSender: (alert: { conversationId: string; reason: 'unacknowledged' | 'no-target' }) => void;
}

export interface EscalationService {
  start(): void;
  stop(): void;
  /** messages.send: checks the deadline against policy, sends, and starts the timer. */
  send(input: SendWithDeadline): Promise<{ envelopeId: string }>;
  /** Throws `deadline_not_allowed` when send would refuse this deadline (before a caller does anything else). */
  checkDeadline(input: DeadlineChoice): void;
  options(): { choices: number[]; defaultMinutes: number; defaultTarget: EscalationTarget | null };
  awaitingMine(): AwaitingMine[];
  awaitingOthers(): AwaitingOthers[];
  timeline(conversationId: string): TimelineRow[];
  /** Resolves when every queued transition and its actions have run (tests). */
  idle(): Promise<void>;
}

export interface AwaitingMine {
  conversationId: string;
  seq: number;
  senderUserId: string;
  text: string;
  urgent: boolean;
  deadlineAt: string | null;
  target: EscalationTarget | null;
  escalatedFrom: InboxRow['escalatedFrom'];
}

export interface AwaitingOthers {
  conversationId: string;
  envelopeId: string;
  seq: number | null;
  text: string;
  deadlineAt: string;
  msLeft: number;
  status: 'waiting' | 'escalating' | 'finished';
  target: EscalationTarget | null;
  /** Sent from another workstation of this user: its escalation runs there, not here. */
  elsewhere: boolean;
}

/** How long a step that could not run (its message not yet on the hub) waits before it is tried again. */
const retryMs = 2_000;

/** The policy's deadline choices, sorted, and a default that is one of them. */
export function deadlineOptions(policy: EffectivePolicy) {
  const choices = [...new Set(policy.ackDeadlineChoices)].sort((a, b) => a - b);
  const defaultMinutes = choices.includes(policy.ackDeadlineDefaultMinutes)
    ? policy.ackDeadlineDefaultMinutes
    : choices[0]!;
  return { choices, defaultMinutes, defaultTarget: policy.escalationTarget };
}

/**
 * The sender's side runs the machine for each own message with a deadline (persisted after every transition,
 * resumed on start); the recipient's side lists what asks for its acknowledgement and records the signed
 * reminders it receives. Everything that reaches another person is a signed message of the sender's.
 */
export function createEscalationService(deps: EscalationDeps): EscalationService {
  const { engine, clock, log } = deps;
  const tables = escalationTables(deps.store.db);
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;
  let cancelWake: (() => void) | null = null;
  const offs: Array<() => void> = [];

  const online = () => deps.hub.state() === 'connected';
  const changed = (conversationId?: string) => {
    deps.events.emit('escalations.changed', {});
    if (conversationId) deps.events.emit('messages.changed', { conversationId });
  };
  const enqueue = (work: () => Promise<void> | void): Promise<void> => {
    const run = queue.then(async () => {
      if (!stopped) await work();
    });
    queue = run.catch((error: unknown) => {
      log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'escalation step failed');
    });
    return run;
  };

  /** Applies one event to one escalation: persists the new state and its timeline items, then acts. */
  async function apply(envelopeId: string, event: EscalationEvent | 'resume'): Promise<void> {
    const row = tables.get(envelopeId);
    if (!row) return;
    const before = { ...row.state, online: online() };
    const t = event === 'resume' ? resume(before, clock.now(), online()) : transition(before, event);
    const items = t.actions.flatMap((a) => (a.type === 'timeline' ? [a.item] : []));
    tables.save(envelopeId, t.state, items, row.conversationId);
    if (items.length > 0 || t.state.status !== row.state.status) changed(row.conversationId);
    for (const action of t.actions) await act(envelopeId, row.conversationId, action);
    reschedule();
  }

  async function act(envelopeId: string, conversationId: string, action: EscalationAction): Promise<void> {
    switch (action.type) {
      case 'timeline':
      case 'wake':
        return; // persisted with the state; the wake timer is recomputed after every transition
      case 'alert-sender':
        deps.alertSender({ conversationId, reason: action.reason });
        if (action.reason === 'unacknowledged')
          await apply(envelopeId, { type: 'step-done', step: 'alert', now: clock.now() });
        return;
      case 'resolve-target': {
        const target = action.target;
        const userId =
          target.kind === 'user'
            ? target.userId
            : await deps.resolveRoleBackup(target.roleId).catch((error: unknown) => {
                log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'role not resolved');
                return null;
              });
        await apply(envelopeId, {
          type: 'resolved',
          userId: userId === deps.userId ? null : userId,
          now: clock.now(),
        });
        return;
      }
      case 'send-reminder':
      case 'send-escalation':
      case 'send-resolution': {
        const step =
          action.type === 'send-reminder'
            ? 'renotify'
            : action.type === 'send-escalation'
              ? 'escalate'
              : 'resolve';
        try {
          const done =
            action.type === 'send-reminder'
              ? await sendReminder(envelopeId, conversationId)
              : action.type === 'send-escalation'
                ? await sendEscalation(envelopeId, conversationId, action.userId)
                : await sendResolution(envelopeId);
          if (!done) throw new AppError('hub_unreachable', 'the message is not on the hub yet');
          await apply(envelopeId, { type: 'step-done', step, now: clock.now() });
        } catch (error) {
          log.warn(
            { step, code: error instanceof AppError ? error.code : 'internal' },
            'escalation step waits',
          );
          await apply(envelopeId, { type: 'step-failed', step });
          if (online()) retryLater(envelopeId);
        }
        return;
      }
    }
  }

  /** A retry is a backoff, not a deadline: it runs on real time even when the test drives the deadline clock. */
  function retryLater(envelopeId: string): void {
    const handle = setTimeout(() => {
      offs.splice(offs.indexOf(cancel), 1);
      void enqueue(() => apply(envelopeId, { type: 'online', now: clock.now() }));
    }, retryMs);
    handle.unref();
    const cancel = () => clearTimeout(handle);
    offs.push(cancel);
  }

  /** The signed reminder the recipients' clients turn into a re-notification. False: not on the hub yet. */
  async function sendReminder(envelopeId: string, conversationId: string): Promise<boolean> {
    const place = tables.placeOf(envelopeId);
    if (!place || place.seq === null) return false;
    const payload: MessagePayload = {
      v: 1,
      kind: 'text',
      text: 'Reminder: this urgent message is waiting for your acknowledgement.',
      urgent: true,
      ackRequired: false,
      patient: null,
      escalation: { step: 'reminder', seq: place.seq, envelopeHash: place.hash },
    };
    const id = tables.intend(envelopeId, 'reminder');
    if (tables.placeOf(id) === null) await engine.send({ conversationId, payload, envelopeId: id });
    tables.markStep(id, 'reminder');
    return true;
  }

  /** The message, quoted with its signed reference, in the direct conversation with the target. */
  async function sendEscalation(
    envelopeId: string,
    conversationId: string,
    userId: string,
  ): Promise<boolean> {
    const place = tables.placeOf(envelopeId);
    if (!place || place.seq === null) return false;
    const original = engine.messages.bySeq(conversationId, place.seq);
    if (!original || original.verdict !== 'valid') return false;
    const recipients = engine.conversationState(conversationId).members.filter((u) => u !== deps.userId);
    const direct = await directConversationWith(userId);
    const payload: MessagePayload = {
      v: 1,
      kind: 'text',
      text: original.payload.text,
      urgent: true,
      ackRequired: true,
      patient: original.payload.patient,
      escalation: {
        step: 'escalated',
        conversationId,
        seq: place.seq,
        envelopeHash: place.hash,
        sentAt: original.clientTime,
        recipients,
      },
    };
    const id = tables.intend(envelopeId, { escalateTo: userId });
    if (tables.placeOf(id) === null) await engine.send({ conversationId: direct, payload, envelopeId: id });
    return true;
  }

  /**
   * Tells the copy nobody acknowledged (the original, when the target acknowledged the escalated copy, or the
   * other way round) who did, as a signed message of the sender naming it by seq and hash. False: not yet.
   */
  async function sendResolution(envelopeId: string): Promise<boolean> {
    const row = tables.get(envelopeId);
    if (!row?.state.ack) return true;
    const via: AckVia = row.state.ack.via ?? 'original';
    const [acked, waiting] =
      via === 'escalated'
        ? [row.escalatedEnvelopeId, row.envelopeId]
        : [row.envelopeId, row.escalatedEnvelopeId];
    const place = waiting ? tables.placeOf(waiting) : null;
    // The escalated copy never reached the store (the crash came before it was sealed): nobody waits for it.
    if (!waiting || !place) return true;
    const where = conversationOf(waiting);
    if (place.seq === null || !where) return false;
    const ack = acknowledger(acked) ?? {
      userId: row.state.ack.userId,
      at: new Date(row.state.ack.at).toISOString(),
    };
    const payload: MessagePayload = {
      v: 1,
      kind: 'text',
      text: 'Acknowledged: this message no longer awaits your acknowledgement.',
      urgent: false,
      ackRequired: false,
      patient: null,
      escalation: { step: 'resolved', seq: place.seq, envelopeHash: place.hash, by: ack.userId, at: ack.at },
    };
    const id = tables.intend(envelopeId, 'resolution');
    if (tables.placeOf(id) === null) await engine.send({ conversationId: where, payload, envelopeId: id });
    tables.markStep(id, 'resolved');
    return true;
  }

  async function directConversationWith(userId: string): Promise<string> {
    for (const c of engine.messages.listConversations()) {
      if (c.kind !== 'direct') continue;
      const members = engine.conversationState(c.conversationId).members;
      if (members.length === 2 && members.includes(userId) && members.includes(deps.userId))
        return c.conversationId;
    }
    return engine.createConversation('direct', [userId]);
  }

  /** One timer: the earliest deadline among the escalations still waiting. */
  function reschedule(): void {
    cancelWake?.();
    cancelWake = null;
    if (stopped) return;
    const next = tables.open().find((r) => r.state.status === 'waiting');
    if (!next) return;
    cancelWake = clock.setTimer(() => {
      cancelWake = null;
      void enqueue(async () => {
        const now = clock.now();
        for (const r of tables.open())
          if (r.state.status === 'waiting' && r.deadlineAt <= now)
            await apply(r.envelopeId, { type: 'time', now });
        reschedule();
      });
    }, next.deadlineAt - clock.now());
  }

  /** Who verifiably acknowledged an own message (original or escalated copy), and their signed time. */
  function acknowledger(envelopeId: string | null): { userId: string; at: string } | null {
    if (!envelopeId) return null;
    const place = tables.placeOf(envelopeId);
    if (!place || place.seq === null) return null;
    const conversationId = conversationOf(envelopeId);
    if (!conversationId) return null;
    const message = engine.messages.bySeq(conversationId, place.seq);
    if (!message) return null;
    const acks = engine.acknowledgements.of(conversationId, [message]).get(place.seq) ?? [];
    const ack = acks.find((a) => !a.own);
    return ack ? { userId: ack.userId, at: ack.at } : null;
  }

  function conversationOf(envelopeId: string): string | null {
    const r = deps.store.db
      .prepare<[string], { conversation_id: string }>(
        'SELECT conversation_id FROM messages WHERE envelope_id = ?',
      )
      .get(envelopeId);
    return r?.conversation_id ?? null;
  }

  async function checkAcknowledged(): Promise<void> {
    for (const row of tables.unacknowledged()) {
      const original = acknowledger(row.envelopeId);
      const escalated = original ? null : acknowledger(row.escalatedEnvelopeId);
      const by = original ?? escalated;
      if (by)
        await apply(row.envelopeId, {
          type: 'acknowledged',
          userId: by.userId,
          via: original ? 'original' : 'escalated',
          now: clock.now(),
        });
    }
  }

  /** The verified message of the same sender, in the same conversation, that a reminder or resolution names. */
  function namedMessage(m: IncomingMessage, named: { seq: number; envelopeHash: string }) {
    const message = engine.messages.bySeq(m.conversationId, named.seq);
    return message &&
      message.verdict === 'valid' &&
      message.senderUserId === m.senderUserId &&
      sameEnvelopeHash(message.hash, named.envelopeHash)
      ? message
      : null;
  }

  /**
   * An own message sent from another workstation of this user: one with a deadline is listed, never run here
   * (its escalation runs where it was sent); that workstation's resolution message closes it.
   */
  function ownFromElsewhere(m: IncomingMessage, message: MessagePayload): void {
    const esc = message.escalation;
    if (esc?.step === 'deadline' && message.ackRequired) {
      const deadlineAt = Date.parse(m.clientTime) + esc.minutes * 60_000;
      if (!Number.isFinite(deadlineAt)) return;
      tables.insert({
        envelopeId: m.envelopeId,
        conversationId: m.conversationId,
        deadlineAt,
        text: message.text,
        state: initialState({ deadlineAt, target: esc.target, online: false }),
        elsewhere: true,
      });
      changed(m.conversationId);
    } else if (esc?.step === 'reminder' || esc?.step === 'resolved') {
      const named = namedMessage(m, esc);
      if (!named) return;
      tables.markStep(m.envelopeId, esc.step);
      changed(m.conversationId);
      const row = tables.get(named.envelopeId);
      if (esc.step === 'resolved' && row?.elsewhere) {
        const event: EscalationEvent = {
          type: 'acknowledged',
          userId: esc.by,
          via: 'escalated',
          now: clock.now(),
        };
        void enqueue(() => apply(row.envelopeId, event));
      }
    }
  }

  /** What a verified batch means for escalation, on both sides. */
  function ingested(batch: readonly IncomingMessage[]): void {
    let acksSeen = false;
    let inbox = false;
    for (const m of batch) {
      if (!m.verdict.ok) continue;
      if (m.verdict.payload.kind === 'ack') {
        acksSeen = true;
        continue;
      }
      const message = asMessage(m.verdict.payload);
      if (!message) continue;
      if (m.senderUserId === deps.userId) {
        if (m.senderDeviceId !== engine.deviceId) ownFromElsewhere(m, message);
        continue;
      }
      const esc = message.escalation;
      if (message.ackRequired) {
        const sentAt = Date.parse(m.clientTime);
        tables.addInbox({
          conversationId: m.conversationId,
          seq: m.seq,
          deadlineAt:
            esc?.step === 'deadline' && Number.isFinite(sentAt) ? sentAt + esc.minutes * 60_000 : null,
          target: esc?.step === 'deadline' ? esc.target : null,
          escalatedFrom:
            esc?.step === 'escalated'
              ? { conversationId: esc.conversationId, seq: esc.seq, recipients: esc.recipients }
              : null,
        });
        inbox = true;
      }
      if (esc?.step === 'resolved') {
        // Only the sender of a message asking for acknowledgement can say it was acknowledged elsewhere.
        const named = namedMessage(m, esc);
        if (named?.payload.ackRequired) {
          tables.markStep(m.envelopeId, 'resolved');
          changed(m.conversationId);
          // The role it was to escalate to, from the named message's signed deadline.
          const target = tables.inboxTarget(m.conversationId, esc.seq);
          const role = target?.kind === 'role' ? target.roleId : null;
          const at = Date.parse(esc.at);
          tables.addReceivedItem(m.conversationId, esc.seq, 'resolved-received', at, esc.by, role);
        } else
          log.warn(
            { conversationId: m.conversationId, seq: m.seq },
            'resolution names no message of its sender',
          );
      }
      if (esc?.step === 'reminder') {
        // Only a reminder naming, by seq and hash, a message of the same sender in this conversation counts.
        if (namedMessage(m, esc)) {
          tables.markStep(m.envelopeId, 'reminder');
          tables.addReceivedItem(m.conversationId, esc.seq, 'reminder-received', clock.now(), m.senderUserId);
          changed(m.conversationId);
        } else
          log.warn(
            { conversationId: m.conversationId, seq: m.seq },
            'reminder names no message of its sender',
          );
      }
    }
    if (inbox) changed();
    if (acksSeen) void enqueue(checkAcknowledged);
  }

  /** The signed `escalation` field for a send, or a `deadline_not_allowed` refusal (nothing sent). */
  function deadlineOf(input: DeadlineChoice): MessagePayload['escalation'] {
    const { choices, defaultMinutes, defaultTarget } = deadlineOptions(deps.policy);
    let escalation: MessagePayload['escalation'];
    if (input.ackRequired) {
      const minutes = input.ackDeadlineMinutes ?? defaultMinutes;
      if (!choices.includes(minutes))
        throw new AppError(
          'deadline_not_allowed',
          `An acknowledgement deadline of ${minutes} minutes is not allowed here; choose ${choices.join(', ')} minutes. Nothing was sent.`,
        );
      const target = input.escalateTo === undefined ? defaultTarget : input.escalateTo;
      if (target?.kind === 'user' && target.userId === deps.userId)
        throw new AppError(
          'deadline_not_allowed',
          'A message cannot escalate to its own sender. Nothing was sent.',
        );
      escalation = { step: 'deadline', minutes, target };
    } else if (input.ackDeadlineMinutes !== undefined || input.escalateTo != null) {
      throw new AppError(
        'deadline_not_allowed',
        'A deadline needs a message that asks for acknowledgement. Nothing was sent.',
      );
    }
    return escalation;
  }

  return {
    start() {
      engine.onIngested((batch) => {
        if (!stopped) ingested(batch);
      });
      offs.push(
        deps.hub.onConnected(() => {
          void enqueue(async () => {
            for (const r of tables.open()) await apply(r.envelopeId, { type: 'online', now: clock.now() });
          });
        }),
      );
      void enqueue(async () => {
        await checkAcknowledged();
        for (const r of tables.open()) await apply(r.envelopeId, 'resume');
        reschedule();
      });
    },
    stop() {
      stopped = true;
      cancelWake?.();
      for (const off of offs.splice(0)) off();
    },
    async send(input) {
      const escalation = deadlineOf(input);
      const now = clock.now();
      const payload: MessagePayload = {
        v: 1,
        kind: 'text',
        text: input.text,
        urgent: input.urgent,
        ackRequired: input.ackRequired,
        patient: input.patient,
        ...(input.toRole ? { toRole: input.toRole } : {}),
        ...(escalation ? { escalation } : {}),
      };
      const sent = await engine.send({ conversationId: input.conversationId, payload });
      if (escalation?.step === 'deadline') {
        const deadlineAt = now + escalation.minutes * 60_000;
        tables.insert({
          envelopeId: sent.envelopeId,
          conversationId: input.conversationId,
          deadlineAt,
          text: input.text,
          state: initialState({ deadlineAt, target: escalation.target, online: online() }),
          elsewhere: false,
        });
        await enqueue(() => apply(sent.envelopeId, { type: 'time', now: clock.now() }));
        changed(input.conversationId);
      }
      return sent;
    },
    checkDeadline(input) {
      deadlineOf(input);
    },
    options: () => deadlineOptions(deps.policy),
    awaitingMine() {
      const out: AwaitingMine[] = [];
      for (const row of tables.inbox()) {
        const message = engine.messages.bySeq(row.conversationId, row.seq);
        if (!message || message.verdict !== 'valid') continue;
        const mine = engine.acknowledgements.of(row.conversationId, [message]).get(row.seq) ?? [];
        if (mine.some((a) => a.own) || tables.resolved(row.conversationId, row.seq)) {
          tables.dropInbox(row.conversationId, row.seq);
          continue;
        }
        out.push({
          conversationId: row.conversationId,
          seq: row.seq,
          senderUserId: message.senderUserId,
          text: message.payload.text,
          urgent: message.payload.urgent,
          deadlineAt: row.deadlineAt === null ? null : new Date(row.deadlineAt).toISOString(),
          target: row.target,
          escalatedFrom: row.escalatedFrom,
        });
      }
      return out;
    },
    awaitingOthers() {
      const now = clock.now();
      return tables.unacknowledged().map((r) => ({
        conversationId: r.conversationId,
        envelopeId: r.envelopeId,
        seq: tables.placeOf(r.envelopeId)?.seq ?? null,
        text: r.text,
        deadlineAt: new Date(r.deadlineAt).toISOString(),
        msLeft: Math.max(0, r.deadlineAt - now),
        status: r.state.status as AwaitingOthers['status'],
        target: r.state.target,
        elsewhere: r.elsewhere,
      }));
    },
    timeline: (conversationId) => tables.timeline(conversationId),
    idle: async () => {
      for (let last = queue; ; last = queue) {
        await last;
        if (last === queue) return;
      }
    },
  };
}

export type { TimelineItem };
