import { useTranslation } from 'react-i18next';
import type { SessionState } from '../../../shared/contract';
import { SessionAlerts } from './Alerts';
import type { Session } from './useSession';

type NeedsReenrol = Extract<SessionState, { status: 'needs-reenrol' }>;

/** This computer's device keys cannot be used: new ones must be made (and the old device revoked). */
export function ReenrolScreen({
  state,
  session,
}: {
  state: NeedsReenrol;
  session: Session;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <section className="panel session-panel" aria-labelledby="reenrol-heading">
      <h2 id="reenrol-heading">{t('session.reenrol.heading')}</h2>
      <SessionAlerts notice={state.problem} error={session.error} />
      <p>{t('session.reenrol.body', { name: state.profile.displayName })}</p>
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={session.pending !== null}
          onClick={() => void session.call('session.reenrol')}
        >
          {t('session.reenrol.action')}
        </button>
      </div>
    </section>
  );
}
