import { useState } from 'react';
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
  const [confirming, setConfirming] = useState(false);
  const busy = session.pending !== null;
  const headingId = `start-over-${profile.profileId}`;
  return (
    <section className="start-over" aria-labelledby={headingId} data-start-over={profile.profileId}>
      <h3 id={headingId}>{profile.displayName}’s profile cannot be opened on this computer</h3>
      <p>
        You can keep working by signing in on another workstation. Please also call the IT service desk: the
        damaged files have been left exactly as they are for them.
      </p>
      {confirming ? (
        <>
          <p>Starting this profile over on this computer:</p>
          <ul>
            <li>needs a full sign-in as {profile.username} (your PIN is not enough);</li>
            <li>
              first retires this computer’s old device on the hospital server, so it cannot be used again;
            </li>
            <li>
              <strong>loses</strong> messages that were kept only on this computer and anything not yet sent
              (waiting in the outbox); messages on the server come back after you sign in;
            </li>
            <li>
              keeps the damaged files aside for IT (they are never deleted), and sets up this computer again.
            </li>
          </ul>
          <div className="actions">
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => void session.call('session.startProfileOver', { profileId: profile.profileId })}
            >
              Sign in and start over
            </button>
            <button type="button" className="button" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </>
      ) : (
        <div className="actions">
          <button type="button" className="button" disabled={busy} onClick={() => setConfirming(true)}>
            Start this profile over…
          </button>
        </div>
      )}
    </section>
  );
}
