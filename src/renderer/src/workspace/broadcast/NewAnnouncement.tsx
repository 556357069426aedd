import './broadcast.css';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BroadcastPreviewView, DirectoryUser } from '../../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { UrgencyOptions } from '../escalation/UrgencyOptions';
import { useDeadline } from '../escalation/useEscalations';
import { RoleList } from '../roles/RoleList';
import { useRoles } from '../roles/useRoles';
import { RolePreviewList } from './RolePreviewList';
import { useRecipients, type Group } from './useRecipients';

export type { Group };

/**
 * Writing an announcement (docs/envelope-format.md, Announcements): roles from the signed roster, groups and
 * colleagues from the directory, the text, and whether it needs acknowledgement by a deadline. Before sending
 * it shows whom it reaches now; a role nobody can take is named with its backup offered as one click, and
 * nothing is sent until the sender chooses.
 */
export function NewAnnouncement(props: {
  selfId: string | null;
  groups: Group[];
  onSent: (conversationId: string) => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { roles } = useRoles('');
  const [asked, setAsked] = useState<BroadcastPreviewView | null>(null);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<DirectoryUser[] | null>(null);
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [ackRequired, setAckRequired] = useState(false);
  const deadline = useDeadline();
  const [error, setError] = useState<string | null>(null);
  const picked = useRecipients(props.selfId, () => setError(null));
  const [sending, setSending] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const { roleIds, userIds, round } = picked;
  const nobody = roleIds.length === 0 && userIds.length === 0;
  const preview = nobody ? null : asked;
  useEffect(() => {
    if (nobody) return;
    let live = true;
    void window.clinical.call('broadcasts.preview', { roleIds, userIds }).then((r) => {
      if (!live) return;
      if (r.ok) setAsked(r.value);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [nobody, roleIds, userIds, round]);

  async function search(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    const result = await window.clinical.call('directory.search', { query });
    if (!result.ok) return setError(result.error.message);
    setFound(result.value.filter((u) => u.id !== props.selfId));
  }

  /** The refusal the sender sees before anything is sent, or null when it may go. */
  function refusal(): string | null {
    if (nobody) return t('broadcast.chooseSomeone');
    if (text.trim() === '') return t('broadcast.writeFirst');
    const blocked = preview?.roles.find((r) => r.status !== 'staffed');
    if (blocked) {
      const role = picked.nameOfRole(blocked.roleId);
      return blocked.backup
        ? t('broadcast.reachesNobodyBackup', { role })
        : t('broadcast.reachesNobody', { role });
    }
    return null;
  }

  async function send(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    const refused = refusal();
    setError(refused);
    if (refused || sending) return;
    setSending(true);
    const result = await window.clinical.call('broadcasts.send', {
      userIds,
      roleIds,
      text,
      urgent,
      ackRequired,
      ...(ackRequired && deadline.minutes !== null ? { ackDeadlineMinutes: deadline.minutes } : {}),
    });
    setSending(false);
    if (result.ok) return props.onSent(result.value.conversationId);
    setError(result.error.message);
    picked.askAgain(); // the roster may have changed since the preview: show whom it reaches now
  }

  return (
    <section className="new-announcement" aria-labelledby="new-announcement-heading">
      <h2 id="new-announcement-heading" tabIndex={-1} ref={heading}>
        {t('broadcast.heading')}
      </h2>
      <fieldset>
        <legend>{t('broadcast.roles')}</legend>
        <RoleList
          roles={roles}
          empty={t('broadcast.noRoles')}
          action={t('broadcast.add')}
          onPick={(role) => picked.addRole(role)}
          taken={(role) => roleIds.includes(role.roleId)}
        />
      </fieldset>
      {props.groups.length > 0 ? (
        <fieldset>
          <legend>{t('broadcast.groups')}</legend>
          <ul className="directory-results" aria-label={t('broadcast.groups')}>
            {props.groups.map((g) => (
              <li key={g.conversationId}>
                <span>{g.title}</span>
                <button
                  type="button"
                  className="button"
                  onClick={() => picked.addGroup(g)}
                  aria-label={t('broadcast.addGroup', { name: g.title })}
                >
                  {t('broadcast.add')}
                </button>
              </li>
            ))}
          </ul>
        </fieldset>
      ) : null}
      <form className="inline-form" onSubmit={(e) => void search(e)}>
        <label htmlFor="announcement-people">{t('broadcast.findColleagues')}</label>
        <input
          id="announcement-people"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit" className="button">
          {t('common.search')}
        </button>
      </form>
      {found !== null ? (
        <ul className="directory-results" aria-label={t('broadcast.colleaguesFound')}>
          {found.length === 0 ? <li className="muted">{t('common.nobodyFound')}</li> : null}
          {found.map((u) => (
            <li key={u.id}>
              <span>{t('broadcast.colleague', { name: u.displayName, department: u.department })}</span>
              <button
                type="button"
                className="button"
                disabled={userIds.includes(u.id)}
                onClick={() => picked.addPerson(u.id, u.displayName)}
                aria-label={t('broadcast.addPerson', { name: u.displayName })}
              >
                {t('broadcast.add')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <RolePreviewList picked={picked} preview={preview} />
      <form className="announcement-compose" onSubmit={(e) => void send(e)}>
        <label htmlFor="announcement-text">{t('broadcast.text')}</label>
        <textarea id="announcement-text" value={text} onChange={(e) => setText(e.target.value)} rows={3} />
        <UrgencyOptions
          className="checkbox"
          urgent={urgent}
          onUrgent={setUrgent}
          ackRequired={ackRequired}
          onAckRequired={setAckRequired}
          deadline={deadline}
        />
        <ErrorAlert message={error} />
        <button type="submit" className="button button--primary" disabled={sending}>
          {t('broadcast.send')}
        </button>
      </form>
    </section>
  );
}
