import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DirectoryUser, PresenceView } from '../../../shared/contract';
import { fetchPresence, presenceLabel } from './presence';
import { AvailabilityBadge } from './availability/AvailabilityBadge';
import { ErrorAlert } from '../components/ErrorAlert';
import { RolePicker } from './roles/RolePicker';

export function NewConversation(props: {
  onStarted: (conversationId: string) => void;
  selfId: string | null;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<DirectoryUser[] | null>(null);
  const [presence, setPresence] = useState<PresenceView[]>([]);
  const [error, setError] = useState<string | null>(null);

  async function search(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    const result = await window.clinical.call('directory.search', { query });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const found = result.value.filter((u) => u.id !== props.selfId);
    setError(null);
    setResults(found);
    setPresence(await fetchPresence(found.map((u) => u.id)));
  }
  async function start(user: DirectoryUser): Promise<void> {
    const result = await window.clinical.call('conversations.create', {
      kind: 'direct',
      memberIds: [user.id],
    });
    if (result.ok) props.onStarted(result.value.conversationId);
    else setError(result.error.message);
  }
  return (
    <section className="new-conversation" aria-labelledby="new-conversation-heading">
      <h3 id="new-conversation-heading">{t('newConversation.heading')}</h3>
      <form onSubmit={(e) => void search(e)} className="inline-form">
        <label htmlFor="directory-query">{t('newConversation.query')}</label>
        <input id="directory-query" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="button">
          {t('common.search')}
        </button>
      </form>
      <ErrorAlert message={error} />
      {results !== null ? (
        <ul className="directory-results" aria-label={t('newConversation.found')}>
          {results.length === 0 ? <li className="muted">{t('common.nobodyFound')}</li> : null}
          {results.map((u) => (
            <li key={u.id}>
              <span>
                {u.displayName} · {u.roles.join(', ')} · {u.department}
                {presence
                  .filter((p) => p.userId === u.id)
                  .map((p) => (
                    <span key={p.userId} className={p.online ? 'presence presence--online' : 'presence'}>
                      {' '}
                      · {presenceLabel(p)}
                      {p.availability ? (
                        <>
                          {' '}
                          · <AvailabilityBadge view={p.availability} />
                        </>
                      ) : null}
                    </span>
                  ))}
              </span>
              <button
                type="button"
                className="button"
                onClick={() => void start(u)}
                aria-label={t('newConversation.messageLabel', { name: u.displayName })}
              >
                {t('newConversation.message')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <RolePicker onSent={props.onStarted} />
    </section>
  );
}
