import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { ProfileSummary } from '../../../shared/contract';
import type { Session } from './useSession';

/**
 * After `profile_damaged`: the way out, said plainly before anything happens. Starting over takes a full
 * sign-in of that same person (not the PIN), revokes this computer's old device on the hub first (refused
 * if the hub cannot be reached) and keeps the damaged files aside for IT.
 */
export function StartOverPanel({
  profile,
  session,
}: {
  profile: ProfileSummary;
  session: Session;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const busy = session.pending !== null;
  const headingId = `start-over-${profile.profileId}`;
  return (
    <section className="start-over" aria-labelledby={headingId} data-start-over={profile.profileId}>
      <h3 id={headingId}>{t('session.startOver.heading', { name: profile.displayName })}</h3>
      <p>{t('session.startOver.intro')}</p>
      {confirming ? (
        <>
          <p>{t('session.startOver.confirm')}</p>
          <ul>
            <li>{t('session.startOver.fullSignIn', { username: profile.username })}</li>
            <li>{t('session.startOver.retires')}</li>
            <li>
              <Trans i18nKey="session.startOver.loses" components={{ strong: <strong /> }} />
            </li>
            <li>{t('session.startOver.keeps')}</li>
          </ul>
          <div className="actions">
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => void session.call('session.startProfileOver', { profileId: profile.profileId })}
            >
              {t('session.startOver.go')}
            </button>
            <button type="button" className="button" disabled={busy} onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </>
      ) : (
        <div className="actions">
          <button type="button" className="button" disabled={busy} onClick={() => setConfirming(true)}>
            {t('session.startOver.ask')}
          </button>
        </div>
      )}
    </section>
  );
}
