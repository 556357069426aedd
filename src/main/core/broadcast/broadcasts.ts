import { maxBroadcastRecipients, type BroadcastPreviewView } from '../../../shared/contract/broadcast';
import { AppError } from '../errors';
import type { EscalationService } from '../escalation';
import type { EventBus } from '../events/event-bus';
import type { HubClient } from '../hub';
import type { Logger } from '../log/logger';
import type { MessagingEngine } from '../messaging';
import {
  announcementRecipients,
  maxBroadcastRoles,
  previewRoles,
  recipientsOf,
  type ResolveRole,
} from './role-recipients';
import { BroadcastTally, type BroadcastCounts } from './tally';

export { maxBroadcastRecipients };

export interface BroadcastInput {
  /**
   * Whom it goes to, as user ids. A department or a named group is a list of ids for now; a role is resolved
   * to its holders' ids (ROLES' resolution) before this call.
   */
  userIds: string[];
  /** Roles whose available verified holders it also goes to (resolved at send time; one unusable role refuses all). */
  roleIds?: string[] | undefined;
  text: string;
  urgent: boolean;
  ackRequired: boolean;
  /** With ackRequired: the deadline in minutes (the policy's default when absent), as for messages.send. */
  ackDeadlineMinutes?: number | undefined;
}

export interface BroadcastStatus extends BroadcastCounts {
  conversationId: string;
  seq: number;
  ackRequired: boolean;
}

export interface BroadcastService {
  /** Sends an announcement (in an announcement conversation of exactly these recipients, made if needed). */
  send(input: BroadcastInput): Promise<{ conversationId: string; envelopeId: string }>;
  /** Whom it would reach now: each role judged alone, and how many colleagues in all. Sends nothing. */
  preview(input: { userIds: string[]; roleIds: string[] }): Promise<BroadcastPreviewView>;
  /** The counts of an announcement this user sent. */
  status(conversationId: string, seq: number): BroadcastStatus;
  /** The recipients who have not read (by the hub's word) or not acknowledged (signed) it yet. */
  notYet(conversationId: string, seq: number, kind: 'read' | 'acknowledged'): string[];
  /** Refuses (invalid_args) a message by this user into an announcement she may not post in. */
  checkMayPost(conversationId: string): void;
  stop(): void;
}

export interface BroadcastDeps {
  engine: Pick<MessagingEngine, 'messages' | 'acknowledgements' | 'conversationState' | 'createConversation'>;
  /** Builds, signs and sends the payload (the same path as messages.send) and starts any deadline's timer. */
  escalation: Pick<EscalationService, 'send' | 'checkDeadline'>;
  hub: Pick<HubClient, 'call' | 'state'>;
  events: EventBus;
  userId: string;
  log: Logger;
  /** Who a role reaches now (the roles service's resolve). */
  resolveRole: ResolveRole;
}

/** Receipt pages read from the hub per announcement conversation when its counts are first asked for. */
const maxCatchUpPages = 10;
const catchUpPage = 1000;

const same = (a: ReadonlySet<string>, b: readonly string[]): boolean =>
  a.size === b.length && b.every((u) => a.has(u));

/**
 * Announcements and their counts. A tally is built once from the store (one grouped receipt query and the
 * verified acknowledgements of that message) and kept; a `messages.changed` of its conversation marks it for
 * rebuilding on the next ask, so a render that changes nothing costs nothing.
 */
