// Dr Asha Rao's conversation with Dr Samuel Okafor: each escalation step is a system row at the time it
// happened, between the messages (her urgent message at 14:05, the deadline at 14:07, his reply at 14:10).
import { expect, it } from 'vitest';
import type { EscalationStepView, MessageView } from '../../../src/shared/contract';
import { timelineRows, type Row } from '../../../src/renderer/src/workspace/timeline';
import { messageView } from '../renderer/message-view';

const local = (h: number, m: number): string => {
  const d = new Date();
  d.setHours(h, m, 0, 0);
  return d.toISOString();
};
const message = (seq: number, time: string): MessageView => messageView({ seq, time });
const step = (kind: EscalationStepView['kind'], at: string): EscalationStepView => ({
  conversationId: 'c1',
  seq: 1,
  envelopeId: null,
  kind,
  at,
  userId: null,
  roleId: null,
});
const shape = (rows: Row[]) =>
  rows.map((r) => (r.kind === 'message' ? r.message.seq : r.kind === 'escalation' ? r.step.kind : r.kind));

const messages = [message(1, local(14, 5)), message(2, local(14, 10))];
// As the core lists them: by time, then in the order they were written.
const steps = [
  step('deadline-passed', local(14, 7)),
  step('renotified', local(14, 7)),
  step('acknowledged-late', local(14, 12)),
];

it('puts each step between the messages at its time, in order, the late acknowledgement after the reply', () => {
  expect(shape(timelineRows(messages, [], { hasOlder: false, hasNewer: false }, [], steps))).toEqual([
    'day',
    1,
    'deadline-passed',
    'renotified',
    2,
    'acknowledged-late',
  ]);
});

it('a step outside the loaded messages waits for its page', () => {
  expect(shape(timelineRows(messages, [], { hasOlder: false, hasNewer: true }, [], steps))).toEqual([
    'day',
    1,
    'deadline-passed',
    'renotified',
    2,
  ]);
  const later = [message(2, local(14, 10))];
  expect(shape(timelineRows(later, [], { hasOlder: true, hasNewer: false }, [], steps))).toEqual([
    'day',
    2,
    'acknowledged-late',
  ]);
});

it('her reminder and resolution messages are not bubbles: their step rows stand for them', () => {
  const withSteps = [
    message(1, local(14, 5)),
    messageView({ seq: 2, time: local(14, 7), urgent: true, escalationStep: 'reminder' }),
    message(3, local(14, 10)),
    messageView({ seq: 4, time: local(14, 12), escalationStep: 'resolved' }),
  ];
  expect(shape(timelineRows(withSteps, [], { hasOlder: false, hasNewer: false }, [], steps))).toEqual([
    'day',
    1,
    'deadline-passed',
    'renotified',
    3,
    'acknowledged-late',
  ]);
});
