import { createHash, randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit';
import type { ConnectionStateStore } from '../connection/connection-state';
import { fromBase64, toBase64 } from '../crypto';
import {
  asMessage,
  envelopeHash,
  openEnvelope,
  sealEnvelopeV2,
  EnvelopeRejected,
  type MessagePayload,
  type OpenedEnvelope,
  type OpenResult,
} from '../envelope';
import { AppError } from '../errors';
import type { EventBus } from '../events/event-bus';
import { backoffDelay, defaultBackoff, HubCallError, hubProtocolError, type HubClient } from '../hub';
import { safetyNumber, type LoadedDevice } from '../keys';
import type { DeviceNotice, TrustService } from '../trust';
import type { Logger } from '../log/logger';
import { createStaffDirectory } from '../directory/staff-directory';
import {
  checkHashLinks,
  createMessageStore,
  type AwaitingEnvelope,
  type IncomingMessage,
  type MessageStore,
} from '../messages';
import type { EffectivePolicy } from '../policy';
import type { ProfileStore } from '../store';
import {
  checkEnvelopeItem,
  type Conversation,
  type Envelope,
  type HubEventPayload,
  type Presence,
  type RefusedEnvelope,
  type SyncResult,
  type User,
} from '../../../shared/hub-protocol';
import { createDeviceKeys } from './device-keys';
import type { ReceivedMessage } from '../notifications';
import { createUserKeys, type ReleaseNotice, type UserKeyring, type UserKeyStatus } from '../user-keys';
import { createConversationKeys, keyIdOfEnvelope } from './conversation-keys-service';
import { createConversationStates, type ChainState } from './conversation-state';
import { createConversationControl, type MemberRequest } from './conversation-control';
import { createAcknowledgements, type Acknowledgements } from './acknowledgements';
import { maxStaleRetries } from './send-entry';
import { buildVerificationReport, type VerificationReport } from './report';
import { createParallelOpener, type ParallelOpenOptions } from './parallel-open';
import { cursorKey, cursorsAfter, type Cursor } from './sync-cursors';

export interface MessagingDeps {
  store: ProfileStore;
  audit: AuditLog;
  device: LoadedDevice;
  /** This user's key epochs on this workstation (docs/key-design.md). */
  keyring: UserKeyring;
  /** A fresh IdP access token (for the key-release service). */
  accessToken: () => Promise<string>;
  /** This workstation's name in key releases; the host name by default. */
  deviceName?: string;
  hub: HubClient;
  /** The profile's one trust service (pins, new devices and their notices), from its hub link. */
  trust: TrustService;
  policy: EffectivePolicy;
  connection: ConnectionStateStore;
  events: EventBus;
  log: Logger;
  /**
   * Opens large catch-up pages on worker threads; without it every envelope opens on the main thread.
   * `afterEnvelopes`: only once a sync has brought that many (default 0: every batch of `minBatch` or more).
   */
  parallelOpen?: Omit<ParallelOpenOptions, 'log'> & { afterEnvelopes?: number };
}

export interface SendInput {
  conversationId: string;
  payload: MessagePayload;
  /** Chosen ahead and persisted by the caller (escalation), so a send retried after a crash is recognised. */
  envelopeId?: string;
}

export interface MessagingEngine {
  readonly messages: MessageStore;
  /** Signed acknowledgements: the verified ones of a page of messages (`of`). */
  readonly acknowledgements: Pick<Acknowledgements, 'of'>;
  /** This workstation's device. */
  readonly deviceId: string;
  start(): void;
  stop(): void;
  /** Seals, stores in the outbox and sends; resolves once stored locally (delivery continues in the background). */
  send(input: SendInput): Promise<{ envelopeId: string }>;
  /** Creates the conversation at the hub and writes its signed create entry (online only). */
  createConversation(kind: 'direct' | 'group' | 'announcement', memberIds: string[]): Promise<string>;
  /** Adds, removes, leaves, renames or sets retention: the hub's routing change and the signed control entry. */
  changeConversation(conversationId: string, request: MemberRequest): Promise<void>;
  /** The conversation's state from its verified chain (members, admins, 'confirmed' or not). */
  conversationState(conversationId: string): ChainState;
  /** Everything the hub has after our cursors, verified and stored. */
  syncNow(): Promise<void>;
  /** Sends whatever is waiting in the outbox. */
  flushOutbox(): Promise<void>;
  markRead(conversationId: string, uptoSeq: number): Promise<void>;
  acknowledge(conversationId: string, seq: number): Promise<void>;
  /** Tells the other members this user is (or stopped) typing; nothing is sent or kept while offline. */
  typing(conversationId: string, typing: boolean): Promise<void>;
  /** Resolves when every queued piece of work (ingest, outbox) has finished. */
  idle(): Promise<void>;
  exportReport(conversationId: string): Promise<VerificationReport>;
  /** Told about every batch of newly arrived, verified messages from others (for OS notifications). */
  onReceived(handler: (messages: ReceivedMessage[]) => void): void;
  /** Told about every batch verified and stored from the hub, own and state entries included (escalation). */
  onIngested(handler: (batch: readonly IncomingMessage[]) => void): void;
  /** A colleague's display name from the directory, once known. */
  nameOf(userId: string): string | null;
  searchDirectory(query: string): Promise<User[]>;
  /** Reads these users' devices from the directory again (after the user accepted a changed key). */
  refreshContacts(userIds: string[]): Promise<void>;
  /** Who of these colleagues is online now. */
  presence(userIds: string[]): Promise<Presence[]>;
  /** Deletes local messages older than the policy's retention. */
  purgeExpired(now?: Date): number;
  /** Where this device stands with its user's key, and every release of it ("opened on WARD3B-PC02"). */
  userKeyStatus(): { status: UserKeyStatus; notices: ReleaseNotice[] };
  /** This user's workstations enrolled after this one knew her account ("You signed in on WARD3B-PC02"). */
  ownDeviceNotices(): (DeviceNotice & { safetyNumber: string | null })[];
  /** The new devices of a conversation's other members ("Dr Okafor signed in on a new workstation"). */
  deviceNotices(conversationId: string): DeviceNotice[];
  /**
   * A new device was accepted (newDeviceTrust "verify"): its keys are read again, an own device gets this
   * user's key, and what it sent that was held back is opened.
   */
  deviceAccepted(userId: string, deviceId: string): Promise<void>;
  /** Makes a new user-key epoch now (also done on schedule and when one of the user's devices is revoked). */
  rotateUserKey(): Promise<void>;
  /** Deletes user-key epochs (and their conversation keys) that retention no longer needs. */
  forgetExpiredKeys(): Promise<number[]>;
  /** Envelopes opened on worker threads since this engine started (the rest opened on the main thread). */
  readonly pooledOpens: number;
  /** Sync pages whose opening started on the pool while the page before them was still being stored. */
  readonly pagesOpenedAhead: number;
}

const syncPageSize = 500;

const inSeqOrder = (
  a: { conversationId: string; seq: number },
  b: { conversationId: string; seq: number },
) => (a.conversationId === b.conversationId ? a.seq - b.seq : a.conversationId < b.conversationId ? -1 : 1);
/** The longest the main thread opens envelopes before it yields to the event loop. */
const openSliceMs = 20;
/** Envelopes per store transaction while ingesting. */
const storeChunk = 50;
// A page is opened and stored this many items at a time: on the worker pool, the next ones open while one is stored.
const openChunk = 125;

/** A batch in seq order, in parts, with each part's crypto under way on the pool (null: opened on this thread). */
interface OpeningBatch {
  parts: { envelopes: AwaitingEnvelope[]; refused: IncomingMessage[] }[];
  openings: Promise<OpenResult[] | null>[];
}

/**
 * The messaging engine of one signed-in profile: keeps the local store in step with the hub (sync after the
 * cursors on every connect, live envelopes as they come), verifies every envelope before it counts, checks the
 * hash links of each conversation, and delivers the outbox with the same envelope id until the hub has it.
 */
export function createMessagingEngine(deps: MessagingDeps): MessagingEngine {
  const { hub, device, log, events } = deps;
  const messages = createMessageStore(deps.store, {
    selfUserId: device.userId,
    selfDeviceId: device.deviceId,
  });
  // The profile's one trust service (created by its hub link): the same pins and decisions as contact details.
  const keys = createDeviceKeys(hub, deps.trust, device);
  // Membership from the conversation's signed chain; the hub's lists and history are routing hints.
  const chain = createConversationStates({ hub, messages, selfUserId: device.userId });
  const userKeys = createUserKeys({
    hub,
    device,
    keyring: deps.keyring,
    keys,
    policy: deps.policy,
    audit: deps.audit,
    log,
    accessToken: deps.accessToken,
    ...(deps.deviceName ? { deviceName: deps.deviceName } : {}),
    onChange: () => events.emit('keys.changed', {}),
  });
  const conversationKeys = createConversationKeys({
    store: deps.store,
    hub,
    device,
    keys,
    userKeys,
    policy: deps.policy,
    log,
  });
  const parallel = deps.parallelOpen ? createParallelOpener({ ...deps.parallelOpen, log }) : null;
  const poolAfter = deps.parallelOpen?.afterEnvelopes ?? 0;
  const staleRetries = new Map<string, number>();
  // The key work of the latest connect: a send waits for it, so a first message never races the first key.
  let preparing: Promise<void> = Promise.resolve();
  const unsubscribe: Array<() => void> = [];
  const receivedHandlers: Array<(messages: ReceivedMessage[]) => void> = [];
  const ingestedHandlers: Array<(batch: readonly IncomingMessage[]) => void> = [];
  const staff = createStaffDirectory(deps.store);
  // One queue for everything that touches the store's cursors: sync pages and live envelopes never interleave.
  let queue: Promise<void> = Promise.resolve();
  // Once stopped (the profile is closing), queued work is dropped: the store it would touch is being closed.
  let stopped = false;
  const enqueue = (work: () => Promise<void>): Promise<void> => {
    const run = () => (stopped ? Promise.resolve() : work());
    const next = queue.then(run, run);
    queue = next.catch((error: unknown) => {
      // Work cut short by the profile closing is not a failure: its store and its connection are going.
      if (!stopped)
        log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'messaging work failed');
    });
    return next;
  };
  let outboxRunning: Promise<void> | null = null;
  // Read marks made while offline: their receipts go out on the next connect.
  const unsentReads = new Map<string, number>();
  const sendRead = async (conversationId: string, seq: number): Promise<void> => {
    if (hub.state() !== 'connected') {
      unsentReads.set(conversationId, seq);
      return;
    }
    unsentReads.delete(conversationId);
    try {
      await hub.call('SendReceipt', { conversationId, seq, kind: 'read' });
    } catch (error) {
      // The link dropped before the client noticed: the receipt waits for the next connect like any other.
      if (!(error instanceof AppError && error.code === 'hub_unreachable')) throw error;
      unsentReads.set(conversationId, seq);
    }
  };

  const changed = (conversationIds: Iterable<string>) => {
    for (const conversationId of new Set(conversationIds))
      events.emit('messages.changed', { conversationId });
  };

  // Members per conversation, kept beside the store so sending does not recount the conversation list.
  const membersOf = new Map(messages.listConversations().map((c) => [c.conversationId, c.members]));
  const remember = (c: Conversation): void => {
    messages.upsertConversation({
      conversationId: c.conversationId,
      kind: c.kind,
      members: c.members,
      createdAt: c.createdAt,
    });
    membersOf.set(c.conversationId, c.members);
    chain.noteHub(c);
  };
  /** Whom to seal to: the chain's members (the hub's list only until the chain is confirmed). */
  const membersOrRefuse = (conversationId: string): string[] => {
    const members = chain.members(conversationId);
    if (!members) throw new AppError('not_found', 'That conversation is not on this computer.');
    return members;
  };

  const acks = createAcknowledgements({
    hub,
    device,
    messages,
    log,
    keyForSending: (conversationId, members, force) =>
      conversationKeys.forSending(conversationId, members, force),
    members: membersOrRefuse,
    known: (conversationId) => membersOf.has(conversationId),
    refreshConversations,
    ready: () => preparing,
    changed,
  });

  // Control entries: written in the chain, folded in seq order, the hub's member lists checked against them.
  const control = createConversationControl({
    hub,
    device,
    messages,
    chain,
    audit: deps.audit,
    log,
    keyForSending: (conversationId, members, force) =>
      conversationKeys.forSending(conversationId, members, force),
    enqueue,
    ready: () => preparing,
    refreshConversations,
    syncFromCursors,
    remember,
    knowMembers: async (userIds) => {
      await keys.refresh(userIds);
      await userKeys.currentKeys(userIds).catch(() => undefined);
    },
    changed,
  });

  /**
   * Directory entries of these colleagues, kept in the profile (the list's, notifications' and role holders'
   * names, also after a restart and offline): all of them (at each connect, so a changed name is seen), or
   * only those not kept yet. Best effort.
   */
  async function learnNames(userIds: string[], which: 'all' | 'unknown'): Promise<void> {
    const wanted = [...new Set(userIds)].filter((id) => which === 'all' || staff.get(id) === null);
    try {
      for (let at = 0; at < wanted.length; at += 500) {
        const { users } = await hub.call('GetUsers', { userIds: wanted.slice(at, at + 500) });
        const refused = staff.remember(users);
        if (refused > 0) log.warn({ refused }, 'directory entries refused (not plausible)');
      }
    } catch (error) {
      log.debug({ code: error instanceof AppError ? error.code : 'internal' }, 'directory names not fetched');
    }
  }

  async function refreshConversations(): Promise<void> {
    const { conversations } = await hub.call('ListConversations', {});
    for (const c of conversations) {
      remember(c);
      await chain.loadHistory(c.conversationId);
    }
    // This user's own devices too: knowing them now is what makes a workstation enrolled later a new one.
    const members = [...new Set([device.userId, ...conversations.flatMap((c) => c.members)])];
    await keys.refresh(members);
    await learnNames(members, 'all');
    // Verified user keys of every member, so a first message written during an outage can still be sealed.
    await userKeys.currentKeys(members).catch(() => undefined);
  }

  /**
   * Verifies and opens envelopes; a rejected one is kept with its reason, never with its claims. `opening` is
   * their crypto already under way on the worker pool (openInPool), if it was started ahead.
   */
  async function openAll(
    envelopes: readonly AwaitingEnvelope[],
    opening: Promise<OpenResult[] | null> = openInPool(envelopes),
  ): Promise<IncomingMessage[]> {
    const pooled = await opening;
    const batch: IncomingMessage[] = [];
    let since = performance.now();
    for (const [i, base] of envelopes.entries()) {
      // Opening runs on this thread: let the event loop breathe between slices of a large batch.
      if (performance.now() - since > openSliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
      const bytes = base.envelope;
      try {
        const opened = pooled
          ? memberAfterPool(base, pooled[i]!)
          : await openEnvelope({
              bytes,
              hub: base,
              me: device,
              senderKey: (userId, deviceId) => {
                const sender = keys.sender(userId, deviceId);
                if (!sender) return null;
                return {
                  ...sender,
                  currentMember: chain.memberAt(base.conversationId, userId, base.seq),
                };
              },
              conversationKey: conversationKeys.get,
            });
        // A control entry must follow from the chain so far (folded in now, for the envelopes after it).
        control.admit(base, opened.header.senderUserId, opened.payload);
        // In an announcement only its admins post messages (acknowledgements and a leave are not messages).
        if (
          asMessage(opened.payload) &&
          !chain.mayPost(base.conversationId, opened.header.senderUserId, base.seq)
        )
          throw new EnvelopeRejected('announcement-not-admin');
        batch.push({
          ...base,
          clientTime: opened.header.clientTime,
          hash: opened.hash,
          prev: opened.header.prev,
          verdict: { ok: true, payload: opened.payload },
        });
      } catch (error) {
        if (!(error instanceof EnvelopeRejected)) throw error;
        // An unverified envelope's own claims (its links, its time) are not trusted: only its bytes' hash is kept.
        batch.push({
          ...base,
          clientTime: base.serverTime,
          hash: envelopeHash(bytes),
          prev: [],
          verdict: { ok: false, reason: error.reason },
        });
      }
    }
    logQuarantined(batch);
    return batch;
  }

  /**
   * The crypto of a large batch on the worker threads (null: open it here), once the sync it belongs to has
   * brought `poolAfter` envelopes. Membership depends on the control entries before each envelope in this very
   * batch, so the workers treat every directory device as a member and memberAfterPool asks the chain
   * afterwards, in batch order.
   */
  async function openInPool(
    envelopes: readonly AwaitingEnvelope[],
    brought = 0,
  ): Promise<OpenResult[] | null> {
    if (!parallel || brought < poolAfter) return null;
    const items = envelopes.map((e) => ({
      bytes: e.envelope,
      hub: {
        conversationId: e.conversationId,
        envelopeId: e.envelopeId,
        senderUserId: e.senderUserId,
        senderDeviceId: e.senderDeviceId,
        seq: e.seq,
        serverTime: e.serverTime,
      },
    }));
    return parallel.open(
      items,
      (userId, deviceId) => {
        const sender = keys.sender(userId, deviceId);
        return sender ? { ...sender, currentMember: true } : null;
      },
      conversationKeys.get,
    );
  }

  /**
   * openEnvelope's step 4 for a pooled result: the same reason the main thread would give. A rejection before
   * membership (malformed … device-not-accepted) stands as it is; a non-member whose envelope also fails a later
   * step (header-mismatch … payload-invalid) or passes is 'not-member', as openEnvelope stops there first.
   */
  function memberAfterPool(base: AwaitingEnvelope, result: OpenResult): OpenedEnvelope {
    const sender = result.ok ? result.value.header.senderUserId : result.senderUserId;
    if (sender !== undefined && !chain.memberAt(base.conversationId, sender, base.seq))
      throw new EnvelopeRejected('not-member');
    if (!result.ok) throw result.error;
    return result.value;
  }

  /**
   * One log line per conversation and batch for what was not verified (a flood of junk writes a line per page,
   * not one per item), with the seq range and the count per reason.
   */
  function logQuarantined(batch: readonly IncomingMessage[]): void {
    const byConversation = new Map<
      string,
      { fromSeq: number; toSeq: number; reasons: Record<string, number> }
    >();
    for (const m of batch) {
      if (m.verdict.ok) continue;
      const seen = byConversation.get(m.conversationId);
      if (!seen) {
        byConversation.set(m.conversationId, {
          fromSeq: m.seq,
          toSeq: m.seq,
          reasons: { [m.verdict.reason]: 1 },
        });
        continue;
      }
      seen.fromSeq = Math.min(seen.fromSeq, m.seq);
      seen.toSeq = Math.max(seen.toSeq, m.seq);
      seen.reasons[m.verdict.reason] = (seen.reasons[m.verdict.reason] ?? 0) + 1;
    }
    for (const [conversationId, summary] of byConversation)
      log.warn({ conversationId, ...summary }, 'envelopes quarantined');
  }

  /** Opens again what waited for a key (a user-key epoch or a grant arrived); in pages, oldest first. */
  async function reopenAwaiting(
    reason: 'awaiting-key' | 'device-not-accepted' = 'awaiting-key',
  ): Promise<void> {
    if (reason === 'awaiting-key') await conversationKeys.retryWaiting();
    for (;;) {
      const waiting = messages.awaitingKey(syncPageSize, reason);
      if (waiting.length === 0) return;
      await conversationKeys.fetchMissing(
        waiting,
        waiting.map((w) => w.envelope),
      );
      const batch = acks.verify(await openAll(waiting));
      const reopened = messages.reopen(batch, reason);
      control.settle(batch);
      if (reopened === 0) return; // none opened: wait for the next arrival
      changed(batch.map((m) => m.conversationId));
    }
  }

  /**
   * An item of a Sync page that is no envelope (bad base64 or field, or larger than any envelope), recorded
   * at its seq as a quarantined 'malformed' row with no bytes: the cursor moves past it and nothing after it
   * waits. Its id is the hub's when well formed, else one derived from its place (a redelivery is a duplicate).
   */
  function refusedMessage(r: RefusedEnvelope): IncomingMessage {
    const hash = createHash('sha256')
      .update(`refused\n${r.reason}\n`)
      .update(r.payload ?? '')
      .digest('hex');
    const place = createHash('sha256').update(r.conversationId).digest('hex').slice(0, 32);
    const serverTime = r.serverTime ?? new Date().toISOString();
    return {
      conversationId: r.conversationId,
      seq: r.seq,
      envelopeId: r.envelopeId ?? `refused:${place}:${r.seq}`,
      senderUserId: r.senderUserId ?? 'unknown',
      senderDeviceId: r.senderDeviceId ?? 'unknown',
      serverTime,
      clientTime: serverTime,
      envelope: new Uint8Array(0),
      hash,
      prev: [],
      verdict: { ok: false, reason: 'malformed' },
    };
  }

  /**
   * Verifies and stores a batch of envelopes from the hub, in (conversation, seq) order. `brought`: how many
   * envelopes the sync this batch belongs to has brought before it.
   */
  async function ingest(
    offered: Envelope[],
    refusedItems: readonly RefusedEnvelope[] = [],
    brought = 0,
  ): Promise<void> {
    if (offered.length === 0 && refusedItems.length === 0) return;
    const needs = needsFromHub(offered, refusedItems);
    if (needs === 'conversations') await refreshConversations();
    else if (needs === 'senders') await keys.refresh([...new Set(offered.map((e) => e.senderUserId))]);
    const { received, refused } = accepted(offered, refusedItems);
    await conversationKeys.fetchMissing(
      received,
      received.map((r) => r.envelope),
    );
    await store(startOpening(received, refused, brought));
  }

  /**
   * A Sync page's crypto started on the pool ahead, while the page before it is still stored: only when the
   * page needs nothing from the hub first (its conversations, senders and keys all known here), as ingest
   * would then ask for nothing either. Null: the page goes through ingest.
   */
  function openAhead(page: SyncResult, brought: number): OpeningBatch | null {
    if (!parallel || brought < poolAfter) return null;
    if (page.envelopes.length + page.refused.length === 0) return null;
    if (needsFromHub(page.envelopes, page.refused)) return null;
    const { received, refused } = accepted(page.envelopes, page.refused);
    const lacking = conversationKeys.lacksAny(
      received,
      received.map((r) => r.envelope),
    );
    return lacking ? null : startOpening(received, refused, brought);
  }

  /** What a batch needs from the hub before it is opened: the conversation list, its senders' keys, or nothing. */
  function needsFromHub(
    offered: readonly Envelope[],
    refusedItems: readonly RefusedEnvelope[],
  ): 'conversations' | 'senders' | null {
    if ([...offered, ...refusedItems].some((e) => !chain.known(e.conversationId))) return 'conversations';
    if (offered.some((e) => !keys.has(e.senderUserId, e.senderDeviceId))) return 'senders';
    return null;
  }

  /** A batch's envelopes (decoded) and refused items in the conversations this profile has; the rest dropped. */
  function accepted(
    offered: readonly Envelope[],
    refusedItems: readonly RefusedEnvelope[],
  ): { received: AwaitingEnvelope[]; refused: IncomingMessage[] } {
    // Only conversations this profile has (after asking the hub's list): an envelope in any other would make a
    // cursor the hub refuses, and the sync would stall on it.
    const envelopes = offered.filter((e) => membersOf.has(e.conversationId));
    if (envelopes.length < offered.length)
      log.warn(
        { count: offered.length - envelopes.length },
        'envelopes for conversations not on this profile dropped',
      );
    // A refused item is recorded only in a conversation this profile has (no cursor the hub would refuse).
    const refused = refusedItems.filter((r) => membersOf.has(r.conversationId)).map(refusedMessage);
    logQuarantined(refused);
    const received = envelopes.map((e) => ({
      conversationId: e.conversationId,
      seq: e.seq,
      envelopeId: e.envelopeId,
      senderUserId: e.senderUserId,
      senderDeviceId: e.senderDeviceId,
      serverTime: e.serverTime,
      envelope: fromBase64(e.payload) ?? new Uint8Array(),
    }));
    return { received, refused };
  }

  /**
   * In seq order, a part at a time: every part's crypto is started on the pool now, so while one part is
   * checked against the chain and stored, the workers open the next.
   */
  function startOpening(
    received: AwaitingEnvelope[],
    refused: IncomingMessage[],
    brought: number,
  ): OpeningBatch {
    const parts: OpeningBatch['parts'] = [];
    const ordered = [...received, ...refused].sort(inSeqOrder);
    const isRefused = new Set<object>(refused);
    for (let start = 0; start < ordered.length; start += openChunk) {
      const slice = ordered.slice(start, start + openChunk);
      parts.push({
        envelopes: slice.filter((e): e is AwaitingEnvelope => !isRefused.has(e)),
        refused: slice.filter((e): e is IncomingMessage => isRefused.has(e)),
      });
    }
    const openings = parts.map((part) => openInPool(part.envelopes, brought));
    openings.forEach((opening) => opening.catch(() => undefined)); // awaited in turn, or dropped after a failure
    return { parts, openings };
  }

  /** Checks an opened batch against the chain, stores it, tells the renderer and the notifier, and receipts it. */
  async function store({ parts, openings }: OpeningBatch): Promise<void> {
    const batch: IncomingMessage[] = [];
    let inserted = 0;
    for (const [i, part] of parts.entries()) {
      // Acknowledgements must name a verified message that asks for one; a bad one is quarantined.
      const opened = [...acks.verify(await openAll(part.envelopes, openings[i])), ...part.refused].sort(
        inSeqOrder,
      );
      // Stored in chunks (each one transaction, in seq order, so the cursor only moves forward), with the event
      // loop let in between: a page of 500 is never one long block. Delivery is acknowledged after all of them.
      for (let start = 0; start < opened.length; start += storeChunk) {
        await new Promise((resolve) => setImmediate(resolve));
        const chunk = opened.slice(start, start + storeChunk);
        recordIntegrity(chunk);
        inserted += messages.ingest(chunk).inserted;
        control.settle(chunk);
      }
      batch.push(...opened);
    }
    if (inserted > 0) {
      const fresh = batch.flatMap((m) => {
        const message = m.verdict.ok ? asMessage(m.verdict.payload) : null;
        // A resolution only closes an item (a step row, not news); a reminder is meant to notify again.
        return message && m.senderUserId !== device.userId && message.escalation?.step !== 'resolved'
          ? [
              {
                conversationId: m.conversationId,
                seq: m.seq,
                senderUserId: m.senderUserId,
                urgent: message.urgent,
                text: message.text,
              },
            ]
          : [];
      });
      if (fresh.length > 0) {
        await learnNames(
          fresh.map((m) => m.senderUserId),
          'unknown',
        );
        receivedHandlers.forEach((h) => h(fresh));
      }
    }
    changed(batch.map((m) => m.conversationId));
    ingestedHandlers.forEach((h) => h(batch));
    await acknowledgeDelivery(batch);
  }

  function recordIntegrity(batch: IncomingMessage[]): void {
    const byConversation = new Map<string, IncomingMessage[]>();
    for (const m of batch)
      byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
    for (const [conversationId, incoming] of byConversation) {
      const lastSeq = messages.cursors().find((c) => c.conversationId === conversationId)?.afterSeq ?? 0;
      const alerts = checkHashLinks(
        (hash) => messages.byHash(conversationId, hash)?.seq ?? null,
        lastSeq,
        incoming,
        (seq) => messages.hashAtSeq(conversationId, seq),
      );
      for (const alert of alerts) {
        messages.addAlert({ ...alert, conversationId });
        log.warn(
          { conversationId, kind: alert.kind, fromSeq: alert.fromSeq, toSeq: alert.toSeq },
          'integrity alert',
        );
      }
    }
  }

  /** A delivered receipt up to the newest verified message of others, per conversation (receipts are cumulative). */
  async function acknowledgeDelivery(batch: IncomingMessage[]): Promise<void> {
    const newest = new Map<string, number>();
    for (const m of batch) {
      if (m.verdict.ok && asMessage(m.verdict.payload) && m.senderUserId !== device.userId)
        newest.set(m.conversationId, Math.max(newest.get(m.conversationId) ?? 0, m.seq));
    }
    for (const [conversationId, seq] of newest) {
      try {
        await hub.call('SendReceipt', { conversationId, seq, kind: 'delivered' });
      } catch (error) {
        // The messages are stored; a lost delivered-receipt goes again with the next one (they are cumulative).
        log.debug(
          { conversationId, code: error instanceof AppError ? error.code : 'internal' },
          'delivered receipt not sent',
        );
      }
    }
  }

  let openedAhead = 0;
  /**
   * Pages through everything after the cursors; each page is verified and stored in one transaction. The next
   * page is asked for while this one is opened and stored, with the cursors this page will leave; if storing
   * leaves others (items nowhere to record, a conversation left on the way), that answer is dropped and the
   * page asked for again.
   */
  async function syncFromCursors(): Promise<void> {
    const ask = (cursors: Cursor[]) => {
      const answer = hub.call('Sync', { cursors, limit: syncPageSize });
      answer.catch(() => undefined); // awaited below, or dropped when the page before it failed
      return { key: cursorKey(cursors), answer };
    };
    let next = ask(syncCursors());
    let brought = 0;
    // The next page's crypto, started on the pool as soon as it arrives while this page is stored (openAhead).
    let ahead = null as { page: SyncResult; opening: OpeningBatch | null } | null;
    for (;;) {
      const before = cursorKey(messages.cursors());
      const page = await next.answer;
      const opened = ahead?.page === page ? ahead.opening : null;
      ahead = null;
      if (page.more) {
        const asked = (next = ask(cursorsAfter(syncCursors(), [...page.envelopes, ...page.refused])));
        const after = brought + page.envelopes.length;
        void asked.answer.then(
          (upcoming) => {
            if (next !== asked || stopped) return;
            try {
              ahead = { page: upcoming, opening: openAhead(upcoming, after) };
            } catch {
              // Not lost: without a head start the page goes through ingest, which meets the same error and stops.
              ahead = null;
            }
          },
          () => undefined,
        );
      }
      if (opened) {
        openedAhead++;
        await store(opened);
      } else await ingest(page.envelopes, page.refused, brought);
      brought += page.envelopes.length;
      if (!page.more) break;
      // A page that moves no cursor would be asked for again forever (items nowhere to record, or replays).
      if (cursorKey(messages.cursors()) === before)
        throw hubProtocolError('a Sync page that moves no cursor');
      const now = syncCursors();
      if (cursorKey(now) !== next.key) next = ask(now);
    }
  }

  /** Not the conversations this user left or was removed from: the hub refuses a cursor for those. */
  const syncCursors = (): Cursor[] =>
    messages.cursors().filter((c) => chain.hub(c.conversationId)?.members.includes(device.userId) ?? true);

  const cursorOf = (conversationId: string): number =>
    messages.cursors().find((c) => c.conversationId === conversationId)?.afterSeq ?? 0;

  // Pushed envelopes wait here (per conversation, by seq, bounded) for the one queued drain, so a burst of
  // pushes is stored in a few batches, and a gap asks for one sync, never one per push.
  const live = new Map<string, Map<number, Envelope>>();
  let liveCount = 0;
  let liveOverflow = false;
  let drainQueued = false;
  const maxLive = 2 * syncPageSize;
  // Conversations whose pushes named seqs that a sync right after did not bring (a hub pushing what it does not
  // have): their gaps wait for the next sync on connect or retry instead of asking again on every push.
  const doubted = new Map<string, number>();

  function onLiveEnvelope(envelope: Envelope): void {
    if (stopped) return;
    let seqs = live.get(envelope.conversationId);
    if (!seqs?.has(envelope.seq)) {
      // Past the bound it is not kept: a sync fetches it from the hub.
      if (liveCount >= maxLive) liveOverflow = true;
      else {
        if (!seqs) live.set(envelope.conversationId, (seqs = new Map()));
        seqs.set(envelope.seq, envelope);
        liveCount++;
      }
    }
    if (!drainQueued) {
      drainQueued = true;
      void enqueue(drainLive);
    }
  }

  /**
   * A pushed envelope that failed its checks is not used, but it says something may be at that seq: a sync
   * (coalesced like any other) fetches it from the hub's store, where it is recorded as refused if it is bad.
   */
  function onRefusedPush(raw: unknown): void {
    const checked = checkEnvelopeItem(raw);
    if (stopped || checked.ok || !checked.refused || !membersOf.has(checked.refused.conversationId)) return;
    const { conversationId, seq } = checked.refused;
    if (seq <= cursorOf(conversationId) || doubted.get(conversationId) === cursorOf(conversationId)) return;
    pushedClaims.set(conversationId, Math.max(pushedClaims.get(conversationId) ?? 0, seq));
    requestSync();
  }

  /**
   * Takes every waiting push: those that continue a conversation's cursor are stored as one batch; one past a
   * gap (something came before it that this device has not seen, or its own sent messages) asks for a sync.
   */
  async function drainLive(): Promise<void> {
    drainQueued = false;
    const taken = [...live];
    live.clear();
    liveCount = 0;
    let gap = liveOverflow;
    liveOverflow = false;
    const next: Envelope[] = [];
    for (const [conversationId, seqs] of taken) {
      let expected = cursorOf(conversationId) + 1;
      for (const seq of [...seqs.keys()].sort((a, b) => a - b)) {
        if (seq < expected) continue;
        if (seq > expected) {
          const claimed = Math.max(...seqs.keys());
          if ((doubted.get(conversationId) ?? -1) !== expected - 1) gap = true;
          pushedClaims.set(conversationId, Math.max(pushedClaims.get(conversationId) ?? 0, claimed));
          break;
        }
        next.push(seqs.get(seq)!);
        expected++;
      }
    }
    await ingest(next);
    if (gap) requestSync();
  }

  /** The highest seq pushes named per conversation since the last push-asked sync started. */
  const pushedClaims = new Map<string, number>();
  let liveSync: 'idle' | 'queued' | 'running' = 'idle';
  let liveSyncAgain = false;

  /** At most one push-asked sync queued or running, and at most one more after it. */
  function requestSync(): void {
    if (liveSync === 'queued') return; // the queued one will see everything pushed so far
    if (liveSync === 'running') {
      liveSyncAgain = true;
      return;
    }
    liveSync = 'queued';
    void enqueue(async () => {
      liveSync = 'running';
      const claims = new Map(pushedClaims);
      pushedClaims.clear();
      try {
        await syncFromCursors();
        for (const [conversationId, claimed] of claims) {
          const cursor = cursorOf(conversationId);
          if (cursor < claimed) {
            doubted.set(conversationId, cursor);
            log.warn({ conversationId, cursor, claimed }, 'hub pushed envelopes it did not deliver');
          } else doubted.delete(conversationId);
        }
      } catch (error) {
        deps.connection.set('syncing');
        scheduleSyncRetry();
        throw error;
      } finally {
        liveSync = 'idle';
        if (liveSyncAgain) {
          liveSyncAgain = false;
          requestSync();
        }
      }
    });
  }

  let syncFailures = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  /** A sync that failed is tried again with backoff while connected; until then the state stays 'syncing'. */
  function scheduleSyncRetry(): void {
    if (retryTimer || stopped) return;
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        if (!stopped && hub.state() === 'connected') void enqueue(syncAll).catch(() => undefined);
      },
      backoffDelay(syncFailures++, defaultBackoff),
    );
    retryTimer.unref();
  }

  async function syncAll(): Promise<void> {
    deps.connection.set('syncing');
    try {
      await refreshConversations();
      await syncFromCursors();
      // Upgrade snapshots of conversations this user created before control entries; the hub's lists checked.
      await control.afterSync();
      syncFailures = 0;
      doubted.clear();
      if (hub.state() === 'connected') deps.connection.set('connected', messages.outboxSize());
    } catch (error) {
      // Not caught up: the banner keeps saying so ('syncing') while the sync is tried again.
      if (hub.state() === 'connected') scheduleSyncRetry();
      throw error;
    }
  }

  /** Sends the outbox in order, until it is empty or the hub is out of reach (the next connect resumes it). */
  async function deliverOutbox(): Promise<void> {
    for (let items = messages.outbox(); items.length > 0; items = messages.outbox()) {
      if (!(await deliver(items))) return;
    }
  }

  /** False when delivery has to wait for the next connect. */
  async function deliver(items: ReturnType<MessageStore['outbox']>): Promise<boolean> {
    for (const item of items) {
      if (hub.state() !== 'connected') return false;
      try {
        const keyId = keyIdOfEnvelope(item.envelope);
        if (keyId) await conversationKeys.publishPending(item.conversationId, keyId);
        const result = await hub.call('Send', {
          envelopeId: item.envelopeId,
          conversationId: item.conversationId,
          senderDeviceId: device.deviceId,
          payload: toBase64(item.envelope),
          ...(keyId ? { keyId } : {}),
        });
        messages.markSent(item.envelopeId, result.seq, result.serverTime);
        staleRetries.delete(item.envelopeId);
        changed([item.conversationId]);
      } catch (error) {
        if (error instanceof HubCallError && error.hubCode === 'stale_recipients') {
          // Members or their user keys changed since this was sealed: seal it again for them and resend.
          const tries = (staleRetries.get(item.envelopeId) ?? 0) + 1;
          staleRetries.set(item.envelopeId, tries);
          if (tries > maxStaleRetries) {
            // 'membership_differs' when the hub's member list is not the chain's (nothing is sealed beyond it).
            messages.markFailed(item.envelopeId, control.sendFailure(item.conversationId));
            staleRetries.delete(item.envelopeId);
            changed([item.conversationId]);
            continue;
          }
          // With the hub's lists, what the chain says now (a member's signed add follows the hub's change).
          await enqueue(async () => {
            await refreshConversations();
            await syncFromCursors();
          });
          await reseal(item.envelopeId, item.conversationId);
          return true;
        }
        if (
          error instanceof HubCallError &&
          ['too_large', 'forbidden', 'conflict', 'invalid'].includes(error.hubCode)
        ) {
          // The hub will never take this one; it stays visible as not sent, and the rest go on.
          messages.markFailed(item.envelopeId, error.hubCode);
          changed([item.conversationId]);
          continue;
        }
        if (error instanceof HubCallError && error.hubCode === 'rate_limited') {
          await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 250));
          return true; // the same envelope id goes again on the next pass
        }
        return false; // unreachable: the next connect retries with the same envelope id
      }
    }
    return true;
  }

  /** Seals a pending own message again (same envelope id, time and links) under a current conversation key. */
  async function reseal(envelopeId: string, conversationId: string): Promise<void> {
    const pending = messages.pendingOwn(envelopeId);
    if (!pending || pending.verdict !== 'valid') return;
    const conversationKey = await conversationKeys.forSending(
      conversationId,
      membersOrRefuse(conversationId),
      true,
    );
    const sealed = await sealEnvelopeV2({
      sender: device,
      conversationId,
      envelopeId,
      clientTime: pending.clientTime,
      prev: pending.prev,
      payload: pending.payload,
      conversationKey,
    });
    messages.replacePendingEnvelope(envelopeId, sealed.bytes, sealed.hash);
  }

  /** Before each sync: this device's user key (received, created or rotated), then what waited for it. */
  async function prepareKeys(): Promise<void> {
    try {
      await userKeys.onConnected();
      await reopenAwaiting();
    } catch (error) {
      log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'user key not ready');
    }
  }

  /** News about the directory: a new device of this user gets the key, a revoked one forces a new key. */
  async function directoryChanged(event: HubEventPayload<'DirectoryChanged'>): Promise<void> {
    await keys.refresh([event.userId]);
    if (event.userId !== device.userId) return;
    if (event.change === 'registered') {
      await userKeys.ownDeviceRegistered(event.deviceId);
      // The new workstation asks the key service right after registering: read the notices a little later.
      for (const ms of [3_000, 15_000]) {
        setTimeout(() => void userKeys.refreshNotices(0).catch(() => undefined), ms).unref();
      }
    } else if (event.change === 'revoked' && event.deviceId !== device.deviceId)
      await userKeys.rotate('revocation');
  }

  const api: MessagingEngine = {
    get pooledOpens() {
      return parallel?.pooled ?? 0;
    },
    get pagesOpenedAhead() {
      return openedAhead;
    },
    messages,
    acknowledgements: acks,
    deviceId: device.deviceId,
    start() {
      api.purgeExpired();
      const daily = setInterval(
        () => {
          api.purgeExpired();
          void api.forgetExpiredKeys().catch(() => undefined);
        },
        24 * 60 * 60 * 1000,
      );
      daily.unref();
      unsubscribe.push(
        () => clearInterval(daily),
        hub.onConnected(async () => {
          try {
            await (preparing = enqueue(prepareKeys));
            await enqueue(syncAll);
            await enqueue(() => acks.checkClaims(syncFromCursors)).catch(() => undefined);
            await api.flushOutbox();
            for (const [conversationId, seq] of [...unsentReads]) await sendRead(conversationId, seq);
          } catch (error) {
            // Closed while connecting: the queue logged nothing, and the next profile connects afresh. (A connection
            // lost again is told apart by the hub client, and the next connect runs every step again.)
            if (stopped) return;
            throw error;
          }
        }),
        hub.on('Envelope', onLiveEnvelope, onRefusedPush),
        hub.on('MembershipChanged', (event: HubEventPayload<'MembershipChanged'>) => {
          chain.applyHubChanges(event.changes);
          remember(event.conversation);
          void userKeys.currentKeys(event.conversation.members).catch(() => undefined);
          control.hubChanged(event.conversation.conversationId);
          changed([event.conversation.conversationId]);
        }),
        hub.on('Receipt', (receipt) => {
          // An acknowledgement counts only as a signed entry: the hub's word for one is checked, never kept.
          if (receipt.kind === 'acknowledged') {
            if (acks.claimed(receipt)) void enqueue(() => acks.checkClaims(syncFromCursors));
            return;
          }
          // Only for a conversation this profile has (the store refuses others too), and only when new.
          if (!membersOf.has(receipt.conversationId)) return;
          if (messages.addReceipt(receipt)) changed([receipt.conversationId]);
        }),
        hub.on('Typing', ({ conversationId, userId, typing }) => {
          if (userId !== device.userId && chain.members(conversationId)?.includes(userId))
            events.emit('messages.typing', { conversationId, userId, typing });
        }),
        hub.on('DirectoryChanged', (event) => void enqueue(() => directoryChanged(event))),
        hub.on(
          'KeyReleased',
          () =>
            void enqueue(async () => {
              await userKeys.collectReleases();
              await reopenAwaiting();
            }),
        ),
      );
      userKeys.onKeysArrived(() => void enqueue(reopenAwaiting));
      unsubscribe.push(
        // A new device seen (or accepted): its notice shows in each conversation with its user, or, for this
        // user's own device, among the key notices; what was sealed to or verified with keys changes too.
        // A new user-key epoch is read (and its signer judged) at the next use, not after the cache expires.
        hub.on('UserKeyChanged', (event) => userKeys.forgetVerified([event.userId])),
        deps.trust.onChange((userIds) => {
          userKeys.forgetVerified(userIds);
          if (userIds.includes(device.userId)) events.emit('keys.changed', {});
          changed([...membersOf].filter(([, m]) => m.some((u) => userIds.includes(u))).map(([id]) => id));
        }),
      );
      unsubscribe.push(
        events.subscribe((name, payload) => {
          // A fresh sign-in (after a release was refused for want of MFA) may carry the claim it lacked.
          if (name === 'session.state' && (payload as { status?: string }).status === 'active')
            void enqueue(() => userKeys.retryIfRefused(true));
        }),
      );
      if (hub.state() === 'connected') {
        preparing = enqueue(prepareKeys);
        void enqueue(syncAll).then(() => api.flushOutbox());
      }
    },
    stop() {
      stopped = true;
      void parallel?.close();
      if (retryTimer) clearTimeout(retryTimer);
      control.stop();
      for (const off of unsubscribe.splice(0)) off();
    },
    async send({ conversationId, payload, envelopeId: chosenId }) {
      const members = membersOrRefuse(conversationId);
      const devices = await keys.devicesFor(members);
      const blocked = devices.find((d) => d.status === 'key-changed');
      if (blocked) {
        throw new AppError(
          'recipient_key_changed',
          'The security key of one of the recipients changed. Compare safety numbers and accept the new key before sending.',
        );
      }
      await preparing;
      const conversationKey = await conversationKeys.forSending(conversationId, members);
      const envelopeId = chosenId ?? randomUUID();
      const clientTime = new Date().toISOString();
      const prev = messages.latestHashes(conversationId, 3);
      const sealed = await sealEnvelopeV2({
        sender: device,
        conversationId,
        envelopeId,
        clientTime,
        prev,
        payload,
        conversationKey,
      });
      messages.addOwn({
        conversationId,
        envelopeId,
        clientTime,
        hash: sealed.hash,
        prev,
        envelope: sealed.bytes,
        payload,
      });
      changed([conversationId]);
      deps.connection.set(deps.connection.current().state, messages.outboxSize());
      void api.flushOutbox();
      return { envelopeId };
    },
    async createConversation(kind, memberIds) {
      // The hub's CreateConversation (routing), then the signed create entry the members derive it from.
      const conversationId = await control.create(kind, memberIds);
      changed([conversationId]);
      return conversationId;
    },
    changeConversation: (conversationId, request) => control.request(conversationId, request),
    conversationState: (conversationId) => chain.state(conversationId),
    syncNow: () => enqueue(syncAll),
    flushOutbox() {
      outboxRunning ??= deliverOutbox()
        .catch((error: unknown) => {
          log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'outbox delivery stopped');
        })
        .finally(() => {
          outboxRunning = null;
          deps.connection.set(deps.connection.current().state, messages.outboxSize());
        });
      return outboxRunning;
    },
    async markRead(conversationId, uptoSeq) {
      // A mark past the newest seq held (or in a conversation not held) would hide later urgent messages.
      const { lastRead, newest } = messages.readBounds(conversationId);
      if (uptoSeq > newest) throw new AppError('not_found', 'That message is not on this computer.');
      // Only a mark that moved is news (to the window and to the sender): the view asks on every refresh.
      if (uptoSeq <= lastRead) return;
      // The hub hears first, so a read it refuses is never stored (offline, it waits in unsentReads).
      await sendRead(conversationId, uptoSeq);
      if (messages.markRead(conversationId, uptoSeq)) changed([conversationId]);
    },
    async acknowledge(conversationId, seq) {
      // A signed entry in the conversation (acknowledgements.ts), not a receipt: every member verifies it.
      await acks.acknowledge(conversationId, seq);
      changed([conversationId]);
    },
    async typing(conversationId, typing) {
      membersOrRefuse(conversationId);
      if (hub.state() === 'connected') await hub.call('Typing', { conversationId, typing });
    },
    async idle() {
      await queue;
      await outboxRunning;
    },
    async exportReport(conversationId) {
      if (!chain.known(conversationId)) await chain.loadHistory(conversationId);
      return buildVerificationReport({
        conversationId,
        messages,
        // What each envelope was judged by: the hub's history before the chain's base, the chain after it.
        membership: chain.judgedMembership(conversationId),
        devices: keys.known(),
        exportedBy: { userId: device.userId, deviceId: device.deviceId },
      });
    },
    onReceived(handler) {
      receivedHandlers.push(handler);
    },
    onIngested(handler) {
      ingestedHandlers.push(handler);
    },
    nameOf: (userId) => staff.get(userId)?.displayName ?? null,
    async searchDirectory(query) {
      const q = query.trim();
      try {
        // An empty query lists the whole directory (up to the hub's limit): the renderer's names for ids.
        const { users } = await hub.call('SearchUsers', q ? { query, limit: 50 } : { limit: 200 });
        staff.remember(users);
        if (q) return users;
        // A hospital has more staff than that: everyone this profile has a conversation with is added, as
        // kept at the last connect.
        const listed = new Set(users.map((u) => u.id));
        const members = new Set(messages.listConversations().flatMap((c) => c.members));
        const more = [...members].filter((id) => !listed.has(id)).flatMap((id) => staff.get(id) ?? []);
        return [...users, ...more];
      } catch (error) {
        // Before the hub answers after a restart, and while it cannot be reached: the names kept here.
        if (!(error instanceof AppError) || error.code !== 'hub_unreachable') throw error;
        return staff.search(q, q ? 50 : 5_000);
      }
    },
    async refreshContacts(userIds) {
      await keys.refresh(userIds);
    },
    async presence(userIds) {
      return (await hub.call('GetPresence', { userIds })).presence;
    },
    userKeyStatus() {
      void userKeys.refreshNotices().catch(() => undefined);
      void enqueue(() => userKeys.retryIfRefused(false));
      return { status: userKeys.status(), notices: userKeys.notices() };
    },
    ownDeviceNotices() {
      return deps.trust
        .notices([device.userId])
        .filter((n) => n.deviceId !== device.deviceId)
        .map((notice) => {
          const pinned = deps.trust.pin(notice.userId, notice.deviceId);
          return {
            ...notice,
            safetyNumber: pinned
              ? safetyNumber(device, { userId: notice.userId, signingPublicKey: pinned.signingPublicKey })
              : null,
          };
        });
    },
    deviceNotices(conversationId) {
      const others = membersOrRefuse(conversationId).filter((u) => u !== device.userId);
      return deps.trust.notices(others);
    },
    async deviceAccepted(userId, deviceId) {
      await keys.refresh([userId]);
      if (userId === device.userId) await userKeys.ownDeviceRegistered(deviceId);
      await enqueue(() => reopenAwaiting('device-not-accepted'));
      // Grants of its envelopes (refused while it was held) and anything waiting for them.
      await enqueue(() => reopenAwaiting());
    },
    rotateUserKey: () => enqueue(() => userKeys.rotate('schedule')),
    async forgetExpiredKeys() {
      // Only once everything this device received is open: what waits for a key may need an older epoch.
      if (messages.awaitingKey(1).length > 0) return [];
      const dropped = await userKeys.forgetExpired();
      const oldest = deps.keyring.epochs()[0];
      if (dropped.length > 0 && oldest) conversationKeys.forgetBelow(oldest.epoch);
      return dropped;
    },
    purgeExpired(now = new Date()) {
      const cutoff = new Date(now.getTime() - deps.policy.retentionDays * 24 * 60 * 60 * 1000);
      const removed = messages.purgeOlderThan(cutoff);
      if (removed > 0) log.info({ removed }, 'retention purge');
      return removed;
    },
  };
  return api;
}
