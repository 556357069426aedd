import type { Patient } from './composer-rules';

/** A patient conversation: one banner at the top instead of a pill on every message. */
export function PatientBanner(props: {
  patient: Patient;
  onOpenPatient: (mrn: string) => void;
  /** Admins may end it (a signed control entry); null for other members. */
  onEnd: (() => void) | null;
}): React.JSX.Element {
  const { patient } = props;
  return (
    <div
      className="patient-banner"
      role="note"
      aria-label="Patient conversation"
      data-testid="patient-banner"
    >
      <p>
        Patient conversation: <strong>{patient.name}</strong> · MRN {patient.mrn}
      </p>
      <button type="button" className="button" onClick={() => props.onOpenPatient(patient.mrn)}>
        Everything about {patient.name}
      </button>
      {props.onEnd ? (
        <button type="button" className="button" onClick={props.onEnd}>
          End patient conversation
        </button>
      ) : null}
    </div>
  );
}
