import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView, MessageView, UpdateStatusView } from '../../../shared/contract';
import { ConversationList } from '../workspace/ConversationList';
import { formatTime } from '../workspace/time';
import { useDirectory } from '../workspace/useDirectory';

/**
 * The hub requires a newer version (docs/updates.md). Nothing can be sent from this version; what is already
 * on this computer stays readable here, read-only, until IT installs the update.
 */
export function UpdateRequiredScreen({
  status,
  username,
}: {
  status: UpdateStatusView;
  /** The signed-in user, left out of conversation titles. */
  username: string;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { user: nameOf, loaded } = useDirectory();
  const [conversations, setConversations] = useState<ConversationView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [changed, setChanged] = useState(0);
  useEffect(() => window.clinical.on('messages.changed', () => setChanged((n) => n + 1)), []);
  useEffect(() => {
    let live = true;
    void window.clinical.call('conversations.list').then((r) => live && r.ok && setConversations(r.value));
    return () => {
      live = false;
    };
  }, [changed]);
  useEffect(() => {
    if (!selected) return;
    let live = true;
    void window.clinical
      .call('messages.page', { conversationId: selected, limit: 100 })
      // Oldest first, read top to bottom like the conversation view.
      .then((r) => live && r.ok && setMessages([...r.value].sort((a, b) => a.time.localeCompare(b.time))));
    return () => {
      live = false;
    };
  }, [selected, changed]);

  const title = (c: ConversationView): string =>
    c.name ??
    (c.members
      .map((id) => nameOf(id))
      .filter((u) => u !== null && u.username !== username)
      .map((u) => u!.displayName)
      .join(', ') ||
      t('updates.conversation'));
  const open = conversations.find((c) => c.conversationId === selected) ?? null;

  return (
    <section className="update-required" aria-labelledby="update-required-heading">
      <div role="alert" className="alert alert--error update-required__notice">
        <h2 id="update-required-heading">{t('updates.heading')}</h2>
        <p>{t('updates.body', { current: status.currentVersion, minimum: status.minimumVersion })}</p>
        <p>{t('updates.readBelow')}</p>
      </div>
      <div className="update-required__reader">
        <nav aria-label={t('updates.conversationsLabel')}>
          <h3>{t('updates.conversations')}</h3>
          <ConversationList
            conversations={conversations}
            selected={selected}
            title={title}
            onSelect={setSelected}
          />
        </nav>
        <div aria-live="polite">
          {open ? (
            <>
              <h3>{title(open)}</h3>
              <ol className="update-required__messages" aria-label={t('updates.messagesLabel')}>
                {messages.map((m) => (
                  <li key={m.envelopeId} className="message">
                    <p className="message__meta">
                      <span>
                        {m.own
                          ? t('common.you')
                          : (nameOf(m.senderUserId)?.displayName ??
                            (loaded ? t('common.unknownSender') : t('common.loading')))}
                      </span>{' '}
                      <time dateTime={m.time}>{formatTime(m.time)}</time>
                      {m.urgent ? <span className="badge badge--urgent">{t('common.urgent')}</span> : null}
                    </p>
                    <p>
                      {m.verdict === 'valid'
                        ? (m.text ??
                          (m.document ? t('updates.document', { fileName: m.document.fileName }) : ''))
                        : t('updates.unverified')}
                    </p>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p className="muted">{t('updates.choose')}</p>
          )}
        </div>
      </div>
    </section>
  );
}
