import { describe, expect, it } from 'vitest';
import { stepText, timeLeft } from '../../../src/renderer/src/workspace/escalation/text';

describe('what the escalation views say', () => {
  it('time left on Dr Rao\'s message, down to "Deadline passed"', () => {
    expect(timeLeft(120_000)).toBe('2 min left');
    expect(timeLeft(90_000)).toBe('1 min 30 s left');
    expect(timeLeft(4_100)).toBe('5 s left');
    expect(timeLeft(0)).toBe('Deadline passed');
  });

  it('each step names who, and a late acknowledgement says so', () => {
    const at = '2026-12-03T14:07:00Z';
    expect(stepText('escalated', 'Dr Lena Fischer', at)).toMatch(/Sent, quoted, to Dr Lena Fischer$/);
    expect(stepText('acknowledged-late', 'Dr Lena Fischer', at)).toMatch(
      /Acknowledged late by Dr Lena Fischer: escalation stopped$/,
    );
    expect(stepText('no-target', null, at)).toMatch(/nothing was sent to anyone else$/);
  });
});
