import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHitView } from '../../../shared/contract';
import { formatTime } from './time';
import { ErrorAlert } from '../components/ErrorAlert';

/** Searches every conversation's verified messages on this computer (the encrypted local index). */
export function MessageSearch(props: {
  nameOf: (userId: string) => string;
  titleOf: (conversationId: string) => string;
  /** Opens the conversation at the message found (seq null: not yet delivered, open at the newest). */
  onOpen: (conversationId: string, seq: number | null) => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHitView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function search(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    if (!query.trim()) {
      setHits(null);
      return;
    }
    const result = await window.clinical.call('messages.search', { query: query.trim() });
    if (result.ok) {
      setHits(result.value);
      setError(null);
    } else {
      setError(result.error.message);
    }
  }

  return (
    <div className="message-search" role="search" aria-label={t('search.label')}>
      <form onSubmit={(e) => void search(e)} className="inline-form">
        <label htmlFor="message-query">{t('search.query')}</label>
        <input
          id="message-query"
          className="input"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </form>
      <ErrorAlert message={error} />
      {hits !== null ? (
        <>
          <p className="muted search-hits__count" aria-live="polite">
            {t('search.count', { count: hits.length })}
          </p>
          <ul className="search-hits" aria-label={t('search.hits')}>
            {hits.length === 0 ? <li className="muted">{t('search.none')}</li> : null}
            {hits.map((h) => (
              <li key={h.envelopeId}>
                <button
                  type="button"
                  className="conversation-item"
                  onClick={() => props.onOpen(h.conversationId, h.seq)}
                >
                  <span className="conversation-title">{props.titleOf(h.conversationId)}</span>
                  {h.urgent ? <span className="badge badge--urgent">{t('common.urgent')}</span> : null}
                  {h.patient ? (
                    <span className="tag">{t('search.patient', { mrn: h.patient.mrn })}</span>
                  ) : null}
                  <span className="conversation-preview">
                    {t('search.preview', { name: props.nameOf(h.senderUserId), text: h.text })}
                  </span>
                  <time className="conversation-time" dateTime={h.at}>
                    {formatTime(h.at)}
                  </time>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
