import { useCallback, useEffect, useState } from 'react';
import {
  ArrowLeft,
  Inbox,
  Mail,
  Megaphone,
  Settings,
  SquarePen,
  TriangleAlert,
  UserRound,
} from 'lucide-react';
import type { ConversationView as Conversation, SessionState } from '../../../shared/contract';
import { t } from '../i18n';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { MessageSearch } from './MessageSearch';
import { NewConversation } from './NewConversation';
import { SettingsView } from './SettingsView';
import { useDirectory } from './useDirectory';
import { PatientView } from './patient/PatientView';
import { AwaitingButton } from './escalation/AwaitingButton';
import { AwaitingView } from './escalation/AwaitingView';
import { AvailabilityControl } from './availability/AvailabilityControl';
import { useAvailability } from './availability/useAvailability';
import { NewAnnouncement } from './broadcast/NewAnnouncement';
import { urgentFirst } from './urgent/counts';
import { ArrowList } from './keyboard/ArrowList';
import { QuickSwitcher } from './keyboard/QuickSwitcher';
import { ShortcutSheet } from './keyboard/ShortcutSheet';
import { conversationBeside } from './keyboard/shortcuts';
import { focusBack, useEscape } from './keyboard/useEscape';
import { useShortcuts } from './keyboard/useShortcuts';

type ListFilter = 'all' | 'unread' | 'urgent';
interface Filter {
  value: ListFilter;
  label: string;
  icon: typeof Inbox;
  empty: string;
}
const listFilters = (): readonly Filter[] => [
  { value: 'all', label: t('workspace.all'), icon: Inbox, empty: t('list.empty') },
  { value: 'unread', label: t('workspace.unread'), icon: Mail, empty: t('workspace.emptyUnread') },
  { value: 'urgent', label: t('workspace.urgent'), icon: TriangleAlert, empty: t('workspace.emptyUrgent') },
];
const passes = (filter: ListFilter, c: Conversation): boolean =>
  filter === 'unread' ? c.unread > 0 : filter === 'urgent' ? c.urgentUnread > 0 : true;

type ActiveSession = Extract<SessionState, { status: 'active' }>;

