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
  return (
    <section className="panel session-panel" aria-labelledby="reenrol-heading">
      <h2 id="reenrol-heading">This computer needs to be set up again</h2>
      <SessionAlerts notice={state.problem} error={session.error} />
      <p>
        {state.profile.displayName}, the security keys that let this computer read and sign your messages can
        no longer be used here. Setting the computer up again needs a full sign-in (your PIN is not enough),
        retires the old device on the hospital server first, then makes new keys; the people you message will
        see that your device changed.
      </p>
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={session.pending !== null}
          onClick={() => void session.call('session.reenrol')}
        >
          Set up this computer again
        </button>
      </div>
    </section>
  );
}
