import { Trans, useTranslation } from 'react-i18next';
import type { Patient } from './composer-rules';

/** A patient conversation: one banner at the top instead of a pill on every message. */
export function PatientBanner(props: {
  patient: Patient;
  onOpenPatient: (mrn: string) => void;
  /** Admins may end it (a signed control entry); null for other members. */
  onEnd: (() => void) | null;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { patient } = props;
  return (
    <div
      className="patient-banner"
      role="note"
      aria-label={t('patient.conversationLabel')}
      data-testid="patient-banner"
    >
      <p>
        <Trans
          i18nKey="patient.conversation"
          values={{ name: patient.name, mrn: patient.mrn }}
          components={{ strong: <strong /> }}
        />
      </p>
      <button type="button" className="button" onClick={() => props.onOpenPatient(patient.mrn)}>
        {t('patient.everything', { name: patient.name })}
      </button>
      {props.onEnd ? (
        <button type="button" className="button" onClick={props.onEnd}>
          {t('patient.end')}
        </button>
      ) : null}
    </div>
  );
}
