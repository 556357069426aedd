import { useCallback, useEffect, useRef, useState } from 'react';
import { PanelRight, X } from 'lucide-react';
import type { DirectoryUser } from '../../../shared/contract';
import { Composer } from './Composer';
import { EscalationStepRow } from './escalation/EscalationStepRow';
import { escalationAckOf } from './escalation/text';
import { useRoleName } from './escalation/useEscalations';
import { useEscalationSteps } from './escalation/useEscalationSteps';
import { t } from '../i18n';
import { ContactDetails } from './ContactDetails';
import { DocumentViewer } from './DocumentViewer';
import { MessageItem } from './MessageItem';
import { continuesGroup, messageBefore } from './message-group';
import { alertText, deviceNoticeText, timelineRows } from './timeline';
import { useContactKeys } from './useContactKeys';
import { AvailabilityBadge } from './availability/AvailabilityBadge';
import { useAvailability } from './availability/useAvailability';
import { useDeviceNotices } from './useDeviceNotices';
import { useDocumentViewer } from './useDocumentViewer';
import { useTimeline, type Loaded } from './timeline/useTimeline';
import { useTyping } from './useTyping';
import { ErrorAlert } from '../components/ErrorAlert';
import { PatientBanner } from './patient/PatientBanner';
import { AnnouncementCard, AnnouncementNote } from './broadcast/AnnouncementCard';
import { setConversationPatient } from './patient/setConversationPatient';
import type { Patient } from './patient/composer-rules';
import { pinnedUrgent } from './urgent/pinned';
import { PinnedUrgent } from './urgent/PinnedUrgent';

function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return t('conversation.typingOne', { name: names[0] });
  return t('conversation.typingMany', { names: names.slice(0, -1).join(', '), last: names.at(-1) });
}

