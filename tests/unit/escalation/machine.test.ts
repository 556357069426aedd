import { describe, expect, it } from 'vitest';
import {
  initialState,
  resume,
  transition,
  type EscalationAction,
  type EscalationEvent,
  type EscalationState,
  type EscalationTarget,
} from '../../../src/main/core/escalation/machine';

// Dr Asha Rao sends an urgent message to Dr Samuel Okafor at 14:05 with a 2-minute deadline.
const sentAt = Date.parse('2026-12-03T14:05:00Z');
const deadline = sentAt + 2 * 60_000;
const fischer: EscalationTarget = { kind: 'user', userId: 'dr.fischer' };
const cardiology: EscalationTarget = { kind: 'role', roleId: 'cardiology-on-call' };

/** Runs events in order; returns the final state and every action issued. */
function run(state: EscalationState, events: EscalationEvent[]) {
  const actions: EscalationAction[] = [];
  for (const event of events) {
    const t = transition(state, event);
    state = t.state;
    actions.push(...t.actions);
  }
  return { state, actions };
}

const sends = (actions: EscalationAction[]) =>
  actions.filter((a) => a.type !== 'timeline' && a.type !== 'wake').map((a) => a.type);
const timeline = (actions: EscalationAction[]) =>
  actions.flatMap((a) => (a.type === 'timeline' ? [a.item.kind] : []));

