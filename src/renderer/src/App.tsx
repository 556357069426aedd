import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionState } from '../../shared/contract';
import { ConnectionBanner } from './components/ConnectionBanner';
import { PreviewBanner } from './components/PreviewBanner';
import { WorkstationInfo } from './components/WorkstationInfo';
import { useProfileLanguage } from './i18n/useProfileLanguage';
import { SessionAlerts } from './session/Alerts';
import { BusyScreen } from './session/BusyScreen';
import { LockScreen } from './session/LockScreen';
import { ReenrolScreen } from './session/ReenrolScreen';
import { SessionBar } from './session/SessionBar';
import { SignInScreen } from './session/SignInScreen';
import { useActivity } from './session/useActivity';
import { useSession, type Session } from './session/useSession';
import { KeyNotices } from './workspace/KeyNotices';
import { UpdateRequiredScreen } from './updates/UpdateRequiredScreen';
import { useUpdateStatus } from './updates/useUpdateStatus';
import { Workspace } from './workspace/Workspace';

type Inactive = Exclude<SessionState, { status: 'active' }>;

/** Every screen before the app is open: loading, sign-in, busy, re-enrol, and the lock screen. */
function SessionScreen({ state, session }: { state: Inactive | null; session: Session }): React.JSX.Element {
  const { t } = useTranslation();
  if (!state) {
    if (session.loadError) {
      return (
        <>
          <p role="alert" className="alert alert--error">
            {t('app.loadError', { message: session.loadError.message })}
          </p>
          <WorkstationInfo />
        </>
      );
    }
    return <p aria-busy="true">{t('common.loading')}</p>;
  }
  switch (state.status) {
    case 'signed-out':
      return <SignInScreen state={state} session={session} />;
    case 'busy':
      return <BusyScreen state={state} />;
    case 'needs-reenrol':
      return <ReenrolScreen state={state} session={session} />;
    case 'locked':
      // Nothing of the signed-in app is rendered behind the lock: not hidden, absent.
      return <LockScreen state={state} session={session} />;
  }
}

export function App(): React.JSX.Element {
  const { t } = useTranslation();
  const session = useSession();
  const { state } = session;
  const active = state?.status === 'active' ? state : null;
  useActivity(active !== null);
  useProfileLanguage(state);
  // A notification clicked while locked opens its conversation once unlocked; never for another user.
  const [openRequest, setOpenRequest] = useState<{ conversationId: string } | null>(null);
  useEffect(() => window.clinical.on('conversations.open', (request) => setOpenRequest(request)), []);
  const profileId = state && 'profile' in state ? state.profile?.profileId : undefined;
  // Below the hub's minimum version the workspace gives way to a read-only screen (docs/updates.md).
  const updates = useUpdateStatus();
  // Another profile signed in: drop the last one's request (while rendering, so it never opens for them).
  const [requestProfile, setRequestProfile] = useState(profileId);
  if (requestProfile !== profileId) {
    setRequestProfile(profileId);
    setOpenRequest(null);
  }
  return (
    <div className="app">
      <PreviewBanner />
      <header className="app-header">
        <h1 className="app-title">{t('app.title')}</h1>
        <div className="app-header__end">
          {/* Nobody is connected before someone signs in: no "Offline" on the sign-in screen. */}
          {active || state?.status === 'locked' ? <ConnectionBanner /> : null}
          {active ? <SessionBar state={active} session={session} /> : null}
        </div>
      </header>
      <main className={active ? 'app-main app-main--workspace' : 'app-main'} id="main">
        {active ? (
          <>
            <SessionAlerts notice={active.notice} error={session.error} />
            <KeyNotices key={active.profile.profileId} />
            {updates?.updateRequired ? (
              <UpdateRequiredScreen status={updates} username={active.profile.username} />
            ) : (
              <Workspace session={active} openRequest={openRequest} />
            )}
          </>
        ) : (
          <SessionScreen state={state?.status === 'active' ? null : state} session={session} />
        )}
      </main>
    </div>
  );
}
