import { useTranslation } from 'react-i18next';
import type { SessionState } from '../../../shared/contract';
import { useCall } from '../api';
import { WorkstationInfo } from '../components/WorkstationInfo';
import { SessionAlerts } from './Alerts';
import { PolicyRefused } from './PolicyRefused';
import { StartOverPanel } from './StartOverPanel';
import type { Session } from './useSession';

type SignedOut = Extract<SessionState, { status: 'signed-out' }>;

/** Who is at the keyboard: a profile already on this workstation, or someone new. */
export function SignInScreen({ state, session }: { state: SignedOut; session: Session }): React.JSX.Element {
  const { t } = useTranslation();
  const busy = session.pending !== null;
  const info = useCall('app.info');
  // A refused machine policy stops every sign-in (policy_invalid): say why instead of offering one.
  if (info.status === 'ready' && info.value.policy.machine.status === 'refused') {
    return (
      <>
        <PolicyRefused policy={info.value.policy} />
        <WorkstationInfo />
      </>
    );
  }
  return (
    <>
      <section className="panel session-panel" aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">{t('session.signIn.heading')}</h2>
        <SessionAlerts notice={state.notice} error={session.error} />
        {state.damaged ? <StartOverPanel profile={state.damaged} session={session} /> : null}
        {state.profiles.length > 0 ? (
          <>
            <p className="muted">{t('session.signIn.profiles')}</p>
            <ul className="profile-list">
              {state.profiles.map((p) => (
                <li key={p.profileId}>
                  <button
                    type="button"
                    className="button button--profile"
                    disabled={busy}
                    aria-describedby={`profile-${p.profileId}`}
                    onClick={() => void session.call('session.signIn', { profileId: p.profileId })}
                  >
                    {t('session.signIn.continueAs', { name: p.displayName })}
                  </button>
                  <span className="muted" id={`profile-${p.profileId}`}>
                    {p.username}
                  </span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="muted">{t('session.signIn.nobody')}</p>
        )}
        <div className="actions">
          <button
            type="button"
            className={state.profiles.length > 0 ? 'button' : 'button button--primary'}
            disabled={busy}
            onClick={() => void session.call('session.signIn', {})}
          >
            {state.profiles.length > 0 ? t('session.signIn.someoneElse') : t('session.signIn.first')}
          </button>
        </div>
        {busy ? (
          <p role="status" className="muted">
            {t('session.signIn.opening')}
          </p>
        ) : null}
      </section>
      <WorkstationInfo collapsed />
    </>
  );
}