describe('escalation of an acknowledgement-required message', () => {
  it('Dr Okafor acknowledges in time: nothing escalates and the chain stops', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    const { state, actions } = run(start, [
      { type: 'time', now: sentAt },
      { type: 'acknowledged', userId: 'dr.okafor', via: 'original', now: sentAt + 60_000 },
      { type: 'time', now: deadline + 1 },
    ]);
    expect(state.status).toBe('acknowledged');
    expect(state.ack).toEqual({ userId: 'dr.okafor', at: sentAt + 60_000, late: false, via: 'original' });
    // Nothing was escalated, so nobody else is waiting to be told.
    expect(state.resolution).toBeUndefined();
    expect(sends(actions)).toEqual([]);
    expect(timeline(actions)).toEqual(['acknowledged']);
  });

  it('nobody answers: re-notify, escalate to Dr Fischer, alert the sender, in that order', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    const { state, actions } = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline + 1 },
      { type: 'step-done', step: 'escalate', now: deadline + 2 },
      { type: 'step-done', step: 'alert', now: deadline + 3 },
    ]);
    expect(sends(actions)).toEqual(['send-reminder', 'send-escalation', 'alert-sender']);
    expect(actions).toContainEqual({ type: 'send-escalation', userId: 'dr.fischer' });
    expect(timeline(actions)).toEqual(['deadline-passed', 'renotified', 'escalated', 'sender-alerted']);
    expect(state.status).toBe('finished');
    // Nothing more happens as time goes on.
    expect(transition(state, { type: 'time', now: deadline + 3_600_000 }).actions).toEqual([]);
  });

  it('a late acknowledgement stops the chain mid-way and is shown as late', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    const { state, actions } = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline + 1 },
      { type: 'acknowledged', userId: 'dr.okafor', via: 'original', now: deadline + 30_000 },
      { type: 'step-done', step: 'escalate', now: deadline + 31_000 },
    ]);
    expect(state.status).toBe('acknowledged');
    expect(state.ack?.late).toBe(true);
    // The quoted copy was on its way to Dr Fischer: she is told Dr Okafor acknowledged it.
    expect(sends(actions)).toEqual(['send-reminder', 'send-escalation', 'send-resolution']);
    expect(timeline(actions)).toEqual(['deadline-passed', 'renotified', 'acknowledged-late']);
  });

  it('the escalation target acknowledges after the escalation: late, and the sender is not alerted', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    const { actions } = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline },
      { type: 'acknowledged', userId: 'dr.fischer', via: 'escalated', now: deadline + 10_000 },
      { type: 'step-done', step: 'escalate', now: deadline + 10_001 },
    ]);
    expect(sends(actions)).not.toContain('alert-sender');
  });

  it('Dr Fischer acknowledges the quoted copy: Dr Okafor is told once, and the chain stays stopped', () => {
    const start = initialState({ deadlineAt: deadline, target: cardiology, online: true });
    const escalated = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline },
      { type: 'resolved', userId: 'dr.fischer', now: deadline },
      { type: 'step-done', step: 'escalate', now: deadline + 1 },
      { type: 'step-done', step: 'alert', now: deadline + 2 },
    ]);
    expect(timeline(escalated.actions)).toContain('escalated');
    expect(escalated.actions).toContainEqual({
      type: 'timeline',
      item: { kind: 'escalated', at: deadline + 1, userId: 'dr.fischer', roleId: 'cardiology-on-call' },
    });
    const { state, actions } = run(escalated.state, [
      { type: 'acknowledged', userId: 'dr.fischer', via: 'escalated', now: deadline + 60_000 },
      { type: 'step-done', step: 'resolve', now: deadline + 60_001 },
      { type: 'online', now: deadline + 60_002 },
      { type: 'time', now: deadline + 3_600_000 },
    ]);
    expect(sends(actions)).toEqual(['send-resolution']);
    expect(timeline(actions)).toEqual(['acknowledged-late', 'resolution-sent']);
    expect(state).toMatchObject({ status: 'acknowledged', resolution: 'sent' });
    expect(state.ack).toMatchObject({ userId: 'dr.fischer', via: 'escalated', late: true });
  });

  it('offline when the acknowledgement is seen: the resolution waits for the link, and survives a restart', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    const escalated = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline },
      { type: 'step-done', step: 'escalate', now: deadline },
      { type: 'step-done', step: 'alert', now: deadline },
      { type: 'offline' },
      { type: 'acknowledged', userId: 'dr.fischer', via: 'escalated', now: deadline + 1 },
      { type: 'step-failed', step: 'resolve' },
    ]);
    expect(sends(escalated.actions)).not.toContain('send-resolution');
    expect(escalated.state.resolution).toBe('pending');
    // Restarted offline: still waiting; restarted online (or reconnected): sent.
    expect(resume(escalated.state, deadline + 2, false).actions).toEqual([]);
    expect(sends(resume(escalated.state, deadline + 2, true).actions)).toEqual(['send-resolution']);
    expect(sends(transition(escalated.state, { type: 'online', now: deadline + 2 }).actions)).toEqual([
      'send-resolution',
    ]);
  });

  it('Dr Rao is offline at the deadline: the hub steps wait and run in order on reconnect', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: false });
    const offline = run(start, [{ type: 'time', now: deadline }]);
    expect(sends(offline.actions)).toEqual([]);
    expect(timeline(offline.actions)).toEqual(['deadline-passed', 'waiting-for-link']);
    const { state, actions } = run(offline.state, [
      { type: 'online', now: deadline + 600_000 },
      { type: 'step-done', step: 'renotify', now: deadline + 600_001 },
      { type: 'step-done', step: 'escalate', now: deadline + 600_002 },
      { type: 'step-done', step: 'alert', now: deadline + 600_003 },
    ]);
    expect(sends(actions)).toEqual(['send-reminder', 'send-escalation', 'alert-sender']);
    expect(state.status).toBe('finished');
  });

  it('the link drops during a step: it runs again on reconnect, not twice before', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    const { state, actions } = run(start, [
      { type: 'time', now: deadline },
      { type: 'offline' },
      { type: 'step-failed', step: 'renotify' },
      { type: 'time', now: deadline + 5 },
      { type: 'online', now: deadline + 10 },
    ]);
    expect(sends(actions)).toEqual(['send-reminder', 'send-reminder']);
    expect(state.running).toBe('renotify');
  });

  it('no escalation target: the sender is alerted at once and nothing is sent to anyone else', () => {
    const start = initialState({ deadlineAt: deadline, target: null, online: false });
    const atDeadline = run(start, [{ type: 'time', now: deadline }]);
    expect(sends(atDeadline.actions)).toEqual(['alert-sender']);
    expect(atDeadline.actions).toContainEqual({ type: 'alert-sender', reason: 'no-target' });
    const { state, actions } = run(atDeadline.state, [
      { type: 'online', now: deadline + 1 },
      { type: 'step-done', step: 'renotify', now: deadline + 2 },
    ]);
    expect(sends(actions)).toEqual(['send-reminder']);
    expect(state.status).toBe('finished');
  });

  it('a role that resolves to nobody: the sender is alerted at once, nothing is sent to anyone else', () => {
    const start = initialState({ deadlineAt: deadline, target: cardiology, online: true });
    const { state, actions } = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline + 1 },
      { type: 'resolved', userId: null, now: deadline + 2 },
    ]);
    expect(sends(actions)).toEqual(['send-reminder', 'resolve-target', 'alert-sender']);
    expect(actions).toContainEqual({ type: 'alert-sender', reason: 'no-target' });
    expect(timeline(actions)).toContain('no-target');
    expect(state.status).toBe('finished');
  });

  it('a role resolves to its backup, who gets the quoted message', () => {
    const start = initialState({ deadlineAt: deadline, target: cardiology, online: true });
    const { actions } = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline },
      { type: 'resolved', userId: 'dr.fischer', now: deadline },
    ]);
    expect(actions).toContainEqual({ type: 'send-escalation', userId: 'dr.fischer' });
  });

  it('before the deadline the machine only asks to be woken at it', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    expect(transition(start, { type: 'time', now: sentAt }).actions).toEqual([
      { type: 'wake', at: deadline },
    ]);
  });

  it('resumed after a crash mid-step: the step runs again, the earlier ones do not', () => {
    const start = initialState({ deadlineAt: deadline, target: fischer, online: true });
    const crashed = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline },
    ]).state;
    expect(crashed.running).toBe('escalate');
    const { actions } = resume(crashed, deadline + 60_000, true);
    expect(sends(actions)).toEqual(['send-escalation']);
    // Resumed while waiting, past the deadline: it escalates from the start.
    expect(sends(resume(start, deadline + 1, true).actions)).toEqual(['send-reminder']);
  });

  it('an acknowledgement after the chain finished is still recorded, as late', () => {
    const start = initialState({ deadlineAt: deadline, target: null, online: true });
    const finished = run(start, [
      { type: 'time', now: deadline },
      { type: 'step-done', step: 'renotify', now: deadline },
    ]).state;
    expect(finished.status).toBe('finished');
    const t = transition(finished, {
      type: 'acknowledged',
      userId: 'dr.okafor',
      via: 'original',
      now: deadline + 5,
    });
    expect(t.state.ack?.late).toBe(true);
    expect(
      transition(t.state, { type: 'acknowledged', userId: 'x', via: 'original', now: 0 }).actions,
    ).toEqual([]);
  });
});
