// The conversation timeline as a pure reducer: Dr Asha Rao on WARD3B-PC01 reads a long conversation with
// Dr Samuel Okafor. Each story replays the events that once broke paging in CI (a page landing while she still
// scrolled, an anchor on a day separator, 'Load older' at the first message) or could show her the wrong
// conversation (a late answer after she switched), and checks what she would see.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../src/shared/contract';
import {
  openTimeline,
  pageSize,
  timelineReducer,
  type Answer,
  type FreshCopy,
  type Loading,
  type TimelineEvent,
  type TimelineState,
} from '../../../src/renderer/src/workspace/timeline/reducer';
import {
  firstPageSize,
  readingRow,
  scrollDecision,
} from '../../../src/renderer/src/workspace/timeline/scroll';
import { timelineRows } from '../../../src/renderer/src/workspace/timeline';
import { messageView } from './message-view';

const withSamuel = 'conv-rao-okafor';
const withWard = 'conv-ward-3b';

/**
 * What the core's messages.page answers, oldest first, for a conversation whose shown messages have the seqs
 * `seqs` (a chain entry such as the create at seq 1 is never shown). One message a minute from 1 Nov.
 */
function history(seqs: number[], conversationId = withSamuel) {
  const at = (seq: number) => messageView({ conversationId, seq, time: minute(seq), senderUserId: 'samuel' });
  return {
    page(args: { beforeSeq?: number; afterSeq?: number; limit: number }): MessageView[] {
      const inRange = seqs.filter(
        (s) =>
          (args.beforeSeq === undefined || s < args.beforeSeq) &&
          (args.afterSeq === undefined || s > args.afterSeq),
      );
      const taken = args.afterSeq === undefined ? inRange.slice(-args.limit) : inRange.slice(0, args.limit);
      return taken.map(at);
    },
    /** The answer the hook would fetch for `loading`. */
    answer(loading: Loading): Answer {
      switch (loading.kind) {
        case 'initial':
          if (loading.focus === null)
            return { kind: 'newest', newest: this.page({ limit: pageSize }), alerts: [] };
          throw new Error('not used here');
        case 'older':
          return { kind: 'older', page: this.page({ beforeSeq: loading.beforeSeq, limit: pageSize }) };
        case 'newer': {
          const page = this.page({ afterSeq: loading.afterSeq, limit: pageSize });
          return {
            kind: 'newer',
            page,
            newest: page.length < pageSize ? this.page({ limit: pageSize }) : null,
          };
        }
      }
    },
  };
}
const minute = (seq: number) => new Date(Date.UTC(2026, 10, 1) + seq * 60_000).toISOString();
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const run = (state: TimelineState, ...events: TimelineEvent[]) => events.reduce(timelineReducer, state);
const seqsOf = (state: TimelineState) => state.messages.map((m) => m.seq);
const keyOf = (seq: number) => `e${seq}`;

/** She opens the conversation and the newest page comes. */
function opened(conversation: ReturnType<typeof history>, conversationId = withSamuel): TimelineState {
  const state = openTimeline({ conversationId, focus: null });
  return answer(state, conversation);
}
/** The core answers what the timeline waits for. */
function answer(state: TimelineState, conversation: ReturnType<typeof history>): TimelineState {
  const loading = state.loading!;
  return timelineReducer(state, {
    type: 'answered',
    ticket: loading.ticket,
    answer: conversation.answer(loading),
  });
}

