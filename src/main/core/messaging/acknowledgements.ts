import { timingSafeEqual } from 'node:crypto';
import { asMessage, type AckPayload } from '../envelope';
import { AppError } from '../errors';
import type { HubClient } from '../hub';
import type { LoadedDevice } from '../keys';
import type { Logger } from '../log/logger';
import type { IncomingMessage, MessageStore, StoredMessage } from '../messages';
import type { Receipt } from '../../../shared/hub-protocol';
import { sendEntry, type EntrySender } from './send-entry';

/**
 * Why a verified acknowledgement entry is quarantined: it must name, by seq and envelope hash, a verified
 * message of this conversation that asks for acknowledgement and that someone else sent.
 */
export type AckRejection =
  | 'ack-unknown-message'
  | 'ack-hash-mismatch'
  | 'ack-unverified-message'
  | 'ack-own-message'
  | 'ack-not-required';

/** Why this user cannot acknowledge a message (the `reason` of an `AckRefused`). */
export type AckRefusal = 'unknown-message' | 'not-verified' | 'own-message' | 'not-required';

const refusals: Record<AckRefusal, { code: 'not_found' | 'invalid_args'; message: string }> = {
  'unknown-message': { code: 'not_found', message: 'That message is not on this computer.' },
  'not-verified': {
    code: 'invalid_args',
    message: 'That message could not be verified, so it cannot be acknowledged.',
  },
  'own-message': { code: 'invalid_args', message: 'You cannot acknowledge your own message.' },
  'not-required': { code: 'invalid_args', message: 'That message does not ask for acknowledgement.' },
};

/** A refused acknowledgement: nothing was sealed, sent or stored. */
export class AckRefused extends AppError {
  constructor(readonly reason: AckRefusal) {
    super(refusals[reason].code, refusals[reason].message);
    this.name = 'AckRefused';
  }
}

/** One verified acknowledgement of a message, as the views show it. */
export interface AcknowledgementView {
  userId: string;
  /** Made by this user (on this or another of her devices). */
  own: boolean;
  /** The acknowledger's signed clientTime (the hub cannot move it). */
  at: string;
}

export interface AcknowledgementDeps extends EntrySender {
  hub: Pick<HubClient, 'call' | 'state'>;
  device: LoadedDevice;
  messages: MessageStore;
  log: Logger;
  /** The current members; throws `not_found` for a conversation not on this computer. */
  members: (conversationId: string) => string[];
  /** Whether a conversation is on this computer (a receipt about another one is ignored). */
  known: (conversationId: string) => boolean;
  /** Reads the conversations (members, user keys) from the hub again, after `stale_recipients`. */
  refreshConversations: () => Promise<void>;
  /** Resolves once this device's keys are ready for sending (the engine's latest key preparation). */
  ready: () => Promise<void>;
  /** Tells the window that these conversations changed. */
  changed: (conversationIds: string[]) => void;
}

export interface Acknowledgements {
  /**
   * The acknowledgement entries of a verified batch, checked against the stored messages and the batch itself
   * (in the engine's ingest, between opening and storing). A bad one comes back quarantined with its reason
   * (stored and shown like any quarantined envelope, changing nothing else); one naming a message this device
   * cannot open yet comes back `awaiting-key`, to be checked again when it is opened.
   */
  verify(batch: IncomingMessage[]): IncomingMessage[];
  /**
   * Seals a signed acknowledgement of the message at `seq` into the conversation (format 2), sends it to the hub
   * (online only) and stores it once the hub has it. Idempotent: a message this user already acknowledged, from
   * any of her devices, is left as it is. Throws `AckRefused` for a message that cannot be acknowledged.
   */
  acknowledge(conversationId: string, seq: number): Promise<void>;
  /**
   * The hub says someone acknowledged a message (a `Receipt` of kind `acknowledged`). It is never shown; true
   * when it needs checking (`checkClaims`, run on the engine's queue) for a signed entry behind it.
   */
  claimed(receipt: Receipt): boolean;
  /**
   * Syncs (the signed entry may come just after the hub's claim), then raises an `unsigned-ack` alert for each
   * claim no verified acknowledgement of that user and message backs. Claims stay pending if the sync fails.
   */
  checkClaims(sync: () => Promise<void>): Promise<void>;
  /** The verified acknowledgements of these messages, by seq (only for messages that ask for one). */
  of(conversationId: string, page: readonly StoredMessage[]): Map<number, AcknowledgementView[]>;
}

