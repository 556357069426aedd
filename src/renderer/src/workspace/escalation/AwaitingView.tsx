import { acknowledgeBy, timeLeft } from './text';
import { useAwaiting, useRoleName } from './useEscalations';

/** "Awaiting my acknowledgement" and "Awaiting others", each entry opening its conversation. */
export function AwaitingView(props: {
  nameOf: (userId: string) => string;
  titleOf: (conversationId: string) => string;
  onOpen: (conversationId: string, seq: number | null) => void;
}): React.JSX.Element {
  const { mine, others } = useAwaiting();
  const roleName = useRoleName();
  const target = (t: { kind: 'user'; userId: string } | { kind: 'role'; roleId: string } | null) =>
    t === null ? 'nobody' : t.kind === 'user' ? props.nameOf(t.userId) : roleName(t.roleId);
  return (
    <section className="awaiting" aria-labelledby="awaiting-heading">
      <h2 id="awaiting-heading">Acknowledgements</h2>
      <h3 id="awaiting-mine">Awaiting my acknowledgement ({mine.length})</h3>
      {mine.length === 0 ? (
        <p className="muted">Nothing is waiting for your acknowledgement.</p>
      ) : (
        <ul aria-labelledby="awaiting-mine" className="awaiting-list">
          {mine.map((m) => (
            <li key={`${m.conversationId}:${m.seq}`}>
              <button type="button" className="button" onClick={() => props.onOpen(m.conversationId, m.seq)}>
                {m.urgent ? <strong>Urgent · </strong> : null}
                {props.nameOf(m.senderUserId)}: {m.text}
              </button>
              <span className="muted">
                {m.escalatedFrom
                  ? ` Escalated to you: not acknowledged by ${m.escalatedFrom.recipients.map(props.nameOf).join(', ')}`
                  : m.deadlineAt
                    ? ` ${acknowledgeBy(m.deadlineAt)}; then it escalates to ${target(m.target)}`
                    : null}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3 id="awaiting-others">Awaiting others ({others.length})</h3>
      {others.length === 0 ? (
        <p className="muted">All your messages with a deadline are acknowledged.</p>
      ) : (
        <ul aria-labelledby="awaiting-others" className="awaiting-list">
          {others.map((o) => (
            <li key={o.envelopeId}>
              <button type="button" className="button" onClick={() => props.onOpen(o.conversationId, o.seq)}>
                {props.titleOf(o.conversationId)}: {o.text}
              </button>
              <span className="muted">
                {' '}
                {timeLeft(o.msLeft)}
                {o.elsewhere
                  ? '; sent from another workstation: its escalation runs there'
                  : o.status === 'waiting'
                    ? `; escalates to ${target(o.target)}`
                    : '; escalated'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