describe('scrolling up through older pages', () => {
  it('keeps the row she reads when a page lands while she is still scrolling, and skips no page (CI failure at 2703104)', () => {
    const conversation = history(range(2, 1_000));
    let state = opened(conversation);
    // The newest page holds its oldest message back as the probe: she sees 802–1,000.
    expect(seqsOf(state).at(0)).toBe(802);
    state = run(state, { type: 'olderWanted', anchor: keyOf(802) });
    expect(state.loading).toMatchObject({ kind: 'older', beforeSeq: 802 });
    state = answer(state, conversation);
    // The page is in but not yet rendered; a slow ward PC lets her scroll on, which asks again with the
    // row now at the top of her view. That must change nothing: the view has not gone back to 802 yet.
    const arrived = state;
    expect(run(state, { type: 'olderWanted', anchor: keyOf(603) })).toBe(arrived);
    expect(state.anchor).toEqual({ key: keyOf(802), arrived: true });
    state = run(state, { type: 'anchored' });
    expect(state.loading).toBeNull();
    // The next page starts right where this one ends.
    state = run(state, { type: 'olderWanted', anchor: keyOf(603) });
    expect(state.loading).toMatchObject({ kind: 'older', beforeSeq: 603 });
    state = run(answer(state, conversation), { type: 'anchored' });
    expect(seqsOf(state)).toEqual(range(404, 1_000));
  });

  it('anchors on a message, never a day separator whose key a prepended page changes (CI failure at 5e23c57)', () => {
    // The top of her view is the separator of a day whose first messages are still in the older page.
    const conversation = history(range(2, 600));
    let state = opened(conversation);
    const rowsNow = timelineRows(state.messages, state.alerts, { hasOlder: state.hasOlder, hasNewer: false });
    const top = rowsNow.findIndex((r) => r.kind === 'day');
    const anchor = readingRow(rowsNow, top);
    expect(anchor).toBe(keyOf(402));
    state = run(state, { type: 'olderWanted', anchor: anchor! });
    state = answer(state, conversation);
    const rowsAfter = timelineRows(state.messages, state.alerts, {
      hasOlder: state.hasOlder,
      hasNewer: false,
    });
    const keys = rowsAfter.map((r) => r.key);
    // The separator she had at the top now names an earlier first message of that day: it is gone...
    expect(keys).not.toContain(rowsNow[top]!.key);
    // ...while the message she was reading is still there for the view to go back to.
    expect(keys).toContain(state.anchor!.key);
  });

  it('shows no "Load older" once the first message is in, when seq 1 is the signed create entry (CI failure, long-history)', () => {
    // 400 messages shown (2–401): two full pages, then the conversation's start.
    const conversation = history(range(2, 401));
    let state = opened(conversation);
    expect(state.hasOlder).toBe(true);
    while (state.hasOlder) {
      // 'Load older' is offered only while her first message is not shown yet.
      expect(seqsOf(state)[0]).toBeGreaterThan(2);
      state = run(state, { type: 'olderWanted', anchor: keyOf(seqsOf(state)[0]!) });
      state = run(answer(state, conversation), { type: 'anchored' });
    }
    expect(seqsOf(state)).toEqual(range(2, 401));
    expect(state.hasOlder).toBe(false);
    // A shorter conversation shows its start at once.
    expect(opened(history(range(2, 150))).hasOlder).toBe(false);
  });

  it('knows at once that a page reaching seq 1 is the start, not on a further scroll (CI flake at 360da76)', () => {
    // Messages 1–399 all shown: she sees 201–399 (200 is the probe), and the next page, 1–200, is full.
    const conversation = history(range(1, 399));
    let state = opened(conversation);
    state = run(state, { type: 'olderWanted', anchor: keyOf(seqsOf(state)[0]!) });
    state = run(answer(state, conversation), { type: 'anchored' });
    expect(seqsOf(state)[0]).toBe(1);
    expect(state.hasOlder).toBe(false);
  });

  it('walks every page in order down to the first message, however pages, scrolls and changes interleave', () => {
    // The user's scrolls and the core's change events land in any order around each answer.
    const step = fc.constantFrom('scroll', 'answer', 'render', 'changed', 'refreshDone');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_500 }),
        fc.boolean(),
        fc.array(step, { maxLength: 400 }),
        (count, createEntry, steps) => {
          const first = createEntry ? 2 : 1;
          const conversation = history(range(first, first + count - 1));
          let state = opened(conversation);
          const act = (what: string) => {
            if (what === 'scroll' && state.hasOlder) {
              state = run(state, { type: 'olderWanted', anchor: state.messages[0]!.envelopeId });
            } else if (what === 'answer' && state.loading) {
              state = answer(state, conversation);
            } else if (what === 'render' && state.anchor?.arrived) {
              state = run(state, { type: 'anchored' });
            } else if (what === 'changed') {
              state = run(state, { type: 'changed', conversationId: withSamuel });
            } else if (what === 'refreshDone' && state.refreshing) {
              const newest = conversation.page({ limit: pageSize });
              state = run(state, {
                type: 'refreshed',
                ticket: state.refreshing.ticket,
                answer: { kind: 'newest', newest, alerts: [] },
              });
            }
          };
          steps.forEach((what) => {
            const before = state.anchor;
            act(what);
            // A page that came keeps the row she was reading until the view is back on it.
            if (before?.arrived && what !== 'render') expect(state.anchor).toEqual(before);
          });
          // Then she scrolls on to the top.
          for (let guard = 0; guard < 100 && (state.hasOlder || state.loading); guard++) {
            ['scroll', 'answer', 'render'].forEach(act);
          }
          expect(seqsOf(state)).toEqual(range(first, first + count - 1));
          expect(state.hasOlder).toBe(false);
        },
      ),
      { numRuns: process.env.FAULTS_SCALE === 'full' ? 2_000 : 150 },
    );
  });
});

