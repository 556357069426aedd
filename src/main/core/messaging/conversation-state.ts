import type { ControlChange } from '../envelope';
import type { HubClient } from '../hub';
import type { MessageStore } from '../messages';
import type { Conversation, ConversationKind, MembershipChange } from '../../../shared/hub-protocol';
import { createMembership } from './membership';

/**
 * A conversation's state from its signed chain (docs/envelope-format.md, control entries): who is a member,
 * who may change what, its name and retention. Every client folds the verified control entries of the chain
 * in seq order; the hub's member list is only a routing hint, compared with the fold.
 */

/** What the chain says a conversation is: the hub's kinds, or an announcement (only its admins post). */
export type ChainKind = ConversationKind | 'announcement';

/** The patient a conversation is about, from its signed chain. */
export interface ConversationPatient {
  mrn: string;
  name: string;
}

const samePatient = (a: ConversationPatient | null, b: ConversationPatient | null): boolean =>
  a === null || b === null ? a === b : a.mrn === b.mrn && a.name === b.name;

/** Why a verified control entry changes nothing and is quarantined. */
export type ControlRejection = 'control-not-allowed' | 'control-out-of-order' | 'control-invalid';

/** A verified control entry: its signer, the hub's seq, the change. */
export interface ControlEntry {
  seq: number;
  envelopeId: string;
  senderUserId: string;
  change: ControlChange;
}

export interface ChainState {
  /**
   * 'confirmed' once a create entry, the creator's snapshot, or (for a member added later, who cannot open
   * the entries sealed before them) the entry that added this user is folded; until then 'unconfirmed'.
   */
  status: 'confirmed' | 'unconfirmed';
  kind: ChainKind | null;
  /** Who signed the create or snapshot entry (null for a member who joined later and never saw it). */
  creator: string | null;
  members: string[];
  admins: string[];
  name: string | null;
  retentionDays: number | null;
  /** The patient of a patient conversation (a signed `patient` entry), null for none. */
  patient: ConversationPatient | null;
  /** The seq the chain's state starts after; envelopes at or before it are judged by the hub's history. */
  baseSeq: number | null;
  /** The seq of the newest control entry folded, 0 if none. */
  lastSeq: number;
}

export interface FoldContext {
  /** This user: an `add` naming them while the fold does not make them a member is where their view starts. */
  selfUserId: string;
  /** The conversation's creator as the hub records it (a hint), checked for create and snapshot when known. */
  creator?: string | null;
}

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const unique = (ids: readonly string[]): boolean => new Set(ids).size === ids.length;
const sameSet = (a: ReadonlySet<string>, b: readonly string[]): boolean =>
  unique(b) && a.size === b.length && b.every((id) => a.has(id));

interface Base {
  kind: ChainKind;
  creator: string | null;
  members: Set<string>;
  admins: Set<string>;
  name: string | null;
  retentionDays: number | null;
  patient: ConversationPatient | null;
}

/** What an accepted entry does: start from a stated base, change the state, or nothing (a redundant restatement). */
type Outcome =
  | { type: 'base'; base: Base }
  | { type: 'change'; apply: () => boolean /* membership changed */ }
  | { type: 'none' };

/**
 * The fold of one conversation's control entries, in seq order. `apply` checks an entry against the state so
 * far and either folds it in or returns why not (and changes nothing).
 */
export class ConversationFold {
  private confirmed = false;
  private kind: ChainKind | null = null;
  private creator: string | null = null;
  private members = new Set<string>();
  private admins = new Set<string>();
  private name: string | null = null;
  private retentionDays: number | null = null;
  private patient: ConversationPatient | null = null;
  private baseSeq: number | null = null;
  private lastSeq = 0;
  /** The members (and admins) after each membership change: those of envelopes with seq > afterSeq. */
  private readonly epochs: {
    afterSeq: number;
    members: ReadonlySet<string>;
    admins: ReadonlySet<string>;
  }[] = [];
  private readonly applied = new Map<string, number>();

