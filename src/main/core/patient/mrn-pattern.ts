import {
  DEFAULT_MRN_PATTERN,
  MAX_MRN_PATTERN_LENGTH,
  mrnMatcher,
  mrnPatternProblem,
  patientProblem,
  type PatientDraft,
} from '../../../shared/patient';
import { AppError } from '../errors';

export { DEFAULT_MRN_PATTERN, MAX_MRN_PATTERN_LENGTH };

/** For the policy schema: the pattern compiles, is bounded and anchored. */
export const compilesAnchored = (pattern: string): boolean => mrnPatternProblem(pattern) === null;

/**
 * The core's check of a patient tag from the renderer (messages.send, documents.attach, a conversation's
 * patient): a compromised renderer cannot send a tag the composer would have refused. The message never
 * repeats the MRN or name (errors may be logged).
 */
export function createPatientRule(pattern: string): { check(patient: PatientDraft | null): void } {
  const matches = mrnMatcher(pattern);
  return {
    check(patient) {
      if (patient === null) return;
      const problem =
        !patient.mrn.trim() && !patient.name.trim()
          ? 'A patient tag needs both the MRN and the name.'
          : patientProblem(patient, matches);
      if (problem) throw new AppError('invalid_patient', `${problem} Nothing was sent.`);
      if (patient.mrn !== patient.mrn.trim() || patient.name !== patient.name.trim())
        throw new AppError(
          'invalid_patient',
          'The patient tag has spaces around the MRN or name. Nothing was sent.',
        );
    },
  };
}
