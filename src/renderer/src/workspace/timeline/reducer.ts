import type { IntegrityAlertView, MessageView } from '../../../../shared/contract';

/** The most messages one `messages.page` call returns (the contract's cap). */
export const pageSize = 200;
/** Each side of a search hit. */
export const aroundSize = pageSize / 2;

/**
 * The newest message loaded, and how it came: with the newest page on opening, as a new arrival (sent or
 * received) while open, or with a page the user scrolled to (then the view stays where it is).
 */
export type Tail = { id: string | undefined; came: 'opening' | 'arrival' | 'paging' };

/** A page of history the timeline is waiting for; `ticket` tells its answer from a stale one. */
export type Loading =
  | { ticket: number; conversationId: string; kind: 'initial'; focus: { seq: number } | null }
  | { ticket: number; conversationId: string; kind: 'older'; beforeSeq: number }
  | { ticket: number; conversationId: string; kind: 'newer'; afterSeq: number };

/** A fresh copy of what is loaded, after the core said the conversation changed: the newest page or around a seq. */
export type Refresh = { ticket: number; conversationId: string; aroundSeq: number | null };

/**
 * What the core answered, every list oldest first. A page going back in time (`newest`, `before`, an older
 * `page`) is the raw answer to a full-size request: whether more lies before it is read from it here.
 */
export type Answer =
  | {
      kind: 'newest';
      newest: MessageView[];
      alerts: IntegrityAlertView[];
      /** How many messages were asked for (a first page may be a screenful, not `pageSize`). */
      limit?: number;
    }
  | {
      kind: 'around';
      before: MessageView[];
      after: MessageView[];
      /** The newest page, when the hit is among the newest messages (`after` came short). */
      newest: MessageView[] | null;
      alerts: IntegrityAlertView[];
    }
  | { kind: 'older'; page: MessageView[] }
  | { kind: 'newer'; page: MessageView[]; newest: MessageView[] | null };
/** What a refresh reads again: the newest page, or the messages around a search hit. */
export type FreshCopy = Extract<Answer, { kind: 'newest' | 'around' }>;

export interface TimelineState {
  conversationId: string;
  /** What the timeline was opened at: a search hit, or null for the newest. */
  focus: { seq: number } | null;
  /** Loaded messages, oldest first. */
  messages: MessageView[];
  alerts: IntegrityAlertView[];
  hasOlder: boolean;
  /** Live: the loaded window reaches the newest message. Detached: it stops short (reading from a search hit). */
  window: 'live' | 'detached';
  loading: Loading | null;
  /**
   * The row the user was reading when an older page was asked for. Once the page is in (`arrived`), the view
   * must go back to it before anything else loads: only `anchored` ends the older page's loading.
   */
  anchor: { key: string; arrived: boolean } | null;
  refreshing: Refresh | null;
  /** The conversation changed while a load or refresh was under way: refresh once it is in. */
  refreshDue: boolean;
  tail: Tail;
  /** The focus once the messages around it are loaded. */
  landed: { seq: number } | null;
  /** The user is at the end of the view (the newest messages). */
  atEnd: boolean;
  /** Something arrived below while the user was reading further up. */
  newBelow: boolean;
  /** A new value each time the view must go to the end (opening, an arrival it follows, 'New messages below'). */
  follow: number;
  /** The `follow` the view last went to the end for: while they differ, it owes that trip. */
  followed: number;
  nextTicket: number;
}

export type TimelineEvent =
  | { type: 'open'; conversationId: string; focus: { seq: number } | null }
  /** messages.changed from the core: only this conversation's change matters. */
  | { type: 'changed'; conversationId: string }
  /** The user scrolled near the top or asked for older messages, reading the row `anchor`. */
  | { type: 'olderWanted'; anchor: string }
  | { type: 'newerWanted' }
  | { type: 'showNewest' }
  /** The prepended page is rendered and the view is back on the anchor. */
  | { type: 'anchored' }
  | { type: 'scrolled'; atEnd: boolean }
  | { type: 'toEnd' }
  /** The view went to the end for `follow`. */
  | { type: 'followed'; follow: number }
  | { type: 'answered'; ticket: number; answer: Answer }
  | { type: 'refreshed'; ticket: number; answer: FreshCopy }
  | { type: 'failed'; ticket: number };

const firstSeq = (messages: MessageView[]): number | null =>
  messages.find((m) => m.seq !== null)?.seq ?? null;
const lastSeq = (messages: MessageView[]): number | null =>
  messages.findLast((m) => m.seq !== null)?.seq ?? null;

