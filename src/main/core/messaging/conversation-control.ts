import type { AuditLog } from '../audit';
import { EnvelopeRejected, type ControlChange, type ControlPayload, type EntryPayload } from '../envelope';
import { AppError } from '../errors';
import { HubCallError, type HubClient } from '../hub';
import type { LoadedDevice } from '../keys';
import type { Logger } from '../log/logger';
import type { IncomingMessage, MessageStore } from '../messages';
import type { Conversation } from '../../../shared/hub-protocol';
import type { ChainKind, ChainState, ConversationStates } from './conversation-state';
import { sendEntry, type EntrySender } from './send-entry';

/** How long the hub may list a member before the signed entry that adds them arrives (an add is two steps). */
export const memberGraceMs = 5_000;

/** A change a member asks for (the engine's addMember, removeMember, leave, rename, setRetention). */
export type MemberRequest =
  | { op: 'add'; userIds: string[] }
  | { op: 'remove'; userIds: string[] }
  | { op: 'leave' }
  | { op: 'rename'; name: string }
  | { op: 'retention'; days: number | null }
  | { op: 'patient'; patient: { mrn: string; name: string } | null };

export interface ConversationControlDeps extends EntrySender {
  hub: Pick<HubClient, 'call' | 'state'>;
  device: LoadedDevice;
  messages: MessageStore;
  chain: ConversationStates;
  audit: AuditLog;
  log: Logger;
  /** Runs work on the engine's queue (the one that touches cursors): control entries fold in seq order. */
  enqueue: (work: () => Promise<void>) => Promise<void>;
  /** Resolves once this device's keys are ready for sending. */
  ready: () => Promise<void>;
  /** Reads ListConversations and the membership histories again (on the queue). */
  refreshConversations: () => Promise<void>;
  /** Syncs after the cursors (on the queue). */
  syncFromCursors: () => Promise<void>;
  /** Stores the hub's view of a conversation (the engine's `remember`). */
  remember: (conversation: Conversation) => void;
  /** Reads these users' devices and verified user keys (before sealing to them). */
  knowMembers: (userIds: string[]) => Promise<void>;
  changed: (conversationIds: string[]) => void;
  /** Grace before a member the hub lists beyond the chain is an alert (tests shorten it). */
  graceMs?: number;
}

export interface ConversationControl {
  /**
   * In `openAll`, right after an envelope opened: a control entry is checked against the chain so far and
   * folded in, or refused (throws `EnvelopeRejected` with the reason: it is then quarantined like any envelope).
   */
  admit(
    base: { conversationId: string; seq: number; envelopeId: string },
    senderUserId: string,
    payload: EntryPayload,
  ): void;
  /** After a batch was stored: the folds of its conversations are the stored entries' (what counts is what is kept). */
  settle(batch: readonly IncomingMessage[]): void;
  /** CreateConversation at the hub, then the signed create entry. Returns the conversation id. */
  create(kind: ChainKind, memberIds: string[]): Promise<string>;
  /** A change by this user: the hub's routing change and the signed entry, in the order the hub's rules need. */
  request(conversationId: string, change: MemberRequest): Promise<void>;
  /** On the queue after each full sync: the creator's upgrade snapshots, and the hub's lists checked later. */
  afterSync(): Promise<void>;
  /** The hub announced a member list: checked against the chain after the grace. */
  hubChanged(conversationId: string): void;
  /** Why a message the hub keeps refusing as stale is not sent. */
  sendFailure(conversationId: string): string;
  stop(): void;
}

const same = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/**
 * Writes a conversation's control entries (create, snapshot, add, remove, leave, rename, retention) and keeps
 * the hub's member list in its place: a routing hint, compared with the chain, never sealed to.
 */