  apply(entry: ControlEntry, ctx: FoldContext): ControlRejection | null {
    const seen = this.applied.get(entry.envelopeId);
    if (seen !== undefined) return seen === entry.seq ? null : 'control-out-of-order';
    if (!Number.isSafeInteger(entry.seq) || entry.seq <= this.lastSeq) return 'control-out-of-order';
    const outcome = this.judge(entry, ctx);
    if (typeof outcome === 'string') return outcome;
    if (outcome.type === 'base') {
      const b = outcome.base;
      this.confirmed = true;
      this.kind = b.kind;
      this.creator = b.creator;
      this.members = b.members;
      this.admins = b.admins;
      this.name = b.name;
      this.retentionDays = b.retentionDays;
      this.patient = b.patient;
      this.baseSeq ??= entry.seq;
      this.epochs.push({ afterSeq: entry.seq, members: new Set(b.members), admins: new Set(b.admins) });
    } else if (outcome.type === 'change' && outcome.apply()) {
      this.epochs.push({
        afterSeq: entry.seq,
        members: new Set(this.members),
        admins: new Set(this.admins),
      });
    }
    this.applied.set(entry.envelopeId, entry.seq);
    this.lastSeq = entry.seq;
    return null;
  }

  /** Whether the chain makes `userId` a member for an envelope at `seq`; null when the chain does not decide. */
  memberAt(userId: string, seq: number): boolean | null {
    if (this.baseSeq === null || seq <= this.baseSeq) return null;
    for (let i = this.epochs.length - 1; i >= 0; i--) {
      const epoch = this.epochs[i]!;
      if (epoch.afterSeq < seq) return epoch.members.has(userId);
    }
    return null;
  }

  /**
   * Whether `userId` may post a message at `seq`: always, except in an announcement, where only an admin at
   * that seq may (nobody before its create entry). Acknowledgements and control entries are not messages.
   */
  mayPostAt(userId: string, seq: number): boolean {
    if (this.kind !== 'announcement') return true;
    for (let i = this.epochs.length - 1; i >= 0; i--) {
      const epoch = this.epochs[i]!;
      if (epoch.afterSeq < seq) return epoch.admins.has(userId);
    }
    return false;
  }

  /** The members after each membership change, oldest first (for verification reports). */
  history(): { afterSeq: number; members: string[] }[] {
    return this.epochs.map((e) => ({ afterSeq: e.afterSeq, members: sorted(e.members) }));
  }

  state(): ChainState {
    return {
      status: this.confirmed ? 'confirmed' : 'unconfirmed',
      kind: this.kind,
      creator: this.creator,
      members: sorted(this.members),
      admins: sorted(this.admins),
      name: this.name,
      retentionDays: this.retentionDays,
      patient: this.patient,
      baseSeq: this.baseSeq,
      lastSeq: this.lastSeq,
    };
  }

  private judge(entry: ControlEntry, ctx: FoldContext): Outcome | ControlRejection {
    const { change, senderUserId: sender } = entry;
    const joins =
      change.op === 'add' && change.userIds.includes(ctx.selfUserId) && !this.members.has(ctx.selfUserId);
    if (change.op === 'add' && joins) return this.joined(change, sender);
    if (change.op === 'create' || change.op === 'snapshot') {
      if (this.confirmed) return this.restates(change, sender) ? { type: 'none' } : 'control-out-of-order';
      return this.initial(entry, ctx);
    }
    // Everything else changes a state: there must be one.
    if (!this.confirmed) return 'control-out-of-order';
    if (!this.members.has(sender)) return 'control-not-allowed';
    const admin = this.admins.has(sender);
    switch (change.op) {
      case 'add': {
        if (!admin || this.kind !== 'group') return 'control-not-allowed';
        if (!unique(change.userIds) || change.userIds.some((u) => this.members.has(u)))
          return 'control-invalid';
        const after = new Set([...this.members, ...change.userIds]);
        if (
          !sameSet(after, change.members) ||
          !sameSet(this.admins, change.admins) ||
          change.name !== this.name ||
          change.retentionDays !== this.retentionDays ||
          !samePatient(change.patient ?? null, this.patient)
        )
          return 'control-invalid';
        return { type: 'change', apply: () => ((this.members = after), true) };
      }
      case 'remove': {
        if (!admin || this.kind !== 'group') return 'control-not-allowed';
        if (!unique(change.userIds) || !change.userIds.every((u) => this.members.has(u)))
          return 'control-invalid';
        return {
          type: 'change',
          apply: () => {
            for (const u of change.userIds) {
              this.members.delete(u);
              this.admins.delete(u);
            }
            return true;
          },
        };
      }
      case 'leave':
        return {
          type: 'change',
          apply: () => {
            this.members.delete(sender);
            this.admins.delete(sender);
            return true;
          },
        };
      case 'rename':
        if (!admin) return 'control-not-allowed';
        return { type: 'change', apply: () => ((this.name = change.name), false) };
      case 'retention':
        if (!admin) return 'control-not-allowed';
        return { type: 'change', apply: () => ((this.retentionDays = change.days), false) };
      case 'patient':
        if (!admin) return 'control-not-allowed';
        return { type: 'change', apply: () => ((this.patient = change.patient), false) };
    }
  }

