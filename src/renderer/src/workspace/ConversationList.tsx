import { Megaphone, UsersRound } from 'lucide-react';
import type { AvailabilityView, ConversationView } from '../../../shared/contract';
import { t } from '../i18n';
import { Avatar } from './availability/Avatar';
import { availabilityLabel } from './availability/labels';
import { formatTime } from './time';
import { unreadLabel } from './urgent/counts';
import { UrgentIcon } from './urgent/UrgentIcon';

function previewOf(last: NonNullable<ConversationView['lastMessage']>): string {
  if (last.verdict === 'awaiting-key') return t('list.waitingForKey');
  if (last.verdict === 'device-not-accepted') return t('list.held');
  if (last.verdict === 'quarantined') return t('list.unverified');
  if (last.preview) return last.preview;
  return last.kind === 'document' ? t('list.document') : t('list.message');
}

/**
 * The conversations in the order given (urgent ones first); filled unread badges, red for urgent. A direct
 * conversation's avatar carries the other person's status, which the row's name says in words too.
 */
export function ConversationList(props: {
  conversations: ConversationView[];
  selected: string | null;
  title: (c: ConversationView) => string;
  onSelect: (conversationId: string) => void;
  /** The status the other person of a direct conversation set (null: none, or not a direct one). */
  availability?: (c: ConversationView) => AvailabilityView | null;
  /** What an empty list says (the filter's words). */
  empty?: string;
}): React.JSX.Element {
  if (props.conversations.length === 0) return <p className="muted">{props.empty ?? t('list.empty')}</p>;
  return (
    <ul className="conversation-list">
      {props.conversations.map((c) => {
        const last = c.lastMessage;
        const status = c.kind === 'direct' ? (props.availability?.(c) ?? null) : null;
        const icon =
          c.kind === 'announcement' ? (
            <Megaphone className="icon" />
          ) : c.kind === 'group' ? (
            <UsersRound className="icon" />
          ) : undefined;
        return (
          <li key={c.conversationId}>
            <button
              type="button"
              className="conversation-item"
              aria-current={props.selected === c.conversationId ? 'true' : undefined}
              onClick={() => props.onSelect(c.conversationId)}
            >
              <Avatar name={props.title(c)} availability={status} icon={icon} />
              <span className="conversation-title">{props.title(c)}</span>
              {status ? (
                <span className="visually-hidden">
                  {t('list.status', { status: availabilityLabel(status) })}
                </span>
              ) : null}
              {c.kind === 'announcement' ? (
                <span className="tag tag--announcement">{t('list.announcement')}</span>
              ) : null}
              {c.unread > 0 ? (
                <span
                  className={c.urgentUnread > 0 ? 'badge badge--count badge--urgent' : 'badge badge--count'}
                  aria-label={unreadLabel(c.unread, c.urgentUnread)}
                >
                  {c.urgentUnread > 0 ? <UrgentIcon /> : null}
                  {c.unread}
                </span>
              ) : null}
              {c.alerts > 0 ? <span className="badge badge--alert">{t('list.integrityAlert')}</span> : null}
              {last?.patient ? (
                <span className="tag">{t('list.patient', { mrn: last.patient.mrn })}</span>
              ) : null}
              {last ? (
                <>
                  <span className="conversation-preview">{previewOf(last)}</span>
                  <time className="conversation-time" dateTime={last.at}>
                    {formatTime(last.at)}
                  </time>
                </>
              ) : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