/** The signed-in, unlocked app: conversations, the open conversation and its composer. */
export function Workspace({
  session,
  openRequest,
}: {
  session: ActiveSession;
  /** A conversation to open (its notification was clicked), once it is in the list. */
  openRequest: { conversationId: string } | null;
}): React.JSX.Element {
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ seq: number } | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [showAwaiting, setShowAwaiting] = useState(false);
  const [writingAnnouncement, setWritingAnnouncement] = useState(false);
  const [filter, setFilter] = useState<ListFilter>('all');
  /** The patient view, at an MRN (from a banner or pill) or empty (from the sidebar). */
  const [patientView, setPatientView] = useState<{ mrn: string | null } | null>(null);
  const [changes, setChanges] = useState(0);
  const { user, loaded: namesLoaded } = useDirectory();
  // Until the core has answered, a name is on its way: "Unknown sender" would say something it does not know.
  const nameOf = (userId: string) =>
    user(userId)?.displayName ?? (namesLoaded ? t('common.unknownSender') : t('common.loading'));
  const selfId =
    conversations[0]?.members.find((m) => user(m)?.username === session.profile.username) ?? null;
  const othersOf = (c: Conversation) =>
    c.members.filter((m) => user(m)?.username !== session.profile.username);
  const others = (c: Conversation) =>
    namesLoaded ? othersOf(c).map(nameOf).join(', ') || t('workspace.conversation') : t('common.loading');
  // The statuses of the other people of direct conversations: one question for the whole list, then pushes.
  const directOthers = [
    ...new Set(conversations.flatMap((c) => (c.kind === 'direct' ? othersOf(c).slice(0, 1) : []))),
  ].sort();
  const statuses = useAvailability(directOthers);
  // A recipient sees who an announcement is from; its sender sees whom it went to.
  const title = (c: Conversation) =>
    c.kind === 'announcement' && c.admins[0] && user(c.admins[0])?.username !== session.profile.username
      ? t('workspace.announcementFrom', { name: nameOf(c.admins[0]) })
      : others(c);

  const refresh = useCallback(() => {
    void window.clinical.call('conversations.list').then((result) => {
      // Urgent ones first here, so the list, the keyboard's next and previous and the switcher agree.
      if (result.ok) setConversations(urgentFirst(result.value));
    });
  }, []);
  useEffect(() => {
    void refresh();
    return window.clinical.on('messages.changed', () => {
      void refresh();
      setChanges((n) => n + 1);
    });
  }, [refresh]);

  /** Leaves every view for `next` (none: the open conversation, or on a narrow window the list). */
  const show = (next?: () => void): void => {
    setWritingAnnouncement(false);
    setShowSettings(false);
    setShowAwaiting(false);
    setPatientView(null);
    next?.();
  };
  const choose = (conversationId: string, seq: number | null = null): void => {
    setSelected(conversationId);
    setFocus(seq === null ? null : { seq });
    show();
  };
  const openPatient = (mrn: string | null): void => show(() => setPatientView({ mrn }));
  // A notification's conversation opens once the list has it, while rendering (no pass showing the old one).
  const [answered, setAnswered] = useState<object | null>(null);
  const requested = openRequest && answered !== openRequest ? openRequest.conversationId : null;
  if (requested && conversations.some((c) => c.conversationId === requested)) {
    setAnswered(openRequest);
    choose(requested);
  }

  // Keyboard-first: Ctrl+K, Alt+↑/↓, "?", and Esc back to the conversation from Settings, Awaiting, Patients.
  const [dialog, setDialog] = useState<'switcher' | 'sheet' | null>(null);
  useShortcuts((action) => {
    if (action === 'quick-switcher') return setDialog('switcher');
    if (action === 'shortcut-sheet') return setDialog('sheet');
    const ids = conversations.map((c) => c.conversationId);
    const next = conversationBeside(ids, selected, action === 'previous-conversation' ? -1 : 1);
    if (next) choose(next);
  });
  useEscape(
    () => {
      setShowSettings(false);
      setShowAwaiting(false);
      setPatientView(null);
    },
    showSettings || showAwaiting || patientView !== null,
  );

  const open = conversations.find((c) => c.conversationId === selected) ?? null;
  const titleOf = (id: string): string => {
    const c = conversations.find((x) => x.conversationId === id);
    return c ? title(c) : t('workspace.conversation');
  };
  // A patient opened from a conversation (its banner or a pill) shows beside it; from the sidebar, in its place.
  const patientBeside = open !== null && patientView?.mrn != null && !showSettings && !showAwaiting;
  const paneOpen =
    open !== null || showSettings || showAwaiting || patientView !== null || writingAnnouncement;
  const shown = conversations.filter((c) => passes(filter, c));
  const filters = listFilters();
  const patientPanel = patientBeside ? (
    <PatientView
      key={patientView.mrn ?? ''}
      initialMrn={patientView.mrn}
      nameOf={nameOf}
      titleOf={titleOf}
      onOpen={choose}
    />
  ) : null;
  return (
    // On a narrow window one pane at a time: the list, or what is open with a way back to the list.
    <div className={paneOpen ? 'workspace workspace--pane-open' : 'workspace'}>
      <nav className="sidebar" aria-labelledby="workspace-heading">
        <div className="sidebar__top">
          <h2 id="workspace-heading" className="sidebar-heading">
            {t('workspace.heading')}
          </h2>
          <button
            type="button"
            className="button button--icon sidebar-new"
            // The directory search, further down the sidebar: brought into view with the keyboard in it.
            onClick={() => document.getElementById('directory-query')?.focus()}
          >
            <SquarePen aria-hidden="true" className="icon" />
            {t('workspace.new')}
            <span className="visually-hidden">{t('workspace.newHidden')}</span>
          </button>
        </div>
        <div className="sidebar-filters" role="group" aria-label={t('workspace.showConversations')}>
          {filters.map((f) => (
            <button
              key={f.value}
              type="button"
              className="button button--icon button--toggle"
              aria-pressed={filter === f.value}
              onClick={() => setFilter(f.value)}
            >
              <f.icon aria-hidden="true" className="icon" />
              {f.label}
            </button>
          ))}
        </div>
        <div className="sidebar-filters" role="group" aria-label={t('workspace.views')}>
          <AwaitingButton current={showAwaiting} onClick={() => show(() => setShowAwaiting(true))} />
          <button
            type="button"
            className="button button--icon button--toggle sidebar-patients"
            aria-pressed={patientView !== null && !patientBeside}
            onClick={() => openPatient(null)}
          >
            <UserRound aria-hidden="true" className="icon" />
            {t('workspace.patients')}
          </button>
        </div>
        <MessageSearch nameOf={nameOf} titleOf={titleOf} onOpen={choose} />
        <ArrowList itemSelector=".conversation-item">
          <ConversationList
            conversations={shown}
            selected={selected}
            title={title}
            onSelect={choose}
            availability={(c) => statuses.get(othersOf(c)[0] ?? '') ?? null}
            empty={filters.find((f) => f.value === filter)!.empty}
          />
        </ArrowList>
        <NewConversation
          selfId={selfId}
          onStarted={(id) => {
            choose(id);
            void refresh();
          }}
        />
        <div className="sidebar__end">
          <button
            type="button"
            className="button button--icon sidebar-announcement"
            aria-current={writingAnnouncement ? 'page' : undefined}
            onClick={() => show(() => setWritingAnnouncement(true))}
          >
            <Megaphone aria-hidden="true" className="icon" />
            {t('workspace.newAnnouncement')}
          </button>
          <button
            type="button"
            className="button button--icon sidebar-settings"
            aria-current={showSettings ? 'page' : undefined}
            onClick={() => show(() => setShowSettings(true))}
          >
            <Settings aria-hidden="true" className="icon" />
            {t('workspace.settings')}
          </button>
          <AvailabilityControl />
        </div>
      </nav>
      <div className="conversation-pane">
        <button
          type="button"
          className="button button--icon back-to-list"
          onClick={() => {
            show();
            setSelected(null);
          }}
        >
          <ArrowLeft aria-hidden="true" className="icon" />
          {t('workspace.backToList')}
        </button>
        {showAwaiting ? (
          <AwaitingView nameOf={nameOf} titleOf={titleOf} onOpen={choose} />
        ) : showSettings ? (
          <SettingsView fingerprint={session.device.fingerprint} />
        ) : patientView && !patientBeside ? (
          <PatientView
            key={patientView.mrn ?? ''}
            initialMrn={patientView.mrn}
            nameOf={nameOf}
            titleOf={titleOf}
            onOpen={choose}
          />
        ) : writingAnnouncement ? (
          <NewAnnouncement
            selfId={selfId}
            groups={conversations
              .filter((c) => c.kind === 'group')
              .map((c) => ({
                conversationId: c.conversationId,
                title: title(c),
                members: c.members.map((m) => ({ userId: m, displayName: nameOf(m) })),
              }))}
            onSent={(id) => {
              choose(id);
              void refresh();
            }}
          />
        ) : open ? (
          <ConversationView
            key={open.conversationId}
            conversationId={open.conversationId}
            title={title(open)}
            others={othersOf(open).map((m) => ({ userId: m, user: user(m) }))}
            nameOf={nameOf}
            changes={changes}
            focus={focus}
            unconfirmed={open.membership === 'unconfirmed'}
            urgentUnread={open.urgentUnread}
            patient={open.patient}
            mayChangePatient={selfId !== null && open.admins.includes(selfId)}
            onOpenPatient={openPatient}
            patientPanel={patientPanel}
            onClosePatient={() => setPatientView(null)}
            announcement={
              open.kind === 'announcement'
                ? {
                    mine: selfId !== null && open.admins.includes(selfId),
                    senderName: nameOf(open.admins[0] ?? ''),
                  }
                : null
            }
          />
        ) : (
          <p className="muted">{t('workspace.choose')}</p>
        )}
      </div>
      {dialog === 'switcher' ? (
        <QuickSwitcher
          conversations={conversations}
          title={title}
          onClose={() => setDialog(null)}
          onOpen={(id) => {
            setDialog(null);
            choose(id);
            setTimeout(() => focusBack(null)); // the composer, also when it was already open
          }}
        />
      ) : dialog === 'sheet' ? (
        <ShortcutSheet onClose={() => setDialog(null)} />
      ) : null}
    </div>
  );
}