  /** A create or snapshot: the first state of the chain. */
  private initial(entry: ControlEntry, ctx: FoldContext): Outcome | ControlRejection {
    const change = entry.change as Extract<ControlChange, { op: 'create' | 'snapshot' }>;
    const sender = entry.senderUserId;
    if (typeof ctx.creator === 'string' && ctx.creator !== sender) return 'control-not-allowed';
    if (change.conversationKind === 'direct' && change.members.length > 2) return 'control-not-allowed';
    if (change.op === 'snapshot' && change.throughSeq >= entry.seq) return 'control-invalid';
    const base = this.stated(change.conversationKind, sender, change.members, change.admins);
    if (!base) return 'control-invalid';
    return {
      type: 'base',
      base: { ...base, creator: sender, name: null, retentionDays: null, patient: null },
    };
  }

  /** The entry that added this user, who could not open the entries before it: their view starts here. */
  private joined(change: Extract<ControlChange, { op: 'add' }>, sender: string): Outcome | ControlRejection {
    if (!unique(change.userIds) || !change.userIds.every((u) => change.members.includes(u)))
      return 'control-invalid';
    const base = this.stated('group', sender, change.members, change.admins);
    if (!base) return 'control-invalid';
    return {
      type: 'base',
      base: {
        ...base,
        creator: this.creator,
        name: change.name,
        retentionDays: change.retentionDays,
        patient: change.patient ?? null,
      },
    };
  }

  /** A stated whole state, if consistent: distinct members, admins among them, the signer an admin. */
  private stated(
    kind: ChainKind,
    sender: string,
    members: readonly string[],
    admins: readonly string[],
  ): Pick<Base, 'kind' | 'members' | 'admins'> | null {
    if (!unique(members) || !unique(admins)) return null;
    const memberSet = new Set(members);
    if (!admins.every((a) => memberSet.has(a)) || !admins.includes(sender)) return null;
    return { kind, members: memberSet, admins: new Set(admins) };
  }

  /** The creator states again exactly what stands (a second workstation of theirs upgrading at the same time). */
  private restates(change: Extract<ControlChange, { op: 'create' | 'snapshot' }>, sender: string): boolean {
    return (
      this.creator === sender &&
      this.kind === change.conversationKind &&
      sameSet(this.members, change.members) &&
      sameSet(this.admins, change.admins)
    );
  }
}

/** Folds entries in seq order; returns the fold and the entries it refused, with why. */
export function foldControl(
  entries: readonly ControlEntry[],
  ctx: FoldContext,
): { fold: ConversationFold; rejected: { envelopeId: string; reason: ControlRejection }[] } {
  const fold = new ConversationFold();
  const rejected: { envelopeId: string; reason: ControlRejection }[] = [];
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    const reason = fold.apply(entry, ctx);
    if (reason) rejected.push({ envelopeId: entry.envelopeId, reason });
  }
  return { fold, rejected };
}

/** One step of the membership a device judged envelopes by, in the verification report's form. */
export interface JudgedChange {
  changeSeq: number;
  kind: 'added' | 'removed';
  userId: string;
  afterSeq: number;
}

/** What the hub says about a conversation: only a routing hint. */
export interface HubHint {
  kind: ConversationKind;
  createdBy: string | null;
  members: string[];
}

export interface ConversationStates {
  /** The hub lists this conversation so (ListConversations, CreateConversation, MembershipChanged). */
  noteHub(conversation: Conversation): void;
  /** Reads the hub's membership history of a conversation (the rule for envelopes the chain does not cover). */
  loadHistory(conversationId: string): Promise<void>;
  applyHubChanges(changes: MembershipChange[]): void;
  /** Whether the hub's membership history of this conversation was read in this session. */
  known(conversationId: string): boolean;
  hub(conversationId: string): HubHint | null;
  /** Every conversation the hub has listed (or this computer stored). */
  conversations(): string[];
  state(conversationId: string): ChainState;
  /**
   * Whether `userId` may send the envelope at `seq`: by the chain after its base; before it (and while the
   * chain has no state) by the hub's membership history, as before control entries existed.
   */
  memberAt(conversationId: string, userId: string, seq: number): boolean;
  /** Whether `userId` may post a message at `seq` (an announcement's admins only). */
  mayPost(conversationId: string, userId: string, seq: number): boolean;
  /** Whom to seal to: the chain's members once confirmed, else the hub's list (null: unknown conversation). */
  members(conversationId: string): string[] | null;
  /** Checks a verified control entry and folds it in (in seq order), or says why it is refused. */
  admit(conversationId: string, entry: ControlEntry): ControlRejection | null;
  /** Folds the stored entries again (after an ingest: what was stored is what counts). */
  reload(conversationId: string): void;
  /** Confirmed conversations only: whom the hub lists beyond the chain, and whom it leaves out. */
  differences(conversationId: string): { extra: string[]; missing: string[] };
  /** The membership envelopes were judged by, as hub-style changes (for the verification report). */
  judgedMembership(conversationId: string): JudgedChange[];
}

