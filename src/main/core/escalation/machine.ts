/**
 * The escalation of one acknowledgement-required message with a deadline, as a pure state machine
 * (docs/escalation.md): `transition(state, event)` returns the next state and the actions the service performs.
 * No I/O, no clock: time arrives as events, so every path is tested without waiting.
 *
 * At the deadline, in order: (1) re-notify the recipients (a signed reminder the sender sends), (2) send the
 * message, quoted, to the escalation target, (3) alert the sender. Steps that need the hub wait for the link and
 * run on reconnect, in order. A target that resolves to nobody alerts the sender at once and nothing is sent to
 * anyone else. A verified acknowledgement stops the chain at any point; one after the deadline is marked late.
 * Once the message was escalated, the acknowledgement is told where the message still waits (the original
 * conversation, or the target's): a signed `resolved` message, sent once the link allows.
 */

export type EscalationTarget = { kind: 'user'; userId: string } | { kind: 'role'; roleId: string };

export type Step = 'renotify' | 'escalate' | 'alert' | 'resolve';

/** Which copy was acknowledged: the original message, or the copy escalated to the target. */
export type AckVia = 'original' | 'escalated';

export type TimelineKind =
  | 'deadline-passed'
  | 'waiting-for-link'
  | 'renotified'
  | 'escalated'
  | 'no-target'
  | 'sender-alerted'
  | 'acknowledged'
  | 'acknowledged-late'
  | 'resolution-sent';

export interface TimelineItem {
  kind: TimelineKind;
  /** ms since the epoch, on the service's clock. */
  at: number;
  /** Who acknowledged, or the user escalated to. */
  userId?: string;
  /** The role escalated to, when the target was a role. */
  roleId?: string;
}

export interface EscalationState {
  deadlineAt: number;
  target: EscalationTarget | null;
  status: 'waiting' | 'escalating' | 'finished' | 'acknowledged';
  /** Steps completed (or skipped, for 'escalate' without a target), in order. */
  done: Step[];
  /** The step whose action was issued and whose outcome is awaited. */
  running: Step | null;
  /** The user the target resolved to: undefined until resolved, null for nobody. */
  resolved?: string | null;
  online: boolean;
  ack: { userId: string; at: number; late: boolean; via?: AckVia } | null;
  /** After an acknowledgement of an escalated message: the `resolved` message, until it is sent. */
  resolution?: 'pending' | 'sent';
}

export type EscalationEvent =
  | { type: 'time'; now: number }
  | { type: 'online'; now: number }
  | { type: 'offline' }
  | { type: 'acknowledged'; userId: string; via: AckVia; now: number }
  | { type: 'resolved'; userId: string | null; now: number }
  | { type: 'step-done'; step: Step; now: number }
  /** A step's action failed (the hub went away mid-send): it runs again when the link is back. */
  | { type: 'step-failed'; step: Step };

export type EscalationAction =
  | { type: 'send-reminder' }
  | { type: 'resolve-target'; target: EscalationTarget }
  | { type: 'send-escalation'; userId: string }
  /** Tell the copy not acknowledged (`ack.via` says which was) that the message was acknowledged. */
  | { type: 'send-resolution' }
  | { type: 'alert-sender'; reason: 'unacknowledged' | 'no-target' }
  | { type: 'timeline'; item: TimelineItem }
  /** Wake the machine with a 'time' event at this instant. */
  | { type: 'wake'; at: number };

export interface Transition {
  state: EscalationState;
  actions: EscalationAction[];
}

const order: Step[] = ['renotify', 'escalate', 'alert'];

export function initialState(input: {
  deadlineAt: number;
  target: EscalationTarget | null;
  online: boolean;
}): EscalationState {
  return {
    deadlineAt: input.deadlineAt,
    target: input.target,
    status: 'waiting',
    done: [],
    running: null,
    online: input.online,
    ack: null,
  };
}

/** What to do when the machine is (re)started from a persisted state: a step that was running is run again. */
export function resume(state: EscalationState, now: number, online: boolean): Transition {
  const restarted: EscalationState = { ...state, running: null, online };
  if (restarted.status === 'waiting') return transition(restarted, { type: 'time', now });
  if (restarted.status === 'escalating') return advance(restarted, now, []);
  return { state: restarted, actions: resolutionDue(restarted) ? [{ type: 'send-resolution' }] : [] };
}

const resolutionDue = (state: EscalationState): boolean => state.resolution === 'pending' && state.online;

