// The hospital's MRN format (machine policy `mrnPattern`): validated when the policy loads (compiles, bounded,
// anchored, no catastrophic backtracking), machine-only, and enforced by the core on every patient tag.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/main/core/policy';
import { createPatientRule } from '../../../src/main/core/patient/mrn-pattern';
import { AppError } from '../../../src/main/core/errors';
import { DEFAULT_MRN_PATTERN, mrnMatcher, mrnPatternProblem } from '../../../src/shared/patient';

const dir = mkdtempSync(join(tmpdir(), 'cm-mrn-'));
let n = 0;
const file = (content: unknown): string => {
  const path = join(dir, `policy-${n++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
};

const refusal = (fn: () => void): AppError | null => {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
};

describe('mrnPattern in the policy', () => {
  it('defaults to a permissive pattern, shown to the renderer in the policy summary', () => {
    const loaded = loadPolicy({ machine: null, user: null });
    expect(loaded.policy.mrnPattern).toBe(DEFAULT_MRN_PATTERN);
    expect(mrnMatcher(loaded.policy.mrnPattern)('RGH-0042817')).toBe(true);
  });

  it('takes the hospital format from the machine policy only', () => {
    const loaded = loadPolicy({ machine: file({ mrnPattern: '^[0-9]{7}$' }), user: null });
    expect(loaded.problems).toEqual([]);
    expect(loaded.policy.mrnPattern).toBe('^[0-9]{7}$');
    expect(loaded.sources.mrnPattern).toBe('machine');
    // A user's settings cannot widen what a patient tag may carry.
    const fromUser = loadPolicy({ machine: null, user: file({ mrnPattern: '^.*$' }) });
    expect(fromUser.policy.mrnPattern).toBe(DEFAULT_MRN_PATTERN);
  });

  it.each([
    ['[0-9]{7}', 'anchored'],
    ['^[0-9]{7}', 'anchored'],
    ['^[0-9]{7}\\$', 'anchored'],
    ['^([0-9]+$', 'not a valid regular expression'],
    ['^(a+)+$', 'repeat a group'],
    ['^(\\d*){2,}$', 'repeat a group'],
    [`^${'a'.repeat(300)}$`, '1 to 200'],
    ['', '1 to 200'],
  ])('refuses %j with a problem IT can act on; the file is ignored and the default applies', (bad, why) => {
    expect(mrnPatternProblem(bad)).toContain(why);
    const machine = file({ mrnPattern: bad });
    const loaded = loadPolicy({ machine, user: null });
    expect(loaded.problems.map((p) => p.field)).toContain('mrnPattern');
    expect(loaded.policy.mrnPattern).toBe(DEFAULT_MRN_PATTERN);
  });

  it('matches whole MRNs only, even through an alternation', () => {
    const matches = mrnMatcher('^[0-9]{7}$|^RGH[0-9]{5}$');
    expect(matches('0042817')).toBe(true);
    expect(matches('RGH12345')).toBe(true);
    expect(matches('0042817; DROP')).toBe(false);
    expect(matches('x0042817')).toBe(false);
  });
});

describe('the core checks every patient tag', () => {
  const rule = createPatientRule('^[0-9]{7}$');

  it('lets a whole tag in the format through, and no tag at all', () => {
    expect(refusal(() => rule.check({ mrn: '0042817', name: 'Mr John Petrov' }))).toBeNull();
    expect(refusal(() => rule.check(null))).toBeNull();
  });

  it.each([
    [{ mrn: '0042817', name: ' ' }, 'name is missing'],
    [{ mrn: '', name: 'Mr John Petrov' }, 'MRN is missing'],
    [{ mrn: '42-817', name: 'Mr John Petrov' }, "not in this hospital's format"],
    [{ mrn: ' 0042817', name: 'Mr John Petrov' }, 'spaces'],
  ])('refuses %j as invalid_patient, saying what is wrong and never repeating it', (patient, why) => {
    const error = refusal(() => rule.check(patient));
    expect(error?.code).toBe('invalid_patient');
    expect(error?.message).toContain(why);
    expect(error?.message).toContain('Nothing was sent');
    expect(error?.message).not.toContain('Petrov');
    if (patient.mrn.trim()) expect(error?.message).not.toContain(patient.mrn.trim());
  });

  it('never throws anything but invalid_patient, and passes exactly what the format matches', () => {
    const format = /^[0-9]{7}$/;
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 220 }), (mrn, name) => {
        const error = refusal(() => rule.check({ mrn, name }));
        const whole =
          mrn === mrn.trim() && name === name.trim() && name.trim().length > 0 && name.length <= 200;
        expect(error === null).toBe(whole && format.test(mrn));
        if (error) expect(error.code).toBe('invalid_patient');
      }),
      { numRuns: 500 },
    );
  });
});
