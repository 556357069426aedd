/**
 * The patient tag rules, shared by the composer (which says what is wrong before sending) and the core (which
 * refuses the same tag from any renderer): both MRN and name, the MRN in the hospital's format.
 */

/** Where the machine policy is silent: letters, digits and hyphens, 1 to 20 of them. */
export const DEFAULT_MRN_PATTERN = '^[A-Za-z0-9-]{1,20}$';
export const MAX_MRN_PATTERN_LENGTH = 200;
export const MAX_MRN_LENGTH = 64;
export const MAX_PATIENT_NAME_LENGTH = 200;

// A quantified group that itself holds a quantifier ("(a+)+", "(\d*){2,}"): catastrophic backtracking.
const NESTED_QUANTIFIER = /\([^()]*(?:[*+]|\{\d+,?\d*\})[^()]*\)(?:[*+]|\{\d+,?\d*\})/;

/** Why a policy's MRN pattern cannot be used, or null when it can. */
export function mrnPatternProblem(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_MRN_PATTERN_LENGTH)
    return `must be 1 to ${MAX_MRN_PATTERN_LENGTH} characters`;
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$'))
    return 'must be anchored: start with ^ and end with $, like ^[0-9]{7}$';
  if (NESTED_QUANTIFIER.test(pattern))
    return 'must not repeat a group that repeats (it can take minutes to check)';
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'is not a valid regular expression';
  }
  return null;
}

/** The pattern as a whole-string test (wrapped again, so an alternation cannot escape the anchors). */
export function mrnMatcher(pattern: string): (mrn: string) => boolean {
  const usable = mrnPatternProblem(pattern) === null ? pattern : DEFAULT_MRN_PATTERN;
  const re = new RegExp(`^(?:${usable})$`, 'u');
  return (mrn) => mrn.length <= MAX_MRN_LENGTH && re.test(mrn);
}

export interface PatientDraft {
  mrn: string;
  name: string;
}

/**
 * What is wrong with a patient tag, in words a ward user can act on, or null when it may be sent. Both
 * fields empty is no tag at all (null too); the caller decides that case.
 */
export function patientProblem(draft: PatientDraft, matches: (mrn: string) => boolean): string | null {
  const mrn = draft.mrn.trim();
  const name = draft.name.trim();
  if (!mrn && !name) return null;
  if (!name) return "The patient's name is missing: a patient tag needs both the MRN and the name.";
  if (!mrn) return "The patient's MRN is missing: a patient tag needs both the MRN and the name.";
  if (name.length > MAX_PATIENT_NAME_LENGTH)
    return `The patient's name is longer than ${MAX_PATIENT_NAME_LENGTH} characters.`;
  if (!matches(mrn))
    return "That MRN is not in this hospital's format; check the number on the patient's record.";
  return null;
}

/** Same patient: the same MRN and name (both trimmed). */
export function samePatient(a: PatientDraft | null | undefined, b: PatientDraft | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.mrn.trim() === b.mrn.trim() && a.name.trim() === b.name.trim();
}