export function transition(state: EscalationState, event: EscalationEvent): Transition {
  if (state.status === 'acknowledged') return afterAcknowledged(state, event);
  switch (event.type) {
    case 'acknowledged': {
      const late = event.now >= state.deadlineAt;
      // A copy went (or may have gone) to the target: whoever did not acknowledge is told it was.
      const escalated =
        typeof state.resolved === 'string' &&
        (state.done.includes('escalate') || state.running === 'escalate');
      const next: EscalationState = {
        ...state,
        status: 'acknowledged',
        running: null,
        ack: { userId: event.userId, at: event.now, late, via: event.via },
        ...(escalated ? { resolution: 'pending' as const } : {}),
      };
      return {
        state: next,
        actions: [
          {
            type: 'timeline',
            item: { kind: late ? 'acknowledged-late' : 'acknowledged', at: event.now, userId: event.userId },
          },
          ...(resolutionDue(next) ? [{ type: 'send-resolution' as const }] : []),
        ],
      };
    }
    case 'offline':
      return { state: { ...state, online: false }, actions: [] };
    case 'online': {
      const next = { ...state, online: true };
      if (next.status === 'waiting') return transition(next, { type: 'time', now: event.now });
      if (next.status === 'escalating') return advance(next, event.now, []);
      return { state: next, actions: [] };
    }
    case 'time': {
      if (state.status !== 'waiting') return { state, actions: [] };
      if (event.now < state.deadlineAt) return { state, actions: [{ type: 'wake', at: state.deadlineAt }] };
      const started: EscalationState = { ...state, status: 'escalating' };
      const passed: EscalationAction = { type: 'timeline', item: { kind: 'deadline-passed', at: event.now } };
      // With no target at all the sender hears at once, whatever the link.
      if (state.target === null) {
        return advance(
          { ...started, resolved: null, done: [] },
          event.now,
          [passed, ...noTarget(event.now)],
          true,
        );
      }
      return advance(started, event.now, [passed]);
    }
    case 'resolved': {
      if (state.running !== 'escalate' || state.resolved !== undefined) return { state, actions: [] };
      const resolved: EscalationState = { ...state, running: null, resolved: event.userId };
      if (event.userId === null) {
        return advance(
          { ...resolved, done: [...resolved.done, 'escalate'] },
          event.now,
          noTarget(event.now),
          true,
        );
      }
      return advance(resolved, event.now, []);
    }
    case 'step-done': {
      if (state.running !== event.step) return { state, actions: [] };
      const done: EscalationState = { ...state, running: null, done: [...state.done, event.step] };
      const item: TimelineItem =
        event.step === 'renotify'
          ? { kind: 'renotified', at: event.now }
          : event.step === 'escalate'
            ? {
                kind: 'escalated',
                at: event.now,
                ...(state.resolved ? { userId: state.resolved } : {}),
                ...(state.target?.kind === 'role' ? { roleId: state.target.roleId } : {}),
              }
            : { kind: 'sender-alerted', at: event.now };
      return advance(done, event.now, [{ type: 'timeline', item }]);
    }
    case 'step-failed':
      if (state.running !== event.step) return { state, actions: [] };
      return { state: { ...state, running: null }, actions: [] };
  }
}

/** Acknowledged is final; only the resolution message may still be on its way. */
function afterAcknowledged(state: EscalationState, event: EscalationEvent): Transition {
  if (state.resolution !== 'pending') return { state, actions: [] };
  switch (event.type) {
    case 'online': {
      const next = { ...state, online: true };
      return { state: next, actions: [{ type: 'send-resolution' }] };
    }
    case 'offline':
      return { state: { ...state, online: false }, actions: [] };
    case 'step-done':
      if (event.step !== 'resolve') return { state, actions: [] };
      return {
        state: { ...state, resolution: 'sent' },
        actions: [
          {
            type: 'timeline',
            item: {
              kind: 'resolution-sent',
              at: event.now,
              ...(state.ack ? { userId: state.ack.userId } : {}),
            },
          },
        ],
      };
    default:
      return { state, actions: [] };
  }
}

function noTarget(now: number): EscalationAction[] {
  return [
    { type: 'timeline', item: { kind: 'no-target', at: now } },
    { type: 'alert-sender', reason: 'no-target' },
    { type: 'timeline', item: { kind: 'sender-alerted', at: now } },
  ];
}

/**
 * Issues the next step's action, if none is running. `alerted`: the sender was already alerted (no target), so
 * the final alert step counts as done once the hub steps are.
 */
function advance(
  state: EscalationState,
  now: number,
  actions: EscalationAction[],
  alerted = false,
): Transition {
  let next = alerted && !state.done.includes('alert') ? withAlertDone(state) : state;
  if (next.running !== null) return { state: next, actions };
  const step = order.find((s) => !next.done.includes(s));
  if (step === undefined) return { state: { ...next, status: 'finished' }, actions };
  if (step === 'alert')
    return {
      state: { ...next, running: 'alert' },
      actions: [...actions, { type: 'alert-sender', reason: 'unacknowledged' }],
    };
  if (step === 'escalate' && next.resolved === undefined && next.target?.kind === 'role') {
    // Resolving a role needs no step order beyond this one; the roster lookup is the service's.
    return {
      state: { ...next, running: 'escalate' },
      actions: [...actions, { type: 'resolve-target', target: next.target }],
    };
  }
  if (step === 'escalate' && next.resolved === undefined && next.target?.kind === 'user')
    next = { ...next, resolved: next.target.userId };
  // Nobody to escalate to: the sender was told already; the step is skipped, nothing goes to anyone else.
  if (step === 'escalate' && next.resolved === null)
    return advance({ ...next, done: [...next.done, 'escalate'] }, now, actions);
  if (!next.online) {
    const waiting = actions.some((a) => a.type === 'timeline' && a.item.kind === 'waiting-for-link');
    return {
      state: next,
      actions: waiting
        ? actions
        : [...actions, { type: 'timeline', item: { kind: 'waiting-for-link', at: now } }],
    };
  }
  if (step === 'renotify')
    return { state: { ...next, running: 'renotify' }, actions: [...actions, { type: 'send-reminder' }] };
  return {
    state: { ...next, running: 'escalate' },
    actions: [...actions, { type: 'send-escalation', userId: next.resolved! }],
  };
}

/** The alert was given already (no target): it is the last step, recorded as done up front. */
function withAlertDone(state: EscalationState): EscalationState {
  return { ...state, done: [...state.done.filter((s) => s !== 'alert'), 'alert'] };
}
