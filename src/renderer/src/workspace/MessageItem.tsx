import type { MessageView } from '../../../shared/contract';
import { formatClock, formatTime } from './time';

const receiptLabel = { delivered: 'Delivered', read: 'Read', acknowledged: 'Acknowledged' } as const;

export function MessageItem(props: {
  message: MessageView;
  senderName: string;
  nameOf: (userId: string) => string;
  onAcknowledge: (seq: number) => void;
  onOpenDocument: (seq: number) => void;
}): React.JSX.Element {
  const { message: m } = props;
  const time = formatClock(m.time);
  if (m.verdict === 'quarantined' && m.reason === 'awaiting-key') {
    // Not an integrity failure: this computer has not received the user's key yet; the core opens the
    // message as soon as it arrives.
    return (
      <article
        className="message message--awaiting"
        aria-label={`Message from ${props.senderName}, waiting for the key`}
        aria-busy="true"
      >
        <p className="message-meta">
          {props.senderName} · {time}
        </p>
        <p className="message-awaiting">Waiting for the key to open this message on this computer…</p>
      </article>
    );
  }
  if (m.verdict === 'quarantined') {
    return (
      <article
        className="message message--unverified"
        aria-label={`Message from ${props.senderName} that could not be verified`}
      >
        <p className="message-meta">
          {props.senderName} · {time}
        </p>
        <p role="note">Could not verify this message ({m.reason}). It is not shown.</p>
      </article>
    );
  }
  const acknowledgedBy = m.receipts.filter((r) => r.kind === 'acknowledged');
  const latest = m.receipts.reduce<keyof typeof receiptLabel | null>(
    (best, r) =>
      best === null || Object.keys(receiptLabel).indexOf(r.kind) > Object.keys(receiptLabel).indexOf(best)
        ? r.kind
        : best,
    null,
  );
  return (
    <article
      className={`message${m.own ? ' message--own' : ''}${m.urgent ? ' message--urgent' : ''}`}
      aria-label={`Message from ${props.senderName}`}
    >
      <p className="message-meta">
        {props.senderName} · {time}
        {m.urgent ? <span className="badge badge--urgent">Urgent</span> : null}
        {m.patient ? (
          <span className="tag">
            Patient {m.patient.name} · {m.patient.mrn}
          </span>
        ) : null}
      </p>
      {m.text ? <p className="message-text">{m.text}</p> : null}
      {m.document ? (
        <p className="message-document">
          Document: {m.document.fileName}{' '}
          {m.seq !== null ? (
            <button type="button" className="button" onClick={() => props.onOpenDocument(m.seq!)}>
              Open {m.document.fileName}
            </button>
          ) : null}
        </p>
      ) : null}
      <p className="message-status">
        {m.own && !(m.ackRequired && acknowledgedBy.length > 0)
          ? m.pending
            ? 'Sending…'
            : m.sendFailure
              ? `Not sent (${m.sendFailure})`
              : latest
                ? receiptLabel[latest]
                : 'Sent'
          : null}
        {m.ackRequired
          ? acknowledgedBy.length > 0
            ? `Acknowledged by ${acknowledgedBy.map((r) => `${props.nameOf(r.userId)} at ${formatTime(r.at)}`).join(', ')}`
            : ' Acknowledgement required'
          : null}
      </p>
      {m.ackRequired && !m.own && m.seq !== null && acknowledgedBy.length === 0 ? (
        <button type="button" className="button button--primary" onClick={() => props.onAcknowledge(m.seq!)}>
          Acknowledge
        </button>
      ) : null}
    </article>
  );
}