/** Unchecked hub claims kept at most (a hub flooding claims cannot grow memory without bound). */
const maxPendingClaims = 1_000;

const claimKey = (r: Receipt): string => `${r.conversationId}\u0000${r.seq}\u0000${r.userId}`;

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/** What an acknowledgement is checked against: the message it names, as this device holds it. */
type Target =
  | { state: 'valid'; senderUserId: string; hash: string; ackRequired: boolean }
  | { state: 'awaiting-key' }
  | { state: 'quarantined' }
  | null;

function incomingTarget(m: IncomingMessage): Target {
  if (!m.verdict.ok) return { state: m.verdict.reason === 'awaiting-key' ? 'awaiting-key' : 'quarantined' };
  const message = asMessage(m.verdict.payload);
  if (!message) return null; // a state entry, not a message
  return { state: 'valid', senderUserId: m.senderUserId, hash: m.hash, ackRequired: message.ackRequired };
}

function storedTarget(m: StoredMessage | null): Target {
  if (!m) return null;
  if (m.verdict === 'quarantined')
    return { state: m.reason === 'awaiting-key' ? 'awaiting-key' : 'quarantined' };
  return { state: 'valid', senderUserId: m.senderUserId, hash: m.hash, ackRequired: m.payload.ackRequired };
}

/**
 * Signed acknowledgements (docs/envelope-format.md, acknowledgements): an acknowledgement is an envelope of the
 * conversation that every member verifies, never the hub's word. The hub's `acknowledged` receipts are only
 * checked against the signed entries; one with nothing behind it is an integrity alert.
 */
