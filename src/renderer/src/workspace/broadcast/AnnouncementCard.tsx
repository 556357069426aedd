import './broadcast.css';
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../../../shared/contract';
import { acknowledgementStatus } from '../acknowledgement';
import { formatClock } from '../time';
import { BroadcastCounts } from './BroadcastCounts';

/** A verified message of an announcement conversation: a card, not a chat bubble; the sender sees its counts. */
export function AnnouncementCard(props: {
  message: MessageView;
  senderName: string;
  nameOf: (userId: string) => string;
  changes: number;
  onAcknowledge: (seq: number) => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { message: m } = props;
  const ack = acknowledgementStatus(m, props.nameOf);
  return (
    <article
      className={`announcement${m.urgent ? ' announcement--urgent' : ''}`}
      aria-label={t('broadcast.cardLabel', { name: props.senderName })}
      data-testid="announcement-card"
    >
      <p className="announcement__label">
        <span className="tag tag--announcement">{t('broadcast.announcement')}</span>
        {m.urgent ? <span className="badge badge--urgent">{t('common.urgent')}</span> : null}
        <span className="message-meta">
          {t('broadcast.meta', { name: props.senderName, time: formatClock(m.time) })}
        </span>
      </p>
      {m.text ? <p className="announcement__text">{m.text}</p> : null}
      {m.own ? (
        m.pending || m.seq === null ? (
          <p className="message-status">
            {m.sendFailure ? t('broadcast.notSent', { reason: m.sendFailure }) : t('broadcast.sending')}
          </p>
        ) : (
          <BroadcastCounts
            conversationId={m.conversationId}
            seq={m.seq}
            changes={props.changes}
            nameOf={props.nameOf}
          />
        )
      ) : (
        <>
          {ack.text ? <p className="message-status">{ack.text}</p> : null}
          {ack.canAcknowledge ? (
            <button
              type="button"
              className="button button--primary"
              onClick={() => props.onAcknowledge(m.seq!)}
            >
              {t('broadcast.acknowledge')}
            </button>
          ) : null}
        </>
      )}
    </article>
  );
}

/** In place of the composer for a recipient: an announcement is not a chat. */
export function AnnouncementNote(props: { senderName: string }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <p className="announcement-note muted" data-testid="announcement-note">
      {t('broadcast.note', { name: props.senderName })}
    </p>
  );
}
