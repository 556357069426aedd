import { useState } from 'react';
import { progressText } from './progress';
import { useTypingReport } from './useTypingReport';
import { ErrorAlert } from '../components/ErrorAlert';

export function Composer(props: { conversationId: string }): React.JSX.Element {
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [ackRequired, setAckRequired] = useState(false);
  const [mrn, setMrn] = useState('');
  const [patientName, setPatientName] = useState('');
  const [error, setError] = useState<string | null>(null);
  useTypingReport(props.conversationId, text);

  async function send(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    if (!text.trim()) return;
    const patient = mrn.trim() && patientName.trim() ? { mrn: mrn.trim(), name: patientName.trim() } : null;
    const result = await window.clinical.call('messages.send', {
      conversationId: props.conversationId,
      text,
      urgent,
      ackRequired,
      patient,
    });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setError(null);
    setText('');
    setUrgent(false);
    setAckRequired(false);
  }
  const [attaching, setAttaching] = useState<string | null>(null);
  async function attach(): Promise<void> {
    const operationId = crypto.randomUUID();
    setAttaching('Choosing a file…');
    const stop = window.clinical.on('documents.progress', (p) => {
      if (p.operationId === operationId) setAttaching(progressText(p));
    });
    const patient = mrn.trim() && patientName.trim() ? { mrn: mrn.trim(), name: patientName.trim() } : null;
    const result = await window.clinical.call('documents.attach', {
      operationId,
      conversationId: props.conversationId,
      text,
      urgent,
      ackRequired,
      patient,
    });
    stop();
    setAttaching(null);
    if (!result.ok) setError(result.error.message);
    else if (result.value) setText('');
  }
  return (
    <form className="composer" onSubmit={(e) => void send(e)} aria-label="Write a message">
      <label htmlFor="composer-text">Message</label>
      <textarea
        id="composer-text"
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
        }}
      />
      <div className="composer-options">
        <label>
          <input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.target.checked)} /> Urgent
        </label>
        <label>
          <input type="checkbox" checked={ackRequired} onChange={(e) => setAckRequired(e.target.checked)} />{' '}
          Acknowledgement required
        </label>
        <label>
          Patient MRN <input value={mrn} onChange={(e) => setMrn(e.target.value)} size={10} />
        </label>
        <label>
          Patient name{' '}
          <input value={patientName} onChange={(e) => setPatientName(e.target.value)} size={18} />
        </label>
        <button type="submit" className="button button--primary">
          Send
        </button>
        <button type="button" className="button" onClick={() => void attach()} disabled={attaching !== null}>
          Attach document
        </button>
        {attaching ? <span role="status">{attaching}</span> : null}
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}
