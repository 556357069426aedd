import { patientProblem, samePatient, type PatientDraft } from '../../../../shared/patient';
import { t } from '../../i18n';

export interface Patient {
  mrn: string;
  name: string;
}

/**
 * Turning what the user typed into a chip: both MRN and name, the MRN in the hospital's format. Never
 * drops a half-filled tag silently: it is either a chip or a problem to show.
 */
export function chipFrom(
  draft: PatientDraft,
  matches: (mrn: string) => boolean,
): { chip: Patient } | { problem: string } {
  const problem =
    !draft.mrn.trim() && !draft.name.trim() ? t('patient.enterBoth') : patientProblem(draft, matches);
  if (problem) return { problem };
  return { chip: { mrn: draft.mrn.trim(), name: draft.name.trim() } };
}

/**
 * What may be sent: the chip, unless the user left MRN or name typed but not made into a chip (then the
 * message is held and the problem shown, so a tag is never lost without the user knowing).
 */
export function patientToSend(
  chip: Patient | null,
  draft: PatientDraft,
  matches: (mrn: string) => boolean,
): { patient: Patient | null } | { problem: string } {
  if (chip) return { patient: chip };
  if (!draft.mrn.trim() && !draft.name.trim()) return { patient: null };
  const made = chipFrom(draft, matches);
  return 'problem' in made ? made : { patient: made.chip };
}

/** After a send: a patient conversation keeps its patient; any other conversation starts again with none. */
export function chipAfterSend(conversationPatient: Patient | null): Patient | null {
  return conversationPatient;
}

/** The pill a message shows: none when it is about the conversation's own patient. */
export function pillFor(
  messagePatient: Patient | null,
  conversationPatient: Patient | null,
): { patient: Patient; different: boolean } | null {
  if (!messagePatient) return null;
  if (conversationPatient && samePatient(messagePatient, conversationPatient)) return null;
  return { patient: messagePatient, different: conversationPatient !== null };
}