describe('answers no longer awaited', () => {
  it('drops the first page of a conversation she has already left', () => {
    const samuel = history(range(2, 300));
    const ward = history(range(2, 50), withWard);
    const leaving = openTimeline({ conversationId: withSamuel, focus: null });
    const late = {
      type: 'answered',
      ticket: leaving.loading!.ticket,
      answer: samuel.answer(leaving.loading!),
    } as const;
    let state = run(leaving, { type: 'open', conversationId: withWard, focus: null });
    const before = state;
    expect(run(state, late)).toBe(before);
    state = answer(state, ward);
    expect(state.messages.every((m) => m.conversationId === withWard)).toBe(true);
    expect(run(state, late)).toBe(state);
  });

  it('drops an older page of a conversation she switched away from while it loaded', () => {
    const samuel = history(range(2, 1_000));
    let state = opened(samuel);
    state = run(state, { type: 'olderWanted', anchor: keyOf(802) });
    const inFlight = state.loading!;
    state = answer(
      run(state, { type: 'open', conversationId: withWard, focus: null }),
      history(range(2, 50), withWard),
    );
    const answered = run(state, {
      type: 'answered',
      ticket: inFlight.ticket,
      answer: samuel.answer(inFlight),
    });
    expect(answered).toBe(state);
    expect(seqsOf(answered)).toEqual(range(2, 50));
  });

  it('does not fetch again for a change in another conversation; its own change is fetched once, however many come', () => {
    const conversation = history(range(2, 300));
    let state = opened(conversation);
    expect(run(state, { type: 'changed', conversationId: withWard })).toBe(state);
    state = run(state, { type: 'changed', conversationId: withSamuel });
    const first = state.refreshing!;
    expect(first).toMatchObject({ conversationId: withSamuel, aroundSeq: null });
    // Three more changes while that refresh runs: one more refresh after it, not three.
    state = run(
      state,
      ...Array.from({ length: 3 }, () => ({ type: 'changed', conversationId: withSamuel }) as const),
    );
    expect(state.refreshing).toBe(first);
    const newest: FreshCopy = { kind: 'newest', newest: conversation.page({ limit: pageSize }), alerts: [] };
    state = run(state, { type: 'refreshed', ticket: first.ticket, answer: newest });
    expect(state.refreshing?.ticket).toBeGreaterThan(first.ticket);
    state = run(state, { type: 'refreshed', ticket: state.refreshing!.ticket, answer: newest });
    expect(state.refreshing).toBeNull();
    // A late answer to the first refresh changes nothing.
    expect(run(state, { type: 'refreshed', ticket: first.ticket, answer: newest })).toBe(state);
  });

  it('fetches a change that comes while the conversation is still opening once its first page is in', () => {
    const conversation = history(range(2, 300));
    let state = openTimeline({ conversationId: withSamuel, focus: null });
    state = run(state, { type: 'changed', conversationId: withSamuel });
    expect(state.refreshing).toBeNull();
    state = answer(state, conversation);
    expect(state.refreshing).toMatchObject({ aroundSeq: null });
  });
});

describe('the reading end', () => {
  const arrival = (state: TimelineState, conversation: ReturnType<typeof history>) => {
    const run1 = run(state, { type: 'changed', conversationId: withSamuel });
    const newest: FreshCopy = { kind: 'newest', newest: conversation.page({ limit: pageSize }), alerts: [] };
    return run(run1, { type: 'refreshed', ticket: run1.refreshing!.ticket, answer: newest });
  };

  it('goes to the end on opening and follows a new message while she is at the end', () => {
    const state = opened(history(range(2, 300)));
    expect(state.follow).not.toBe(0);
    const after = arrival(state, history(range(2, 301)));
    expect(after.follow).not.toBe(state.follow);
    expect(after.newBelow).toBe(false);
  });

  it('stays on what she reads further up and says there is something new below', () => {
    let state = opened(history(range(2, 300)));
    state = run(state, { type: 'scrolled', atEnd: false });
    const after = arrival(state, history(range(2, 301)));
    expect(after.follow).toBe(state.follow);
    expect(after.newBelow).toBe(true);
    // 'New messages below' takes her there.
    const there = run(after, { type: 'toEnd' });
    expect(there).toMatchObject({ atEnd: true, newBelow: false });
    expect(there.follow).not.toBe(after.follow);
  });
});

