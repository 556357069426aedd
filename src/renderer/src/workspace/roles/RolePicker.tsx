import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoleResolutionView, RoleView } from '../../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { UrgencyOptions } from '../escalation/UrgencyOptions';
import { useDeadline } from '../escalation/useEscalations';
import { unstaffedText } from './role-text';
import { RoleList } from './RoleList';
import { useRoles } from './useRoles';

/**
 * The roster's roles (docs/roster.md): find one, write a message, and send it to whoever holds the role at
 * send time. When nobody holding it is available the sender is told before sending and offered the backup.
 */
export function RolePicker(props: { onSent: (conversationId: string) => void }): React.JSX.Element {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const { roles, error: loadError } = useRoles(query);
  const [chosen, setChosen] = useState<RoleView | null>(null);
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [ackRequired, setAckRequired] = useState(false);
  const deadline = useDeadline();
  const [unstaffed, setUnstaffed] = useState<RoleResolutionView | null>(null);
  const [sendError, setError] = useState<string | null>(null);
  const error = sendError ?? loadError;

  function choose(role: RoleView): void {
    setChosen(role);
    setUnstaffed(null);
    setError(null);
  }

  /** Asks who the role reaches now; true (nothing to send) when it is refused or nobody can take it. */
  async function unstaffedNow(roleId: string): Promise<boolean> {
    const resolved = await window.clinical.call('roles.resolve', { roleId });
    if (!resolved.ok) {
      setError(resolved.error.message);
      return true;
    }
    if (resolved.value.status !== 'unstaffed') return false;
    setUnstaffed(resolved.value);
    return true;
  }

  async function send(toBackup: boolean): Promise<void> {
    if (!chosen || text.trim() === '') return;
    setError(null);
    if (!toBackup && (await unstaffedNow(chosen.roleId))) return;
    const result = await window.clinical.call('roles.send', {
      roleId: chosen.roleId,
      text,
      urgent,
      ackRequired,
      patient: null,
      toBackup,
      ...(ackRequired && deadline.minutes !== null ? { ackDeadlineMinutes: deadline.minutes } : {}),
    });
    if (!result.ok) {
      // The holder went off shift between the check and the send: offer the backup, not a bare refusal.
      if (!toBackup && result.error.code === 'role_unstaffed' && (await unstaffedNow(chosen.roleId))) return;
      setError(result.error.message);
      return;
    }
    setText('');
    setUrgent(false);
    setAckRequired(false);
    setUnstaffed(null);
    props.onSent(result.value.conversationId);
  }

  return (
    <section className="role-picker" aria-labelledby="role-picker-heading">
      <h3 id="role-picker-heading">{t('roles.heading')}</h3>
      <label htmlFor="role-query">{t('roles.find')}</label>
      <input id="role-query" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      <RoleList
        roles={roles}
        empty={t('roles.none')}
        action={t('roles.message')}
        onPick={choose}
        pressed={(role) => chosen?.roleId === role.roleId}
      />
      {chosen ? (
        <form
          className="role-compose"
          onSubmit={(e) => {
            e.preventDefault();
            void send(false);
          }}
        >
          <label htmlFor="role-message">{t('roles.messageTo', { role: chosen.name })}</label>
          <textarea id="role-message" value={text} onChange={(e) => setText(e.target.value)} rows={2} />
          <UrgencyOptions
            className="checkbox"
            urgent={urgent}
            onUrgent={setUrgent}
            ackRequired={ackRequired}
            onAckRequired={setAckRequired}
            deadline={deadline}
          />
          <button type="submit" className="button button--primary" disabled={text.trim() === ''}>
            {t('roles.sendTo', { role: chosen.name })}
          </button>
        </form>
      ) : null}
      {unstaffed ? (
        <div role="alert" className="role-unstaffed">
          <p>{t('roles.nothingSent', { problem: unstaffedText(unstaffed) })}</p>
          {unstaffed.backup ? (
            <button type="button" className="button" onClick={() => void send(true)}>
              {t('roles.sendToBackup', { name: unstaffed.backup.displayName })}
            </button>
          ) : null}
        </div>
      ) : null}
      <ErrorAlert message={error} />
    </section>
  );
}
