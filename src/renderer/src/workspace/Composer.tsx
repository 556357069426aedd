import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { progressText } from './progress';
import { useTypingReport } from './useTypingReport';
import { ErrorAlert } from '../components/ErrorAlert';
import { PatientChip } from './patient/PatientChip';
import { chipAfterSend, patientToSend, type Patient } from './patient/composer-rules';
import { useMrnRule } from './patient/useMrnRule';
import { UrgencyOptions } from './escalation/UrgencyOptions';
import { useDeadline } from './escalation/useEscalations';
import { useDraft } from './useDraft';

export function Composer(props: {
  conversationId: string;
  /** A patient conversation's patient: the chip starts as it and comes back after each send. */
  conversationPatient?: Patient | null;
  /** The user may make this a patient conversation (an admin of it, and it is not one yet). */
  onMakePatientConversation?: ((patient: Patient) => Promise<string | null>) | undefined;
}): React.JSX.Element {
  const { t } = useTranslation();
  const conversationPatient = props.conversationPatient ?? null;
  // Kept per conversation, encrypted with the profile: it survives switching, Settings and the lock screen.
  const kept = useDraft(props.conversationId);
  const { text } = kept;
  const [urgent, setUrgent] = useState(false);
  const [ackRequired, setAckRequired] = useState(false);
  const deadline = useDeadline();
  const [chip, setChip] = useState<Patient | null>(conversationPatient);
  const [draft, setDraft] = useState({ mrn: '', name: '' });
  const [error, setError] = useState<string | null>(null);
  const matches = useMrnRule();
  useTypingReport(props.conversationId, kept.typed ? text : '');
  // The conversation became (or stopped being) a patient conversation: the chip follows it.
  const patientKey = conversationPatient ? `${conversationPatient.mrn}\n${conversationPatient.name}` : null;
  const [chipKey, setChipKey] = useState(patientKey);
  if (chipKey !== patientKey) {
    setChipKey(patientKey);
    setChip(conversationPatient);
  }

  /** The patient to send with, or null after showing why nothing can be sent yet. */
  function decidePatient(): { patient: Patient | null } | null {
    const decided = patientToSend(chip, draft, matches);
    if ('problem' in decided) {
      setError(t('composer.nothingSent', { problem: decided.problem }));
      return null;
    }
    return decided;
  }
  function sent(): void {
    setError(null);
    kept.sent();
    setUrgent(false);
    setAckRequired(false);
    setDraft({ mrn: '', name: '' });
    setChip(chipAfterSend(conversationPatient));
  }

  async function send(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    if (!text.trim()) return;
    const decided = decidePatient();
    if (!decided) return;
    kept.flush(); // kept before sending: a save arriving after the send would bring the draft back
    const result = await window.clinical.call('messages.send', {
      conversationId: props.conversationId,
      text,
      urgent,
      ackRequired,
      patient: decided.patient,
      ...(ackRequired && deadline.minutes !== null ? { ackDeadlineMinutes: deadline.minutes } : {}),
    });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    sent();
  }
  const [attaching, setAttaching] = useState<string | null>(null);
  async function attach(): Promise<void> {
    const decided = decidePatient();
    if (!decided) return;
    const operationId = crypto.randomUUID();
    setAttaching(t('composer.choosing'));
    const stop = window.clinical.on('documents.progress', (p) => {
      if (p.operationId === operationId) setAttaching(progressText(p));
    });
    kept.flush();
    const result = await window.clinical.call('documents.attach', {
      operationId,
      conversationId: props.conversationId,
      text,
      urgent,
      ackRequired,
      patient: decided.patient,
    });
    stop();
    setAttaching(null);
    if (!result.ok) setError(result.error.message);
    else if (result.value) sent();
  }
  const make = props.onMakePatientConversation;
  return (
    <form className="composer" onSubmit={(e) => void send(e)} aria-label={t('composer.label')}>
      <label htmlFor="composer-text">{t('composer.message')}</label>
      <textarea
        id="composer-text"
        rows={3}
        value={text}
        // Focus is here when a conversation opens (by list, Ctrl+K or Alt+arrows).
        autoFocus
        onChange={(e) => kept.change(e.target.value)}
        onBlur={kept.flush}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
        }}
      />
      {kept.note ? (
        <p className="muted" role="status">
          {kept.note}
        </p>
      ) : null}
      <div className="composer-options">
        <UrgencyOptions
          urgent={urgent}
          onUrgent={setUrgent}
          ackRequired={ackRequired}
          onAckRequired={setAckRequired}
          deadline={deadline}
        />
        <PatientChip
          chip={chip}
          draft={draft}
          matches={matches}
          onDraft={setDraft}
          onChip={setChip}
          onProblem={setError}
          onMakeConversation={
            make && !conversationPatient
              ? (patient) => void make(patient).then((problem) => setError(problem))
              : undefined
          }
        />
        <button type="submit" className="button button--primary">
          {t('composer.send')}
        </button>
        <button type="button" className="button" onClick={() => void attach()} disabled={attaching !== null}>
          {t('composer.attach')}
        </button>
        {attaching ? <span role="status">{attaching}</span> : null}
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}