export function createConversationControl(deps: ConversationControlDeps): ConversationControl {
  const { hub, device, messages, chain, log } = deps;
  const graceMs = deps.graceMs ?? memberGraceMs;
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const cursorOf = (conversationId: string): number =>
    messages.cursors().find((c) => c.conversationId === conversationId)?.afterSeq ?? 0;

  function online(): void {
    if (hub.state() !== 'connected') {
      throw new AppError(
        'hub_unreachable',
        'Changing a conversation needs the server; try again once this computer is connected.',
      );
    }
  }

  /** Seals and sends one control entry, then folds and stores it in seq order. Runs on the queue. */
  async function writeNow(conversationId: string, change: ControlChange, sealTo: string[]): Promise<void> {
    online();
    const payload: ControlPayload = { v: 1, kind: 'control', change };
    let sent;
    try {
      // On stale recipients a user key changed: the same members (the entry's), their current keys.
      sent = await sendEntry(deps, conversationId, payload, () => sealTo);
    } catch (error) {
      if (error instanceof HubCallError && error.hubCode === 'stale_recipients') {
        throw new AppError(
          'hub_refused',
          "The server's member list for this conversation differs from its signed one; the change was not made.",
        );
      }
      throw error;
    }
    const { entry, bytes, result } = sent;
    // Straight after what this device holds: folded and stored now. Otherwise something came between:
    // the sync brings it and this entry, verified, in order.
    const answered = result.conversationId === conversationId && result.envelopeId === entry.envelopeId;
    if (answered && result.seq === cursorOf(conversationId) + 1 && !result.duplicate) {
      const refused = chain.admit(conversationId, {
        seq: entry.seq,
        envelopeId: entry.envelopeId,
        senderUserId: device.userId,
        change,
      });
      if (refused === null) {
        messages.addSentEntry(entry, bytes);
        deps.changed([conversationId]);
        return;
      }
    }
    await deps.syncFromCursors();
    deps.changed([conversationId]);
  }

  /** The chain's state, which must be confirmed for any change but a snapshot. */
  function confirmed(conversationId: string): ChainState {
    if (!chain.hub(conversationId) && chain.members(conversationId) === null)
      throw new AppError('not_found', 'That conversation is not on this computer.');
    const state = chain.state(conversationId);
    if (state.status !== 'confirmed') {
      throw new AppError(
        'invalid_args',
        "This conversation's membership is not confirmed yet: it can be changed once its creator's computer has signed it.",
      );
    }
    return state;
  }

  function mayChange(state: ChainState, request: MemberRequest): void {
    const me = device.userId;
    if (!state.members.includes(me))
      throw new AppError('invalid_args', 'You are no longer a member of this conversation.');
    if (request.op === 'leave') return;
    if (!state.admins.includes(me))
      throw new AppError('invalid_args', 'Only the conversation’s creator and admins can change it.');
    if ((request.op === 'add' || request.op === 'remove') && state.kind !== 'group')
      throw new AppError('invalid_args', 'Members can only be added to or removed from group conversations.');
    if (request.op === 'add' && request.userIds.some((u) => state.members.includes(u)))
      throw new AppError('invalid_args', 'That colleague is already a member.');
    if (request.op === 'remove' && request.userIds.some((u) => !state.members.includes(u)))
      throw new AppError('invalid_args', 'That colleague is not a member.');
  }

  function alertOnce(conversationId: string, userId: string): void {
    const already = messages
      .alerts(conversationId)
      .some((a) => a.kind === 'unconfirmed-member' && a.details.userId === userId);
    if (already) return;
    const at = Math.max(1, cursorOf(conversationId));
    messages.addAlert({
      conversationId,
      kind: 'unconfirmed-member',
      fromSeq: at,
      toSeq: at,
      details: { userId },
    });
    deps.audit.append({ kind: 'member-unconfirmed', details: { conversationId, userId } });
    log.warn({ conversationId }, 'the hub lists a member no signed entry added');
    deps.changed([conversationId]);
  }

  /**
   * A snapshot states the chain's first state: only a device that has opened everything it received of the
   * conversation may write it (on a new workstation of the creator, its create entry may be among what waits).
   */
  function everythingOpen(conversationId: string): boolean {
    return !messages
      .verificationRecords(conversationId)
      .some(
        (r) =>
          r.verdict === 'quarantined' && (r.reason === 'awaiting-key' || r.reason === 'device-not-accepted'),
      );
  }

  /** Every member the hub lists beyond the chain is an alert, once. */
  function reconcile(conversationId: string): void {
    for (const userId of chain.differences(conversationId).extra) alertOnce(conversationId, userId);
  }

  /** Checks again after the grace (and a sync: the signed add normally follows the hub's change at once). */
  function later(conversationId: string): void {
    if (stopped || timers.has(conversationId)) return;
    const timer = setTimeout(() => {
      timers.delete(conversationId);
      void deps
        .enqueue(async () => {
          if (hub.state() === 'connected') await deps.syncFromCursors();
          reconcile(conversationId);
        })
        .catch(() => undefined);
    }, graceMs);
    timer.unref();
    timers.set(conversationId, timer);
  }

  return {
    admit(base, senderUserId, payload) {
      if (payload.kind !== 'control') return;
      const refused = chain.admit(base.conversationId, {
        seq: base.seq,
        envelopeId: base.envelopeId,
        senderUserId,
        change: payload.change,
      });
      if (refused) throw new EnvelopeRejected(refused);
    },

    settle(batch) {
      const touched = new Set<string>();
      for (const m of batch)
        if (m.verdict.ok && m.verdict.payload.kind === 'control') touched.add(m.conversationId);
      for (const conversationId of touched) chain.reload(conversationId);
    },

    async create(kind, memberIds) {
      await deps.ready();
      online();
      let conversationId = '';
      // On the queue: no sync of this device sees the conversation before its create entry is written.
      await deps.enqueue(async () => {
        // The hub routes an announcement as a group; its signed create entry says what it is.
        const hubKind = kind === 'announcement' ? 'group' : kind;
        const { conversation, created } = await hub.call('CreateConversation', { kind: hubKind, memberIds });
        conversationId = conversation.conversationId;
        deps.remember(conversation);
        await chain.loadHistory(conversationId);
        await deps.knowMembers(conversation.members);
        if (!created || conversation.createdBy !== device.userId) return; // an existing direct conversation
        const members = [...new Set([device.userId, ...memberIds])];
        if (!same(members, conversation.members)) {
          // The hub made it with other members than asked: nothing is sealed to them, and it stays unconfirmed.
          for (const userId of conversation.members.filter((u) => !members.includes(u)))
            alertOnce(conversationId, userId);
          throw new AppError(
            'hub_refused',
            'The server created the conversation with other members than you chose; it was not confirmed.',
          );
        }
        const admins = kind === 'direct' ? members : [device.userId];
        await writeNow(conversationId, { op: 'create', conversationKind: kind, members, admins }, members);
      });
      return conversationId;
    },

    async request(conversationId, request) {
      mayChange(confirmed(conversationId), request); // refused at once; checked again on the queue
      await deps.ready();
      online();
      await deps.enqueue(async () => {
        const state = confirmed(conversationId);
        mayChange(state, request);
        const me = device.userId;
        switch (request.op) {
          case 'add': {
            // The hub first (its coverage rule then lets the entry be sealed to the new members too).
            for (const userId of request.userIds) await hub.call('AddMember', { conversationId, userId });
            await deps.refreshConversations();
            const members = [...state.members, ...request.userIds];
            await writeNow(
              conversationId,
              {
                op: 'add',
                userIds: request.userIds,
                members,
                admins: state.admins,
                name: state.name,
                retentionDays: state.retentionDays,
                // Stated only when set, so an add without a patient reads as before.
                ...(state.patient ? { patient: state.patient } : {}),
              },
              members,
            );
            return;
          }
          case 'remove': {
            for (const userId of request.userIds) await hub.call('RemoveMember', { conversationId, userId });
            await deps.refreshConversations();
            const members = state.members.filter((u) => !request.userIds.includes(u));
            await writeNow(conversationId, { op: 'remove', userIds: request.userIds }, members);
            return;
          }
          case 'leave':
            // The entry first: once the hub has removed this user, it takes nothing from them.
            await writeNow(conversationId, { op: 'leave' }, state.members);
            await hub.call('RemoveMember', { conversationId, userId: me });
            await deps.refreshConversations();
            return;
          case 'rename':
            await writeNow(conversationId, { op: 'rename', name: request.name }, state.members);
            return;
          case 'retention':
            await writeNow(conversationId, { op: 'retention', days: request.days }, state.members);
            return;
          case 'patient':
            await writeNow(conversationId, { op: 'patient', patient: request.patient }, state.members);
            return;
        }
      });
    },

    async afterSync() {
      for (const conversationId of chain.conversations()) {
        const hint = chain.hub(conversationId);
        if (!hint) continue;
        const state = chain.state(conversationId);
        if (
          state.status === 'unconfirmed' &&
          hint.createdBy === device.userId &&
          hint.members.includes(device.userId) &&
          everythingOpen(conversationId)
        ) {
          // Made before control entries: the creator signs the state the hub has kept so far (once).
          const admins = hint.kind === 'direct' ? hint.members : [device.userId];
          try {
            await writeNow(
              conversationId,
              {
                op: 'snapshot',
                conversationKind: hint.kind,
                members: hint.members,
                admins,
                throughSeq: cursorOf(conversationId),
              },
              hint.members,
            );
          } catch (error) {
            log.warn(
              { conversationId, code: error instanceof AppError ? error.code : 'internal' },
              'membership snapshot not written',
            );
          }
        }
        if (chain.differences(conversationId).extra.length > 0) later(conversationId);
      }
    },

    hubChanged(conversationId) {
      if (chain.differences(conversationId).extra.length > 0) later(conversationId);
    },

    sendFailure(conversationId) {
      const { extra, missing } = chain.differences(conversationId);
      return extra.length + missing.length > 0 ? 'membership_differs' : 'recipients_changed';
    },

    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