/** One conversation: its verified history (virtualized, older pages on scroll), alerts in place, composer. */
export function ConversationView(props: {
  conversationId: string;
  title: string;
  others: { userId: string; user: DirectoryUser | null }[];
  nameOf: (userId: string) => string;
  changes: number;
  /** A message to open the conversation at (a search hit), instead of the newest. */
  focus: { seq: number } | null;
  /** No signed create or snapshot entry yet: the members shown are the server's word. */
  unconfirmed?: boolean;
  /** A patient conversation's patient (from its signed chain). */
  patient?: Patient | null;
  /** This user is an admin of the conversation: may make it a patient conversation or end that. */
  mayChangePatient?: boolean;
  onOpenPatient?: (mrn: string) => void;
  /** An announcement conversation: cards, counts for its sender, no composer for recipients. */
  announcement?: { mine: boolean; senderName: string } | null;
  /** Its unread urgent messages (the list's count): one asking for no acknowledgement is pinned until read. */
  urgentUnread?: number;
  /** A patient's view opened from this conversation, shown in the side panel (contact details take it when open). */
  patientPanel?: React.ReactNode;
  onClosePatient?: () => void;
}): React.JSX.Element {
  const { conversationId } = props;
  const typing = useTyping(conversationId);
  const deviceNotices = useDeviceNotices(conversationId, props.changes);
  // A device seen, accepted or removed since the conversation opened: contact details read the keys again.
  const deviceStates = deviceNotices.map((n) => `${n.deviceId}:${n.state}`).join(',');
  const keys = useContactKeys(
    props.others.map((o) => o.userId),
    deviceStates,
  );
  const statuses = useAvailability(props.others.map((o) => o.userId));
  const documents = useDocumentViewer(conversationId);
  const [showContacts, setShowContacts] = useState(false);
  const [patientError, setPatientError] = useState<string | null>(null);
  const patient = props.patient ?? null;
  const openPatient = props.onOpenPatient ?? (() => undefined);
  const scroller = useRef<HTMLDivElement>(null);
  const escalationSteps = useEscalationSteps(conversationId);
  const roleName = useRoleName();
  const rowsOf = useCallback(
    (loaded: Loaded) => timelineRows(loaded.messages, loaded.alerts, loaded, deviceNotices, escalationSteps),
    [deviceNotices, escalationSteps],
  );
  const timeline = useTimeline({ conversationId, focus: props.focus, scroller, rowsOf });
  const { rows, virtualizer, messages, alerts, hasOlder, hasNewer, landed, reload } = timeline;

  // A pinned urgent message jumped to (until the next search hit lands), else the search hit: bring it to the
  // middle of the view once it is loaded, and give it focus.
  const [jump, setJump] = useState<{ seq: number; after: typeof landed } | null>(null);
  const target = jump && jump.after === landed ? jump : landed;
  const foundIndex = target
    ? rows.findIndex((r) => r.kind === 'message' && r.message.seq === target.seq)
    : -1;
  const shown = useRef<object | null>(null);
  const focused = useRef<object | null>(null);
  useEffect(() => {
    if (!target || foundIndex < 0 || shown.current === target) return;
    shown.current = target;
    virtualizer.scrollToIndex(foundIndex, { align: 'center' });
  }, [target, foundIndex, virtualizer]);

  const changedKeys = keys.devices.filter((d) => d.status === 'key-changed');
  const heldDevices = keys.devices.filter((d) => d.status === 'unaccepted');
  const namesOf = (devices: { userId: string }[]) =>
    [...new Set(devices.map((d) => props.nameOf(d.userId)))].join(', ');
  const signerOf = (seq: number) => props.nameOf(messages.find((m) => m.seq === seq)?.senderUserId ?? '');
  const documentOf = (seq: number) => messages.find((m) => m.seq === seq)?.document ?? null;
  const acknowledge = (seq: number) =>
    void window.clinical.call('messages.acknowledge', { conversationId, seq }).then(reload);
  const { viewer } = documents;

  return (
    <div className="conversation-layout">
      <section className="conversation" aria-labelledby="conversation-heading">
        <div className="conversation__bar">
          <h2 id="conversation-heading">{props.title}</h2>
          <div
            className="conversation__availability"
            role="group"
            aria-label={t('conversation.status')}
            data-testid="conversation-availability"
          >
            {props.others.map((o) => {
              const view = statuses.get(o.userId);
              return view ? (
                <AvailabilityBadge
                  key={o.userId}
                  view={view}
                  {...(props.others.length > 1 ? { name: props.nameOf(o.userId) } : {})}
                />
              ) : null;
            })}
          </div>
          <button
            type="button"
            className="button button--icon"
            aria-expanded={showContacts}
            onClick={() => setShowContacts((v) => !v)}
          >
            <PanelRight aria-hidden="true" className="icon" />
            {t('conversation.contactDetails')}
          </button>
        </div>
        {/* Notices above the timeline scroll among themselves, so the timeline and composer keep their room. */}
        <div className="conversation__notices">
          {changedKeys.length > 0 ? (
            <KeyWarning
              testId="key-change-warning"
              onCheck={showContacts ? null : () => setShowContacts(true)}
            >
              {t('conversation.keyChanged', { names: namesOf(changedKeys) })}
            </KeyWarning>
          ) : null}
          {heldDevices.length > 0 ? (
            <KeyWarning
              testId="new-device-warning"
              onCheck={showContacts ? null : () => setShowContacts(true)}
            >
              {t('conversation.newDevice', { names: namesOf(heldDevices) })}
            </KeyWarning>
          ) : null}
          <ErrorAlert message={keys.error} />
          {patient ? (
            <PatientBanner
              patient={patient}
              onOpenPatient={openPatient}
              onEnd={
                props.mayChangePatient
                  ? () => void setConversationPatient(conversationId, null).then(setPatientError)
                  : null
              }
            />
          ) : null}
          <ErrorAlert message={patientError} />
          {props.unconfirmed ? (
            <p role="status" className="alert alert--warning" data-testid="membership-unconfirmed">
              {t('conversation.unconfirmed')}
            </p>
          ) : null}
          {alerts.length > 0 ? (
            <p role="alert" className="alert alert--error" data-testid="integrity-alerts">
              {t('conversation.problems', { count: alerts.length })}
            </p>
          ) : null}
        </div>
        <PinnedUrgent
          pinned={pinnedUrgent(messages, props.urgentUnread ?? 0)}
          nameOf={props.nameOf}
          onJump={(seq) => setJump({ seq, after: landed })}
        />
        {hasOlder ? (
          <button type="button" className="button load-older" onClick={timeline.showOlder}>
            {t('conversation.loadOlder')}
          </button>
        ) : null}
        <div
          className="message-scroller"
          ref={scroller}
          role="log"
          aria-label={t('conversation.messages')}
          tabIndex={0}
          onScroll={timeline.onScroll}
        >
          <div
            className="message-canvas"
            ref={(el) => el?.style.setProperty('height', `${virtualizer.getTotalSize()}px`)}
          >
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]!;
              const found = item.index === foundIndex;
              return (
                <div
                  key={row.key}
                  data-index={item.index}
                  className={found ? 'message-row message-row--found' : 'message-row'}
                  tabIndex={found ? -1 : undefined}
                  ref={(el) => {
                    if (!el) return;
                    el.style.setProperty('transform', `translateY(${item.start}px)`);
                    virtualizer.measureElement(el);
                    if (found && focused.current !== target) {
                      focused.current = target;
                      el.focus({ preventScroll: true });
                    }
                  }}
                >
                  {row.kind === 'day' ? (
                    <p className="day-separator">
                      <span>{row.label}</span>
                    </p>
                  ) : row.kind === 'alert' ? (
                    <p role="note" className="alert alert--error integrity-alert">
                      {alertText(row.alert, props.nameOf)}
                    </p>
                  ) : row.kind === 'notice' ? (
                    <p
                      role="note"
                      className={
                        row.notice.state === 'awaiting-acceptance'
                          ? 'alert alert--warning device-notice'
                          : 'alert alert--info device-notice'
                      }
                      data-testid="device-notice"
                    >
                      {deviceNoticeText(row.notice, props.nameOf(row.notice.userId))}
                    </p>
                  ) : row.kind === 'escalation' ? (
                    <EscalationStepRow step={row.step} nameOf={props.nameOf} roleName={roleName} />
                  ) : props.announcement && row.message.verdict === 'valid' ? (
                    <AnnouncementCard
                      message={row.message}
                      senderName={props.nameOf(row.message.senderUserId)}
                      nameOf={props.nameOf}
                      changes={props.changes}
                      onAcknowledge={acknowledge}
                    />
                  ) : (
                    <MessageItem
                      message={row.message}
                      senderName={props.nameOf(row.message.senderUserId)}
                      nameOf={props.nameOf}
                      onAcknowledge={acknowledge}
                      onOpenDocument={(seq) => void documents.open(seq, documentOf(seq)?.mediaType)}
                      continues={continuesGroup(messageBefore(rows, item.index), row.message)}
                      availability={statuses.get(row.message.senderUserId) ?? null}
                      conversationPatient={patient}
                      onOpenPatient={openPatient}
                      escalationAck={escalationAckOf(
                        escalationSteps,
                        row.message.seq,
                        props.nameOf,
                        roleName,
                      )}
                    />
                  )}
                </div>
              );
            })}
          </div>
        </div>
        <p className="typing muted" aria-live="polite">
          {typingText(typing.map(props.nameOf))}
        </p>
        {hasNewer ? (
          <button type="button" className="button show-newest" onClick={timeline.showNewest}>
            {t('conversation.showNewest')}
          </button>
        ) : timeline.newBelow ? (
          <button type="button" className="button show-newest" onClick={timeline.toEnd}>
            {t('conversation.newBelow')}
          </button>
        ) : null}
        {viewer ? (
          <DocumentViewer
            viewer={viewer}
            fileName={documentOf(viewer.seq)?.fileName ?? ''}
            signerName={signerOf(viewer.seq)}
            onClose={documents.close}
            onExportEvidence={() =>
              void window.clinical.call('documents.exportEvidence', { conversationId, seq: viewer.seq })
            }
          />
        ) : null}
        {props.announcement && !props.announcement.mine ? (
          <AnnouncementNote senderName={props.announcement.senderName} />
        ) : (
          <Composer
            conversationId={conversationId}
            conversationPatient={patient}
            onMakePatientConversation={
              props.mayChangePatient ? (p) => setConversationPatient(conversationId, p) : undefined
            }
          />
        )}
      </section>
      {showContacts ? (
        <aside className="side-panel" aria-labelledby="contact-details-heading">
          <ContactDetails
            people={props.others}
            devices={keys.devices}
            presence={keys.presence}
            onAccept={(d) => void keys.accept(d)}
            onClose={() => setShowContacts(false)}
          />
        </aside>
      ) : props.patientPanel ? (
        <aside className="side-panel" aria-labelledby="patient-view-heading">
          <button
            type="button"
            className="button button--icon side-panel__close"
            onClick={props.onClosePatient}
          >
            <X aria-hidden="true" className="icon" />
            {t('conversation.closePatient')}
          </button>
          {props.patientPanel}
        </aside>
      ) : null}
    </div>
  );
}

/** A held key or device of a colleague, with the way to the safety number (unless contact details are open). */
function KeyWarning(props: {
  testId: string;
  onCheck: (() => void) | null;
  children: React.ReactNode;
}): React.JSX.Element {
  return (
    <div role="alert" className="alert alert--warning" data-testid={props.testId}>
      <p>{props.children}</p>
      {props.onCheck ? (
        <button type="button" className="button" onClick={props.onCheck}>
          {t('conversation.checkSafetyNumber')}
        </button>
      ) : null}
    </div>
  );
}
