import type { MessageView } from '../../../shared/contract';
import { acknowledgementStatus, deliveryStatus } from './acknowledgement';
import { formatClock } from './time';
import { pillFor, type Patient } from './patient/composer-rules';
import { ToRoleLine } from './roles/ToRoleLine';
import { UrgentIcon } from './urgent/UrgentIcon';

export function MessageItem(props: {
  message: MessageView;
  senderName: string;
  nameOf: (userId: string) => string;
  onAcknowledge: (seq: number) => void;
  onOpenDocument: (seq: number) => void;
  /** A patient conversation's patient: messages about them show no pill (the banner says it once). */
  conversationPatient?: Patient | null;
  onOpenPatient?: (mrn: string) => void;
  /** "Acknowledged by … at …": its sender's signed word that the person it escalated to acknowledged it. */
  escalationAck?: string | null;
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
  if (m.verdict === 'quarantined' && m.reason === 'device-not-accepted') {
    // Held, not refused: it opens once the user accepts that workstation in contact details.
    return (
      <article
        className="message message--awaiting"
        aria-label={`Message from ${props.senderName}, held until a new workstation is accepted`}
      >
        <p className="message-meta">
          {props.senderName} · {time}
        </p>
        <p role="note">
          Sent from a new workstation of {props.senderName} that this computer has not accepted. It opens once
          you compare the safety number with {props.senderName} and accept the workstation in contact details.
        </p>
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
        <p role="note">
          {m.reason?.startsWith('ack-')
            ? `An acknowledgement that does not match a message here that asks for one (${m.reason}). It changes nothing.`
            : `Could not verify this message (${m.reason}). It is not shown.`}
        </p>
      </article>
    );
  }
  const delivery = deliveryStatus(m);
  const ack = acknowledgementStatus(m, props.nameOf);
  // Acknowledged through the escalation: that replaces "Acknowledgement required" (signed acks stay shown).
  const ackText = props.escalationAck
    ? [m.acknowledgements.length > 0 ? ack.text : null, props.escalationAck].filter(Boolean).join(' · ')
    : ack.text;
  return (
    <article
      className={`message${m.own ? ' message--own' : ''}${m.urgent ? ' message--urgent' : ''}`}
      aria-label={`Message from ${props.senderName}`}
    >
      {m.urgent ? (
        <p className="urgent-band">
          <UrgentIcon /> Urgent
        </p>
      ) : null}
      <p className="message-meta">
        {props.senderName} · {time}
        <PatientPill
          pill={pillFor(m.patient, props.conversationPatient ?? null)}
          onOpen={props.onOpenPatient}
        />
      </p>
      <ToRoleLine toRole={m.toRole} nameOf={props.nameOf} />
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
        {delivery}
        {delivery && ackText ? ' · ' : null}
        {ackText}
      </p>
      {ack.canAcknowledge ? (
        <button type="button" className="button button--primary" onClick={() => props.onAcknowledge(m.seq!)}>
          Acknowledge
        </button>
      ) : null}
    </article>
  );
}

function PatientPill(props: {
  pill: ReturnType<typeof pillFor>;
  onOpen: ((mrn: string) => void) | undefined;
}): React.JSX.Element | null {
  const { pill, onOpen } = props;
  if (!pill) return null;
  // In a patient conversation, a message about someone else must stand out.
  const label = `${pill.different ? 'Different patient: ' : 'Patient '}${pill.patient.name} · ${pill.patient.mrn}`;
  const className = pill.different ? 'tag tag--other-patient' : 'tag';
  return onOpen ? (
    <button type="button" className={`${className} tag--button`} onClick={() => onOpen(pill.patient.mrn)}>
      {label}
    </button>
  ) : (
    <span className={className}>{label}</span>
  );
}
