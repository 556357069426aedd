import { useCallback, useEffect, useState } from 'react';
import type { ConversationView as Conversation, SessionState } from '../../../shared/contract';
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
import { NewAnnouncement } from './broadcast/NewAnnouncement';
import { urgentFirst } from './urgent/counts';
import { ArrowList } from './keyboard/ArrowList';
import { QuickSwitcher } from './keyboard/QuickSwitcher';
import { ShortcutSheet } from './keyboard/ShortcutSheet';
import { conversationBeside } from './keyboard/shortcuts';
import { focusBack, useEscape } from './keyboard/useEscape';
import { useShortcuts } from './keyboard/useShortcuts';

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
  /** The patient view, at an MRN (from a banner or pill) or empty (from the sidebar). */
  const [patientView, setPatientView] = useState<{ mrn: string | null } | null>(null);
  const [changes, setChanges] = useState(0);
  const user = useDirectory();
  const nameOf = (userId: string) => user(userId)?.displayName ?? 'Unknown sender';
  const selfId =
    conversations[0]?.members.find((m) => user(m)?.username === session.profile.username) ?? null;
  const others = (c: Conversation) =>
    c.members
      .filter((m) => user(m)?.username !== session.profile.username)
      .map(nameOf)
      .join(', ') || 'Conversation';
  // A recipient sees who an announcement is from; its sender sees whom it went to.
  const title = (c: Conversation) =>
    c.kind === 'announcement' && c.admins[0] && user(c.admins[0])?.username !== session.profile.username
      ? `Announcement from ${nameOf(c.admins[0])}`
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

  const choose = (conversationId: string, seq: number | null = null): void => {
    setSelected(conversationId);
    setFocus(seq === null ? null : { seq });
    setWritingAnnouncement(false);
    setShowSettings(false);
    setShowAwaiting(false);
    setPatientView(null);
  };
  const openPatient = (mrn: string | null): void => {
    setShowSettings(false);
    setShowAwaiting(false);
    setPatientView({ mrn });
  };
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
  return (
    <div className="workspace">
      <nav className="sidebar" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading" className="sidebar-heading">
          Conversations
        </h2>
        <AvailabilityControl />
        <MessageSearch
          nameOf={nameOf}
          titleOf={(id) => {
            const c = conversations.find((x) => x.conversationId === id);
            return c ? title(c) : 'Conversation';
          }}
          onOpen={choose}
        />
        <ArrowList itemSelector=".conversation-item">
          <ConversationList
            conversations={conversations}
            selected={selected}
            title={title}
            onSelect={choose}
          />
        </ArrowList>
        <NewConversation
          selfId={selfId}
          onStarted={(id) => {
            choose(id);
            void refresh();
          }}
        />
        <button
          type="button"
          className="button sidebar-announcement"
          aria-current={writingAnnouncement ? 'page' : undefined}
          onClick={() => {
            setShowSettings(false);
            setShowAwaiting(false);
            setPatientView(null);
            setWritingAnnouncement(true);
          }}
        >
          New announcement
        </button>
        <button
          type="button"
          className="button sidebar-settings"
          aria-current={showSettings ? 'page' : undefined}
          onClick={() => {
            setPatientView(null);
            setShowAwaiting(false);
            setShowSettings(true);
          }}
        >
          Settings
        </button>
        <AwaitingButton
          current={showAwaiting}
          onClick={() => {
            setShowSettings(false);
            setPatientView(null);
            setShowAwaiting(true);
          }}
        />
        <button
          type="button"
          className="button sidebar-patients"
          aria-current={patientView ? 'page' : undefined}
          onClick={() => openPatient(null)}
        >
          Patients
        </button>
      </nav>
      <div className="conversation-pane">
        {showAwaiting ? (
          <AwaitingView
            nameOf={nameOf}
            titleOf={(id) => {
              const c = conversations.find((x) => x.conversationId === id);
              return c ? title(c) : 'Conversation';
            }}
            onOpen={choose}
          />
        ) : showSettings ? (
          <SettingsView fingerprint={session.device.fingerprint} />
        ) : patientView ? (
          <PatientView
            key={patientView.mrn ?? ''}
            initialMrn={patientView.mrn}
            nameOf={nameOf}
            titleOf={(id) => {
              const c = conversations.find((x) => x.conversationId === id);
              return c ? title(c) : 'Conversation';
            }}
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
            others={open.members
              .filter((m) => user(m)?.username !== session.profile.username)
              .map((m) => ({ userId: m, user: user(m) }))}
            nameOf={nameOf}
            changes={changes}
            focus={focus}
            unconfirmed={open.membership === 'unconfirmed'}
            urgentUnread={open.urgentUnread}
            patient={open.patient}
            mayChangePatient={selfId !== null && open.admins.includes(selfId)}
            onOpenPatient={openPatient}
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
          <p className="muted">Choose a conversation, or find a colleague to start one.</p>
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