/**
 * A page going back in time and whether anything lies before it. A full answer's oldest message is held back
 * as the probe (the first seqs may be chain entries, never shown, so "oldest > 1" proves nothing); a page
 * reaching seq 1 has nothing before it.
 */
function backPage(raw: MessageView[], limit: number): { page: MessageView[]; more: boolean } {
  const more = raw.length === limit && firstSeq(raw) !== 1;
  return { page: more ? raw.slice(1) : raw, more };
}

/** Keeps older pages already loaded and replaces the newest page with a fresh copy (receipts, new arrivals). */
function mergeNewest(current: MessageView[], newest: MessageView[]): MessageView[] {
  const oldestFresh = firstSeq(newest) ?? Infinity;
  return [...current.filter((m) => m.seq !== null && m.seq < oldestFresh), ...newest];
}

/** Replaces the loaded messages whose seq the fresh copy covers, keeping those before and after it. */
function mergeRange(current: MessageView[], fresh: MessageView[]): MessageView[] {
  const from = firstSeq(fresh);
  const to = lastSeq(fresh);
  if (from === null || to === null) return current;
  const seqOf = (m: MessageView) => m.seq ?? Infinity;
  return [...current.filter((m) => seqOf(m) < from), ...fresh, ...current.filter((m) => seqOf(m) > to)];
}

export function openTimeline(
  args: { conversationId: string; focus: { seq: number } | null },
  nextTicket = 1,
): TimelineState {
  return {
    conversationId: args.conversationId,
    focus: args.focus,
    messages: [],
    alerts: [],
    hasOlder: false,
    window: 'live',
    loading: { ticket: nextTicket, conversationId: args.conversationId, kind: 'initial', focus: args.focus },
    anchor: null,
    refreshing: null,
    refreshDue: false,
    tail: { id: undefined, came: 'opening' },
    landed: null,
    atEnd: true,
    newBelow: false,
    follow: 0,
    followed: 0,
    nextTicket: nextTicket + 1,
  };
}

/** The loaded messages are now `messages`: a new newest message that did not come by paging may move the view. */
function withMessages(state: TimelineState, messages: MessageView[], paging: boolean): TimelineState {
  const id = messages.at(-1)?.envelopeId;
  if (id === state.tail.id) return { ...state, messages };
  const came = paging ? 'paging' : state.tail.id === undefined ? 'opening' : 'arrival';
  const next = { ...state, messages, tail: { id, came } } satisfies TimelineState;
  if (came === 'paging') return next;
  // Opening, the user at the end, or their own message: the view follows to the end; otherwise it stays.
  if (came === 'opening' || state.atEnd || messages.at(-1)?.own) return toEnd(next);
  return { ...next, newBelow: true };
}

/** The view goes to the end: `follow` takes a fresh ticket, so it differs from any earlier one. */
const toEnd = (state: TimelineState): TimelineState => ({
  ...state,
  atEnd: true,
  newBelow: false,
  follow: state.nextTicket,
  nextTicket: state.nextTicket + 1,
});

function startRefresh(state: TimelineState): TimelineState {
  if (state.loading?.kind === 'initial' || state.refreshing) return { ...state, refreshDue: true };
  // Away from the newest, what is loaded is read again around the search hit (nothing else anchors it).
  const aroundSeq = state.window === 'detached' ? (state.focus?.seq ?? null) : null;
  return {
    ...state,
    refreshDue: false,
    refreshing: { ticket: state.nextTicket, conversationId: state.conversationId, aroundSeq },
    nextTicket: state.nextTicket + 1,
  };
}

/** A load or refresh ended: a change that came meanwhile is fetched now. */
const settle = (state: TimelineState): TimelineState => (state.refreshDue ? startRefresh(state) : state);

