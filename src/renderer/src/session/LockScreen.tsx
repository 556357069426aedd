import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionState } from '../../../shared/contract';
import { SessionAlerts } from './Alerts';
import type { Session } from './useSession';
import { urgentCountText } from '../workspace/urgent/counts';
import { UrgentIcon } from '../workspace/urgent/UrgentIcon';

type Locked = Extract<SessionState, { status: 'locked' }>;

/**
 * Everything of the app is hidden behind this: only the name of whoever locked it is shown, and how many urgent
 * messages wait (a count: no sender, no content, no patient).
 */
export function LockScreen({ state, session }: { state: Locked; session: Session }): React.JSX.Element {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const busy = session.pending !== null;

  const unlock = async (event: React.FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = await session.call('session.unlockWithPin', { pin });
    if (!result) {
      setPin('');
      input.current?.focus();
    }
  };

  return (
    <section className="panel session-panel" aria-labelledby="lock-heading">
      <h2 id="lock-heading">{t('session.lock.heading', { name: state.profile.displayName })}</h2>
      {state.withdrawn ? (
        <p role="alert" className="alert alert--error" data-notice={state.withdrawn.code}>
          {state.withdrawn.message}
        </p>
      ) : null}
      <SessionAlerts notice={state.notice} error={session.error} />
      <p role="status" className="lock-urgent">
        {state.urgentUnread ? (
          <>
            <UrgentIcon /> {urgentCountText(state.urgentUnread)}
          </>
        ) : null}
      </p>
      {state.pinAvailable ? (
        <form className="pin-form" onSubmit={(e) => void unlock(e)}>
          <label htmlFor="unlock-pin">{t('session.lock.pin')}</label>
          <input
            id="unlock-pin"
            ref={input}
            className="input input--pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            pattern="[0-9]{4,8}"
            minLength={4}
            maxLength={8}
            required
            autoFocus
            aria-describedby="unlock-attempts"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
          />
          <button type="submit" className="button button--primary" disabled={busy}>
            {t('session.lock.unlock')}
          </button>
          <p id="unlock-attempts" className="muted pin-form__hint">
            {state.attemptsLeft === null
              ? t('session.lock.enterPin')
              : t('session.lock.attemptsLeft', { count: state.attemptsLeft })}
          </p>
        </form>
      ) : state.withdrawn ? null : (
        <p>{t('session.lock.noPin')}</p>
      )}
      <div className="actions">
        <button
          type="button"
          className={state.pinAvailable ? 'button' : 'button button--primary'}
          disabled={busy}
          onClick={() => void session.call('session.unlockWithSignIn')}
        >
          {state.withdrawn ? t('session.lock.signInAgain') : t('session.lock.signInInstead')}
        </button>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void session.call('session.switchUser')}
        >
          {t('session.lock.switchUser')}
        </button>
      </div>
    </section>
  );
}