export function createBroadcastService(deps: BroadcastDeps): BroadcastService {
  const { engine, hub, userId, log } = deps;
  const tallies = new Map<string, { tally: BroadcastTally; fresh: boolean }>();
  const caughtUp = new Set<string>();
  const key = (conversationId: string, seq: number) => `${conversationId}\u0000${seq}`;

  const unsubscribe = deps.events.subscribe((name, payload) => {
    if (name !== 'messages.changed') return;
    const { conversationId } = payload as { conversationId: string };
    for (const [k, entry] of tallies) if (k.startsWith(`${conversationId}\u0000`)) entry.fresh = false;
  });

  function announcement(conversationId: string, seq: number) {
    const state = engine.conversationState(conversationId);
    const message = engine.messages.bySeq(conversationId, seq);
    if (!message || message.seq === null)
      throw new AppError('not_found', 'That announcement is not on this computer.');
    if (
      state.status !== 'confirmed' ||
      state.kind !== 'announcement' ||
      message.verdict !== 'valid' ||
      message.senderUserId !== userId
    )
      throw new AppError('invalid_args', 'Counts are shown only for announcements you sent.');
    return { state, message: { ...message, seq: message.seq } };
  }

  /** Receipts pushed while this computer was off are only on the hub: read them once per session. */
  function catchUp(conversationId: string, fromSeq: number): void {
    if (caughtUp.has(conversationId) || hub.state() !== 'connected') return;
    caughtUp.add(conversationId);
    void (async () => {
      let afterSeq = fromSeq - 1;
      let added = 0;
      for (let page = 0; page < maxCatchUpPages; page++) {
        const { receipts } = await hub.call('GetReceipts', { conversationId, afterSeq, limit: catchUpPage });
        for (const r of receipts)
          if (r.conversationId === conversationId && engine.messages.addReceipt(r)) added++;
        if (receipts.length < catchUpPage) break;
        afterSeq = Math.max(afterSeq, ...receipts.map((r) => r.seq));
      }
      if (added > 0) deps.events.emit('messages.changed', { conversationId });
    })().catch((error: unknown) => {
      caughtUp.delete(conversationId);
      log.debug(
        { conversationId, code: error instanceof AppError ? error.code : 'internal' },
        'announcement receipts not read',
      );
    });
  }

  function tallyOf(conversationId: string, seq: number) {
    const { state, message } = announcement(conversationId, seq);
    const k = key(conversationId, seq);
    const cached = tallies.get(k);
    if (cached?.fresh) return { tally: cached.tally, ackRequired: message.payload.ackRequired };
    const tally = new BroadcastTally(
      seq,
      state.members.filter((u) => u !== message.senderUserId),
    );
    for (const r of engine.messages.receiptsFrom(conversationId, seq)) tally.receipt(r.userId, r.kind, seq);
    for (const a of engine.acknowledgements.of(conversationId, [message]).get(seq) ?? [])
      tally.acknowledgement(a.userId);
    tallies.set(k, { tally, fresh: true });
    catchUp(conversationId, seq);
    return { tally, ackRequired: message.payload.ackRequired };
  }

  /** An announcement conversation of this sender with exactly these recipients, if one exists. */
  function existing(members: readonly string[]): string | null {
    for (const c of engine.messages.listConversations()) {
      const state = engine.conversationState(c.conversationId);
      if (
        state.status === 'confirmed' &&
        state.kind === 'announcement' &&
        state.creator === userId &&
        state.admins.includes(userId) &&
        same(new Set(state.members), members)
      )
        return c.conversationId;
    }
    return null;
  }

  return {
    async send({ userIds, roleIds = [], text, urgent, ackRequired, ackDeadlineMinutes }) {
      if (roleIds.length > maxBroadcastRoles)
        throw new AppError(
          'invalid_args',
          `An announcement can name at most ${maxBroadcastRoles} roles; split it.`,
        );
      if (text.trim().length === 0) throw new AppError('invalid_args', 'An announcement needs some text.');
      const deadline = { ackRequired, ...(ackDeadlineMinutes !== undefined ? { ackDeadlineMinutes } : {}) };
      // Refused before the roster is asked or a conversation is made: nothing happens for a bad deadline.
      deps.escalation.checkDeadline(deadline);
      const recipients = await announcementRecipients(userIds, roleIds, deps.resolveRole, userId);
      if (recipients.length === 0)
        throw new AppError(
          'invalid_args',
          'Choose at least one colleague other than yourself to announce to.',
        );
      if (recipients.length > maxBroadcastRecipients)
        throw new AppError(
          'invalid_args',
          `An announcement can go to at most ${maxBroadcastRecipients} colleagues; split the list.`,
        );
      const members = [userId, ...recipients];
      const conversationId =
        existing(members) ?? (await engine.createConversation('announcement', recipients));
      const { envelopeId } = await deps.escalation.send({
        conversationId,
        text,
        urgent,
        patient: null,
        ...deadline,
      });
      return { conversationId, envelopeId };
    },

    async preview({ userIds, roleIds }) {
      const roles = await previewRoles(roleIds, deps.resolveRole);
      return { recipients: recipientsOf(userIds, roles, userId).length, roles };
    },

    status(conversationId, seq) {
      const { tally, ackRequired } = tallyOf(conversationId, seq);
      return { conversationId, seq, ackRequired, ...tally.counts() };
    },

    notYet(conversationId, seq, kind) {
      return tallyOf(conversationId, seq).tally.notYet(kind);
    },

    checkMayPost(conversationId) {
      const state = engine.conversationState(conversationId);
      if (state.kind === 'announcement' && !state.admins.includes(userId))
        throw new AppError(
          'invalid_args',
          'This is an announcement: only its sender can post in it. Reply to the sender directly.',
        );
    },

    stop() {
      unsubscribe();
      tallies.clear();
    },
  };
}