describe('reading forward from a search hit', () => {
  it('is detached at the hit, reads on page by page and is live again at the newest', () => {
    const conversation = history(range(2, 1_000));
    let state = openTimeline({ conversationId: withSamuel, focus: { seq: 300 } });
    const around: Answer = {
      kind: 'around',
      before: conversation.page({ beforeSeq: 301, limit: 100 }),
      after: conversation.page({ afterSeq: 300, limit: 100 }),
      newest: null,
      alerts: [],
    };
    state = run(state, { type: 'answered', ticket: state.loading!.ticket, answer: around });
    expect(state).toMatchObject({ window: 'detached', landed: { seq: 300 }, hasOlder: true });
    expect(state.tail.came).toBe('paging');
    while (state.window === 'detached') {
      state = run(state, { type: 'newerWanted' });
      state = answer(state, conversation);
    }
    expect(seqsOf(state).at(-1)).toBe(1_000);
    expect(seqsOf(state)).toEqual(range(seqsOf(state)[0]!, 1_000));
  });
});

describe('the scroll decision', () => {
  const box = (scrollTop: number) => ({ scrollTop, scrollHeight: 10_000, clientHeight: 500 });
  it('asks for older near the top, newer at the end of a detached window, nothing in the middle', () => {
    expect(scrollDecision(box(100), { hasOlder: true, window: 'live' })).toEqual({
      atEnd: false,
      wants: 'older',
    });
    expect(scrollDecision(box(100), { hasOlder: false, window: 'live' }).wants).toBeNull();
    expect(scrollDecision(box(9_400), { hasOlder: true, window: 'detached' })).toEqual({
      atEnd: true,
      wants: 'newer',
    });
    expect(scrollDecision(box(9_400), { hasOlder: true, window: 'live' })).toEqual({
      atEnd: true,
      wants: null,
    });
    expect(scrollDecision(box(5_000), { hasOlder: true, window: 'detached' })).toEqual({
      atEnd: false,
      wants: null,
    });
  });
});

describe('opening with a screenful', () => {
  it('asks for two screenfuls of the shortest rows, never more than a page', () => {
    // A 490 px view (a ward PC's conversation pane): at 16 px a row at the least, 62 messages fill it twice.
    expect(firstPageSize(490)).toBe(62);
    expect(firstPageSize(490) * 16).toBeGreaterThanOrEqual(2 * 490);
    expect(firstPageSize(4_000)).toBe(pageSize);
    // Not laid out yet: the whole page, as before.
    expect(firstPageSize(0)).toBe(pageSize);
    expect(firstPageSize(undefined)).toBe(pageSize);
  });

  it('reads the rest page by page from a short first page, skipping nothing', () => {
    const conversation = history(range(2, 1_000));
    let state = openTimeline({ conversationId: withSamuel, focus: null });
    const limit = firstPageSize(490);
    const first: Answer = { kind: 'newest', newest: conversation.page({ limit }), alerts: [], limit };
    state = run(state, { type: 'answered', ticket: state.loading!.ticket, answer: first });
    // Its oldest message is held back as the probe, as with a full page: she sees the newest 61.
    expect(seqsOf(state)).toEqual(range(940, 1_000));
    expect(state).toMatchObject({ hasOlder: true, tail: { came: 'opening' } });
    // The view owes the trip to the end until it has gone there.
    expect(state.followed).not.toBe(state.follow);
    state = run(state, { type: 'followed', follow: state.follow });
    expect(state.followed).toBe(state.follow);
    while (state.hasOlder) {
      state = run(state, { type: 'olderWanted', anchor: keyOf(seqsOf(state)[0]!) });
      if (!state.loading) break;
      state = run(answer(state, conversation), { type: 'anchored' });
    }
    expect(seqsOf(state)).toEqual(range(2, 1_000));
  });
});