function answered(state: TimelineState, answer: Answer): TimelineState {
  const done = { ...state, loading: null };
  switch (answer.kind) {
    case 'newest': {
      const { page, more } = backPage(answer.newest, answer.limit ?? pageSize);
      const merged = mergeNewest(state.messages, page);
      const hasOlder = merged.length === page.length ? more : state.hasOlder;
      return settle(withMessages({ ...done, alerts: answer.alerts, hasOlder }, merged, false));
    }
    case 'around': {
      const before = backPage(answer.before, aroundSize);
      const live = answer.newest !== null;
      const messages = live
        ? mergeNewest(before.page, answer.newest ?? [])
        : [...before.page, ...answer.after];
      const next = {
        ...done,
        alerts: answer.alerts,
        hasOlder: before.more,
        window: live ? 'live' : 'detached',
        landed: state.focus,
      } satisfies TimelineState;
      return settle(withMessages(next, messages, true));
    }
    case 'older': {
      const { page, more } = backPage(answer.page, pageSize);
      const oldest = firstSeq(state.messages) ?? Infinity;
      const older = page.filter((m) => m.seq !== null && m.seq < oldest);
      if (older.length === 0 || !state.anchor) return settle({ ...done, anchor: null, hasOlder: more });
      // Still loading until the view is back on the anchor: a scroll meanwhile must not ask for the next page.
      return {
        ...state,
        messages: [...older, ...state.messages],
        hasOlder: more,
        anchor: { key: state.anchor.key, arrived: true },
      };
    }
    case 'newer': {
      const newest = lastSeq(state.messages) ?? 0;
      let messages = [...state.messages, ...answer.page.filter((m) => m.seq !== null && m.seq > newest)];
      // Met the newest: from here on the view is the live end of the conversation again.
      const met = answer.page.length < pageSize;
      if (met && answer.newest) messages = mergeNewest(messages, answer.newest);
      return settle(withMessages({ ...done, window: met ? 'live' : state.window }, messages, true));
    }
  }
}

function refreshed(state: TimelineState, answer: FreshCopy): TimelineState {
  const done = { ...state, refreshing: null, alerts: answer.alerts };
  if (answer.kind === 'around') {
    const before = backPage(answer.before, aroundSize).page;
    return settle({ ...done, messages: mergeRange(state.messages, [...before, ...answer.after]) });
  }
  // The user went back to a search hit meanwhile: the newest page is not what they are reading.
  if (state.window === 'detached') return settle(done);
  const { page, more } = backPage(answer.newest, answer.limit ?? pageSize);
  const merged = mergeNewest(state.messages, page);
  const hasOlder = merged.length === page.length ? more : state.hasOlder;
  return settle(withMessages({ ...done, hasOlder }, merged, false));
}

/**
 * The timeline of one conversation as a pure function of what happened: the user's scrolling, the core's
 * answers and its change events. Answers to a request no longer awaited (another conversation, an older
 * opening, a page already in) are dropped by their ticket.
 */
export function timelineReducer(state: TimelineState, event: TimelineEvent): TimelineState {
  switch (event.type) {
    case 'open':
      return openTimeline(event, state.nextTicket);
    case 'changed':
      return event.conversationId === state.conversationId ? startRefresh(state) : state;
    case 'olderWanted': {
      if (state.loading || !state.hasOlder) return state;
      const oldest = firstSeq(state.messages);
      if (oldest === null) return state;
      if (oldest <= 1) return { ...state, hasOlder: false };
      return {
        ...state,
        loading: {
          ticket: state.nextTicket,
          conversationId: state.conversationId,
          kind: 'older',
          beforeSeq: oldest,
        },
        anchor: { key: event.anchor, arrived: false },
        nextTicket: state.nextTicket + 1,
      };
    }
    case 'newerWanted': {
      const newest = lastSeq(state.messages);
      if (state.loading || state.window === 'live' || newest === null) return state;
      return {
        ...state,
        loading: {
          ticket: state.nextTicket,
          conversationId: state.conversationId,
          kind: 'newer',
          afterSeq: newest,
        },
        nextTicket: state.nextTicket + 1,
      };
    }
    case 'showNewest': {
      const fresh = openTimeline({ conversationId: state.conversationId, focus: null }, state.nextTicket);
      // Still opened at the same hit (a change of focus reopens), with the alerts already shown.
      return { ...fresh, focus: state.focus, alerts: state.alerts, landed: state.landed };
    }
    case 'anchored':
      return state.anchor?.arrived ? settle({ ...state, loading: null, anchor: null }) : state;
    case 'scrolled':
      if (event.atEnd === state.atEnd) return state;
      return { ...state, atEnd: event.atEnd, newBelow: event.atEnd ? false : state.newBelow };
    case 'toEnd':
      return toEnd(state);
    case 'followed':
      return event.follow === state.followed ? state : { ...state, followed: event.follow };
    case 'answered':
      if (event.ticket !== state.loading?.ticket || state.anchor?.arrived) return state;
      return answered(state, event.answer);
    case 'refreshed':
      return event.ticket === state.refreshing?.ticket ? refreshed(state, event.answer) : state;
    case 'failed':
      if (event.ticket === state.loading?.ticket) return settle({ ...state, loading: null, anchor: null });
      if (event.ticket === state.refreshing?.ticket) return settle({ ...state, refreshing: null });
      return state;
  }
}
