import { FileImage, FileText } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { AvailabilityView, MessageView } from '../../../shared/contract';
import { acknowledgementStatus, deliveryStatus } from './acknowledgement';
import { formatClock } from './time';
import { pillFor, type Patient } from './patient/composer-rules';
import { ToRoleLine } from './roles/ToRoleLine';
import { UrgentIcon } from './urgent/UrgentIcon';
import { formatSize } from './document/size';
import { Avatar, withStatus } from './availability/Avatar';

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
  /** Continues the group of the same sender's message just before: avatar and name are shown there once. */
  continues?: boolean;
  /** The status its sender set, as a dot on the avatar. */
  availability?: AvailabilityView | null;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { message: m } = props;
  const time = formatClock(m.time);
  if (m.verdict === 'quarantined' && m.reason === 'awaiting-key') {
    // Not an integrity failure: this computer has not received the user's key yet; the core opens the
    // message as soon as it arrives.
    return (
      <article
        className="message message--awaiting"
        aria-label={t('message.awaitingLabel', { name: props.senderName })}
        aria-busy="true"
      >
        <p className="message-meta">
          {props.senderName} · {time}
        </p>
        <p className="message-awaiting">{t('message.awaiting')}</p>
      </article>
    );
  }
  if (m.verdict === 'quarantined' && m.reason === 'device-not-accepted') {
    // Held, not refused: it opens once the user accepts that workstation in contact details.
    return (
      <article
        className="message message--awaiting"
        aria-label={t('message.heldLabel', { name: props.senderName })}
      >
        <p className="message-meta">
          {props.senderName} · {time}
        </p>
        <p role="note">{t('message.held', { name: props.senderName })}</p>
      </article>
    );
  }
  if (m.verdict === 'quarantined') {
    return (
      <article
        className="message message--unverified"
        aria-label={t('message.unverifiedLabel', { name: props.senderName })}
      >
        <p className="message-meta">
          {props.senderName} · {time}
        </p>
        <p role="note">
          {m.reason?.startsWith('ack-')
            ? t('message.unmatchedAck', { reason: m.reason })
            : t('message.unverified', { reason: m.reason })}
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
  // Own messages on the right with no avatar or name; others' on the left, the sender's name and initials once
  // per group.
  const head = !props.continues;
  const className = [
    'message',
    m.own ? 'message--own' : 'message--other',
    m.urgent ? 'message--urgent' : null,
    head ? null : 'message--continues',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <article className={className} aria-label={t('message.from', { name: props.senderName })}>
      {m.own ? null : head ? (
        <Avatar
          name={props.senderName}
          availability={props.availability}
          {...(props.availability ? { label: withStatus(props.senderName, props.availability) } : {})}
        />
      ) : (
        <span className="avatar" aria-hidden="true" />
      )}
      <div className="message-bubble">
        {m.urgent ? (
          <p className="urgent-band">
            <UrgentIcon /> {t('message.urgent')}
          </p>
        ) : null}
        <p className="message-meta">
          {head && !m.own ? <span className="message-sender">{props.senderName}</span> : null}
          <span>{time}</span>
          <PatientPill
            pill={pillFor(m.patient, props.conversationPatient ?? null)}
            onOpen={props.onOpenPatient}
          />
        </p>
        <ToRoleLine toRole={m.toRole} nameOf={props.nameOf} />
        {m.text ? <p className="message-text">{m.text}</p> : null}
        {m.document ? (
          <DocumentChip
            document={m.document}
            onOpen={m.seq !== null ? () => props.onOpenDocument(m.seq!) : null}
          />
        ) : null}
        <p className="message-status">
          {delivery}
          {delivery && ackText ? ' · ' : null}
          {ackText}
        </p>
        {ack.canAcknowledge ? (
          <button
            type="button"
            className="button button--primary"
            onClick={() => props.onAcknowledge(m.seq!)}
          >
            {t('message.acknowledge')}
          </button>
        ) : null}
      </div>
    </article>
  );
}

/**
 * A document in the timeline: its kind, name and size (its pages are known only once it is opened and
 * verified), and the way to open it.
 */
function DocumentChip(props: {
  document: NonNullable<MessageView['document']>;
  onOpen: (() => void) | null;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { document: d } = props;
  const Icon = d.mediaType.startsWith('image/') ? FileImage : FileText;
  return (
    <div className="message-document">
      <Icon aria-hidden="true" className="message-document__icon" size={28} />
      <p className="message-document__about">
        <span className="message-document__name">{d.fileName}</span>
        <span className="message-document__size">{formatSize(d.size)}</span>
      </p>
      {props.onOpen ? (
        <button type="button" className="button" onClick={props.onOpen}>
          {t('message.open')}
          <span className="visually-hidden"> {d.fileName}</span>
        </button>
      ) : null}
    </div>
  );
}

function PatientPill(props: {
  pill: ReturnType<typeof pillFor>;
  onOpen: ((mrn: string) => void) | undefined;
}): React.JSX.Element | null {
  const { t } = useTranslation();
  const { pill, onOpen } = props;
  if (!pill) return null;
  // In a patient conversation, a message about someone else must stand out.
  const about = { name: pill.patient.name, mrn: pill.patient.mrn };
  const label = pill.different ? t('message.differentPatient', about) : t('message.patient', about);
  const className = pill.different ? 'tag tag--other-patient' : 'tag';
  return onOpen ? (
    <button type="button" className={`${className} tag--button`} onClick={() => onOpen(pill.patient.mrn)}>
      {label}
    </button>
  ) : (
    <span className={className}>{label}</span>
  );
}
