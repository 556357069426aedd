import { describe, expect, it } from 'vitest';
import { escalationAckOf, stepText, timeLeft } from '../../../src/renderer/src/workspace/escalation/text';

describe('what the escalation views say', () => {
  it('time left on Dr Rao\'s message, down to "Deadline passed"', () => {
    expect(timeLeft(120_000)).toBe('2 min left');
    expect(timeLeft(90_000)).toBe('1 min 30 s left');
    expect(timeLeft(4_100)).toBe('5 s left');
    expect(timeLeft(0)).toBe('Deadline passed');
  });

  it('each step names who, and a late acknowledgement says so', () => {
    const at = '2026-12-03T14:07:00Z';
    expect(stepText('escalated', 'Dr Lena Fischer', at, 'Cardiology on call')).toMatch(
      /Sent to Dr Lena Fischer \(Cardiology on call\), quoted as you signed it$/,
    );
    expect(stepText('resolved-received', 'Dr Lena Fischer', at, 'Cardiology on call')).toMatch(
      /Acknowledged by Dr Lena Fischer \(Cardiology on call\): no longer awaiting your acknowledgement$/,
    );
    expect(stepText('acknowledged-late', 'Dr Lena Fischer', at)).toMatch(
      /Acknowledged late by Dr Lena Fischer: escalation stopped$/,
    );
    expect(stepText('no-target', null, at)).toMatch(/nothing was sent to anyone else$/);
  });

  it("Dr Okafor's copy says who acknowledged it through the escalation, and only on the message it names", () => {
    const names: Record<string, string> = { 'dr.fischer': 'Dr Lena Fischer' };
    const resolved = {
      conversationId: 'c1',
      seq: 4,
      envelopeId: null,
      kind: 'resolved-received' as const,
      at: new Date(2026, 11, 3, 14, 32).toISOString(),
      userId: 'dr.fischer',
      roleId: 'cardiology-on-call',
    };
    const said = (seq: number) =>
      escalationAckOf(
        [resolved],
        seq,
        (u) => names[u]!,
        () => 'Cardiology on call',
      );
    expect(said(4)).toMatch(/^Acknowledged by Dr Lena Fischer \(Cardiology on call\) at .*14:32$/);
    expect(said(3)).toBeNull();
  });
});
