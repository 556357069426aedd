import { useCallback, useEffect, useState } from 'react';
import type { PatientItemView } from '../../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatTime } from '../time';

const PAGE = 50;

/**
 * Every message and document about one MRN on this computer, across conversations, newest first, a page
 * at a time. Each item opens its conversation at that message.
 */
export function PatientView(props: {
  initialMrn: string | null;
  nameOf: (userId: string) => string;
  titleOf: (conversationId: string) => string;
  onOpen: (conversationId: string, seq: number | null) => void;
}): React.JSX.Element {
  const [query, setQuery] = useState(props.initialMrn ?? '');
  const [mrn, setMrn] = useState(props.initialMrn);
  const [items, setItems] = useState<PatientItemView[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const load = useCallback((forMrn: string, beforeId: number | null) => {
    const asked = { mrn: forMrn, limit: PAGE, ...(beforeId !== null ? { beforeId } : {}) };
    void window.clinical.call('messages.byPatient', asked).then((result) => {
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setError(null);
      setItems((before) => (beforeId === null ? result.value.items : [...before, ...result.value.items]));
      setNext(result.value.next);
      setLoaded(true);
    });
  }, []);
  useEffect(() => {
    if (mrn) load(mrn, null);
  }, [mrn, load]);

  return (
    <section className="patient-view" aria-labelledby="patient-view-heading">
      <h2 id="patient-view-heading">Patient</h2>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const wanted = query.trim();
          if (!wanted) {
            setError('Enter the MRN to look for.');
            return;
          }
          setLoaded(false);
          if (wanted === mrn) load(wanted, null);
          else setMrn(wanted);
        }}
      >
        <label>
          MRN <input value={query} onChange={(e) => setQuery(e.target.value)} maxLength={64} size={14} />
        </label>
        <button type="submit" className="button button--primary">
          Find
        </button>
      </form>
      <ErrorAlert message={error} />
      {mrn && loaded ? (
        <p role="status" className="muted">
          {items.length === 0
            ? `Nothing on this computer is tagged with MRN ${mrn}.`
            : `${items.length}${next !== null ? '+' : ''} ${items.length === 1 ? 'item' : 'items'} tagged with MRN ${mrn} on this computer`}
        </p>
      ) : null}
      <ul
        className="patient-items"
        aria-label={mrn ? `Messages and documents about MRN ${mrn}` : 'Patient items'}
      >
        {items.map((item) => (
          <li key={item.id} className="patient-item">
            <button
              type="button"
              className="patient-item__open"
              onClick={() => props.onOpen(item.conversationId, item.seq)}
            >
              <span className="message-meta">
                {props.titleOf(item.conversationId)} · {props.nameOf(item.senderUserId)} ·{' '}
                {formatTime(item.at)}
                {item.urgent ? <span className="badge badge--urgent">Urgent</span> : null}
              </span>
              <span className="tag">
                Patient {item.patient.name} · {item.patient.mrn}
              </span>
              {item.kind === 'document' ? <span>Document: {item.fileName ?? 'unnamed'}</span> : null}
              {item.text ? <span className="patient-item__text">{item.text}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      {next !== null && mrn ? (
        <button type="button" className="button" onClick={() => load(mrn, next)}>
          Show older
        </button>
      ) : null}
    </section>
  );
}