export function createAcknowledgements(deps: AcknowledgementDeps): Acknowledgements {
  const { hub, device, messages, log } = deps;
  const inFlight = new Map<string, Promise<void>>();
  const claims = new Map<string, Receipt>();

  /** The verified acknowledgement entries naming (seq, hash) in a conversation, by user. */
  const acksOf = (conversationId: string, seq: number, hash: string) =>
    messages
      .ackEntriesFor(conversationId, seq, seq)
      .filter((e) => e.payload.seq === seq && sameHex(e.payload.envelopeHash, hash));

  function check(m: IncomingMessage, ack: AckPayload, batch: readonly IncomingMessage[]): string | null {
    // An acknowledgement can only name a message before it.
    if (ack.seq >= m.seq) return 'ack-unknown-message';
    const inBatch = batch.find(
      (b) => b.conversationId === m.conversationId && b.seq === ack.seq && b.seq < m.seq,
    );
    const target = inBatch
      ? incomingTarget(inBatch)
      : storedTarget(messages.bySeq(m.conversationId, ack.seq));
    if (target === null) return 'ack-unknown-message';
    if (target.state === 'awaiting-key') return 'awaiting-key';
    if (target.state === 'quarantined') return 'ack-unverified-message';
    if (!sameHex(target.hash, ack.envelopeHash)) return 'ack-hash-mismatch';
    if (target.senderUserId === m.senderUserId) return 'ack-own-message';
    if (!target.ackRequired) return 'ack-not-required';
    return null;
  }

  /** How this envelope is already stored, if it is: as a state entry (true), a quarantined row (its reason). */
  function storedAs(m: IncomingMessage): true | string | null {
    const row = messages.bySeq(m.conversationId, m.seq);
    if (row && row.envelopeId === m.envelopeId) {
      if (row.verdict === 'quarantined' && row.reason !== 'awaiting-key') return row.reason;
      return null; // waited for a key: checked afresh now it opened
    }
    const hash = messages.hashAtSeq(m.conversationId, m.seq);
    return hash !== null && !row && sameHex(hash, m.hash) ? true : null;
  }

  async function send(conversationId: string, target: StoredMessage & { seq: number }): Promise<void> {
    await deps.ready();
    if (hub.state() !== 'connected') {
      throw new AppError('hub_unreachable', 'Acknowledging needs the server; try again once connected.');
    }
    const payload: AckPayload = { v: 1, kind: 'ack', envelopeHash: target.hash, seq: target.seq };
    // On stale recipients, the members (or their user keys) changed: read them again and seal for them.
    const { entry, bytes, result } = await sendEntry(
      deps,
      conversationId,
      payload,
      () => deps.members(conversationId),
      deps.refreshConversations,
    );
    // The hub's answer is checked like anything else it says; a wrong one is not stored (the entry comes
    // back, verified, with the next sync).
    if (
      result.conversationId !== conversationId ||
      result.envelopeId !== entry.envelopeId ||
      result.seq <= target.seq
    ) {
      log.warn({ conversationId, seq: result.seq }, 'acknowledgement: the hub answered for another envelope');
      return;
    }
    messages.addSentEntry(entry, bytes);
  }

  return {
    verify(batch) {
      return batch.map((m) => {
        if (!m.verdict.ok || m.verdict.payload.kind !== 'ack') return m;
        const stored = storedAs(m);
        if (stored === true) return m; // already verified and stored: a replay, the store counts it
        const reason = stored ?? check(m, m.verdict.payload, batch);
        if (reason === null) return m;
        if (reason !== 'awaiting-key') {
          log.warn({ conversationId: m.conversationId, seq: m.seq, reason }, 'acknowledgement quarantined');
        }
        return { ...m, verdict: { ok: false, reason } };
      });
    },

    async acknowledge(conversationId, seq) {
      deps.members(conversationId);
      const target = messages.bySeq(conversationId, seq);
      if (!target || target.seq === null) throw new AckRefused('unknown-message');
      if (target.verdict !== 'valid') throw new AckRefused('not-verified');
      if (target.senderUserId === device.userId) throw new AckRefused('own-message');
      if (!target.payload.ackRequired) throw new AckRefused('not-required');
      if (acksOf(conversationId, seq, target.hash).some((e) => e.senderUserId === device.userId)) return;
      const key = `${conversationId}\u0000${seq}`;
      let running = inFlight.get(key);
      if (!running) {
        running = send(conversationId, { ...target, seq }).finally(() => inFlight.delete(key));
        inFlight.set(key, running);
      }
      await running;
    },

    claimed(receipt) {
      if (receipt.kind !== 'acknowledged' || !deps.known(receipt.conversationId)) return false;
      if (!Number.isSafeInteger(receipt.seq) || receipt.seq < 1) return false;
      const key = claimKey(receipt);
      if (claims.size >= maxPendingClaims && !claims.has(key)) {
        log.warn(
          { conversationId: receipt.conversationId },
          'acknowledgement claims dropped: too many pending',
        );
        return false;
      }
      const first = claims.size === 0;
      claims.set(key, receipt);
      return first; // one check drains every claim pending when it runs
    },

    async checkClaims(sync) {
      if (claims.size === 0) return;
      // The claims made so far: their entries, if signed, are on the hub before the sync starts. A claim made
      // during the sync schedules a check of its own.
      const pending = [...claims.values()];
      claims.clear();
      try {
        await sync();
      } catch (error) {
        for (const r of pending) claims.set(claimKey(r), r); // checked again on the next connect
        throw error;
      }
      const alerted = new Set<string>();
      for (const r of pending) {
        const message = messages.bySeq(r.conversationId, r.seq);
        const signed =
          message !== null &&
          message.verdict === 'valid' &&
          acksOf(r.conversationId, r.seq, message.hash).some((e) => e.senderUserId === r.userId);
        if (signed) continue;
        messages.addAlert({
          conversationId: r.conversationId,
          kind: 'unsigned-ack',
          fromSeq: r.seq,
          toSeq: r.seq,
          details: { userId: r.userId, seq: r.seq },
        });
        log.warn(
          { conversationId: r.conversationId, seq: r.seq },
          'integrity alert: unsigned acknowledgement',
        );
        alerted.add(r.conversationId);
      }
      if (alerted.size > 0) deps.changed([...alerted]);
    },

    of(conversationId, page) {
      const out = new Map<number, AcknowledgementView[]>();
      const asking = page.filter(
        (m): m is StoredMessage & { seq: number; verdict: 'valid' } =>
          m.seq !== null && m.verdict === 'valid' && m.payload.ackRequired,
      );
      if (asking.length === 0) return out;
      const seqs = asking.map((m) => m.seq);
      const entries = messages.ackEntriesFor(conversationId, Math.min(...seqs), Math.max(...seqs));
      for (const m of asking) {
        const views: AcknowledgementView[] = [];
        for (const e of entries) {
          // Checked at ingest; checked again here so that only an entry naming exactly this message counts.
          if (e.payload.seq !== m.seq || e.senderUserId === m.senderUserId) continue;
          if (!sameHex(e.payload.envelopeHash, m.hash)) continue;
          if (views.some((v) => v.userId === e.senderUserId)) continue; // the first one of each user
          views.push({ userId: e.senderUserId, own: e.senderUserId === device.userId, at: e.clientTime });
        }
        if (views.length > 0) out.set(m.seq, views);
      }
      return out;
    },
  };
}
