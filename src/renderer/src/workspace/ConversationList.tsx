import type { ConversationView } from '../../../shared/contract';

export function ConversationList(props: {
  conversations: ConversationView[];
  selected: string | null;
  title: (c: ConversationView) => string;
  onSelect: (conversationId: string) => void;
}): React.JSX.Element {
  if (props.conversations.length === 0) return <p className="muted">No conversations yet.</p>;
  return (
    <ul className="conversation-list">
      {props.conversations.map((c) => {
        const last = c.lastMessage;
        return (
          <li key={c.conversationId}>
            <button
              type="button"
              className="conversation-item"
              aria-current={props.selected === c.conversationId ? 'true' : undefined}
              onClick={() => props.onSelect(c.conversationId)}
            >
              <span className="conversation-title">{props.title(c)}</span>
              {c.unread > 0 ? (
                <span className="badge" aria-label={`${c.unread} unread`}>
                  {c.unread}
                </span>
              ) : null}
              {c.urgentUnread > 0 ? <span className="badge badge--urgent">Urgent</span> : null}
              {c.alerts > 0 ? <span className="badge badge--alert">Integrity alert</span> : null}
              {last?.patient ? <span className="tag">Patient {last.patient.mrn}</span> : null}
              <span className="conversation-preview">
                {last === null
                  ? ''
                  : last.verdict === 'quarantined'
                    ? 'Could not verify'
                    : (last.preview ?? 'Document')}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
