import { useState } from 'react';
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
    <div className="message-search" role="search" aria-label="Messages on this computer">
      <form onSubmit={(e) => void search(e)} className="inline-form">
        <label htmlFor="message-query">Search messages</label>
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
            {hits.length === 1 ? '1 message found' : `${hits.length} messages found`}
          </p>
          <ul className="search-hits" aria-label="Messages found">
            {hits.length === 0 ? <li className="muted">No messages found.</li> : null}
            {hits.map((h) => (
              <li key={h.envelopeId}>
                <button
                  type="button"
                  className="conversation-item"
                  onClick={() => props.onOpen(h.conversationId, h.seq)}
                >
                  <span className="conversation-title">{props.titleOf(h.conversationId)}</span>
                  {h.urgent ? <span className="badge badge--urgent">Urgent</span> : null}
                  {h.patient ? <span className="tag">Patient {h.patient.mrn}</span> : null}
                  <span className="conversation-preview">
                    {props.nameOf(h.senderUserId)}: {h.text}
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
