import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
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
      <h2 id="patient-view-heading">{t('patient.heading')}</h2>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const wanted = query.trim();
          if (!wanted) {
            setError(t('patient.enterMrn'));
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
          {t('patient.find')}
        </button>
      </form>
      <ErrorAlert message={error} />
      {mrn && loaded ? (
        <p role="status" className="muted">
          {items.length === 0
            ? t('patient.nothingTagged', { mrn })
            : next !== null
              ? t('patient.taggedMore', { count: items.length, mrn })
              : t('patient.tagged', { count: items.length, mrn })}
        </p>
      ) : null}
      <ul className="patient-items" aria-label={mrn ? t('patient.itemsAbout', { mrn }) : t('patient.items')}>
        {items.map((item) => (
          <li key={item.id} className="patient-item">
            <button
              type="button"
              className="patient-item__open"
              onClick={() => props.onOpen(item.conversationId, item.seq)}
            >
              <span className="message-meta">
                {t('patient.itemMeta', {
                  title: props.titleOf(item.conversationId),
                  name: props.nameOf(item.senderUserId),
                  time: formatTime(item.at),
                })}
                {item.urgent ? <span className="badge badge--urgent">{t('common.urgent')}</span> : null}
              </span>
              <span className="tag">
                {t('patient.chip', { name: item.patient.name, mrn: item.patient.mrn })}
              </span>
              {item.kind === 'document' ? (
                <span>{t('patient.document', { fileName: item.fileName ?? t('patient.unnamed') })}</span>
              ) : null}
              {item.text ? <span className="patient-item__text">{item.text}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      {next !== null && mrn ? (
        <button type="button" className="button" onClick={() => load(mrn, next)}>
          {t('patient.showOlder')}
        </button>
      ) : null}
    </section>
  );
}