export function createConversationStates(deps: {
  hub: Pick<HubClient, 'call'>;
  messages: Pick<MessageStore, 'entries' | 'listConversations'>;
  selfUserId: string;
}): ConversationStates {
  const history = createMembership(deps.hub);
  const hints = new Map<string, HubHint>(
    deps.messages
      .listConversations()
      .map((c) => [c.conversationId, { kind: c.kind, createdBy: null, members: c.members }]),
  );
  const folds = new Map<string, ConversationFold>();

  const foldOf = (conversationId: string): ConversationFold => {
    let fold = folds.get(conversationId);
    if (!fold) {
      fold = loadFold(conversationId);
      folds.set(conversationId, fold);
    }
    return fold;
  };

  // Stored entries were admitted already (the creator check included): they are folded by the same rules.
  function loadFold(conversationId: string): ConversationFold {
    const entries = deps.messages.entries(conversationId, 'control').map((e) => ({
      seq: e.seq,
      envelopeId: e.envelopeId,
      senderUserId: e.senderUserId,
      change: e.payload.change,
    }));
    return foldControl(entries, { selfUserId: deps.selfUserId }).fold;
  }

  return {
    noteHub(c) {
      hints.set(c.conversationId, { kind: c.kind, createdBy: c.createdBy, members: [...c.members].sort() });
    },
    loadHistory: (conversationId) => history.load(conversationId),
    applyHubChanges: (changes) => history.apply(changes),
    known: (conversationId) => history.known(conversationId),
    hub: (conversationId) => hints.get(conversationId) ?? null,
    conversations: () => [...hints.keys()],
    state: (conversationId) => foldOf(conversationId).state(),
    memberAt(conversationId, userId, seq) {
      return foldOf(conversationId).memberAt(userId, seq) ?? history.memberAt(conversationId, userId, seq);
    },
    mayPost: (conversationId, userId, seq) => foldOf(conversationId).mayPostAt(userId, seq),
    members(conversationId) {
      const state = foldOf(conversationId).state();
      if (state.status === 'confirmed') return state.members;
      return hints.get(conversationId)?.members ?? null;
    },
    admit(conversationId, entry) {
      return foldOf(conversationId).apply(entry, {
        selfUserId: deps.selfUserId,
        creator: hints.get(conversationId)?.createdBy ?? null,
      });
    },
    reload(conversationId) {
      folds.set(conversationId, loadFold(conversationId));
    },
    differences(conversationId) {
      const state = foldOf(conversationId).state();
      const listed = hints.get(conversationId)?.members;
      if (state.status !== 'confirmed' || !listed) return { extra: [], missing: [] };
      return {
        extra: listed.filter((u) => !state.members.includes(u)),
        missing: state.members.filter((u) => !listed.includes(u)),
      };
    },
    judgedMembership(conversationId) {
      const fold = foldOf(conversationId);
      const baseSeq = fold.state().baseSeq;
      const out: Omit<JudgedChange, 'changeSeq'>[] = [];
      let current = new Set<string>();
      for (const c of history.changes(conversationId)) {
        if (baseSeq !== null && c.afterSeq >= baseSeq) continue;
        out.push({ kind: c.kind, userId: c.userId, afterSeq: c.afterSeq });
        if (c.kind === 'added') current.add(c.userId);
        else current.delete(c.userId);
      }
      for (const epoch of fold.history()) {
        const next = new Set(epoch.members);
        for (const u of current)
          if (!next.has(u)) out.push({ kind: 'removed', userId: u, afterSeq: epoch.afterSeq });
        for (const u of next)
          if (!current.has(u)) out.push({ kind: 'added', userId: u, afterSeq: epoch.afterSeq });
        current = next;
      }
      return out.map((c, i) => ({ ...c, changeSeq: i + 1 }));
    },
  };
}
