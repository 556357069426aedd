import { X } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Tip } from '../../components/Tip';
import { chipFrom, type Patient } from './composer-rules';

/**
 * The composer's patient: either one chip (name · MRN) with an explicit ✕, or the two fields to make one.
 * `draft` is lifted to the composer so a half-typed tag holds the send instead of vanishing.
 */
export function PatientChip(props: {
  chip: Patient | null;
  draft: { mrn: string; name: string };
  matches: (mrn: string) => boolean;
  onDraft: (draft: { mrn: string; name: string }) => void;
  onChip: (chip: Patient | null) => void;
  onProblem: (problem: string | null) => void;
  /** Offered when the user may make this a patient conversation and it is not one yet. */
  onMakeConversation?: ((chip: Patient) => void) | undefined;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const { chip, draft } = props;
  if (chip) {
    return (
      <span className="patient-chip-row">
        <span className="patient-chip" data-testid="patient-chip">
          {t('patient.chip', { name: chip.name, mrn: chip.mrn })}
          <Tip label={t('patient.remove', { name: chip.name })}>
            <button
              type="button"
              className="patient-chip__remove"
              aria-label={t('patient.remove', { name: chip.name })}
              onClick={() => props.onChip(null)}
            >
              <X aria-hidden="true" size={14} />
            </button>
          </Tip>
        </span>
        {props.onMakeConversation ? (
          <button type="button" className="button" onClick={() => props.onMakeConversation?.(chip)}>
            {t('patient.make')}
          </button>
        ) : null}
      </span>
    );
  }
  if (!open && !draft.mrn && !draft.name) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        {t('patient.tag')}
      </button>
    );
  }
  const add = (): void => {
    const made = chipFrom(draft, props.matches);
    if ('problem' in made) {
      props.onProblem(made.problem);
      return;
    }
    props.onProblem(null);
    props.onDraft({ mrn: '', name: '' });
    props.onChip(made.chip);
    setOpen(false);
  };
  return (
    <span className="patient-fields" role="group" aria-label={t('patient.fields')}>
      <label>
        {t('patient.mrn')}{' '}
        <input
          value={draft.mrn}
          // Opened with "Tag a patient": the keyboard goes straight to the first field.
          autoFocus={open}
          onChange={(e) => props.onDraft({ ...draft, mrn: e.target.value })}
          maxLength={64}
          size={10}
        />
      </label>
      <label>
        {t('patient.name')}{' '}
        <input
          value={draft.name}
          onChange={(e) => props.onDraft({ ...draft, name: e.target.value })}
          maxLength={200}
          size={18}
        />
      </label>
      <button type="button" className="button" onClick={add}>
        {t('patient.add')}
      </button>
      <button
        type="button"
        className="button"
        onClick={() => {
          props.onDraft({ mrn: '', name: '' });
          props.onProblem(null);
          setOpen(false);
        }}
      >
        {t('common.cancel')}
      </button>
    </span>
  );
}
