import { useEffect, useState } from 'react';
import type { UserKeyStatusView } from '../../../shared/contract';

type Release = UserKeyStatusView['releases'][number];

/** At most one `keys.status` call per this many milliseconds, however many events arrive. */
const minGapMs = 3_000;
/** Asked again now and then too: another workstation may have opened the user's messages in the meantime. */
const backgroundPollMs = 30_000;
/** The newest notices shown at once; older ones are summed up in a line. */
const shownAtOnce = 3;

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const date = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const sameDay = (a: Date, b: Date): boolean => a.toDateString() === b.toDateString();

/** "at 14:02" today, "on 3 Mar at 14:02" before: 24-hour time, as ward staff read it. */
export function whenOpened(iso: string, now = new Date()): string {
  const d = new Date(iso);
  return sameDay(d, now) ? `at ${clock.format(d)}` : `on ${date.format(d)} at ${clock.format(d)}`;
}

/** This user's key status, asked for on mount and after session, connection and message events (throttled). */
function useKeyStatus(): UserKeyStatusView | null {
  const [status, setStatus] = useState<UserKeyStatusView | null>(null);
  useEffect(() => {
    let live = true;
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const load = async (): Promise<void> => {
      last = Date.now();
      const result = await window.clinical.call('keys.status');
      // A failed call (e.g. the profile closing) keeps what was shown; the next event asks again.
      if (live && result.ok) setStatus(result.value);
    };
    const request = (): void => {
      if (timer !== null) return;
      timer = setTimeout(
        () => {
          timer = null;
          void load();
        },
        Math.max(0, last + minGapMs - Date.now()),
      );
    };
    request();
    const poll = setInterval(request, backgroundPollMs);
    const offs = [
      window.clinical.on('session.state', request),
      window.clinical.on('messages.changed', request),
      window.clinical.on('connection.state', request),
    ];
    return () => {
      live = false;
      if (timer !== null) clearTimeout(timer);
      clearInterval(poll);
      for (const off of offs) off();
    };
  }, []);
  return status;
}

/**
 * What the user must know about their key on this computer: that their messages were opened on another
 * workstation (a signed release notice of the key service), that this computer is still waiting for the key,
 * or that the key was refused here (and what to do about it).
 */
export function KeyNotices(): React.JSX.Element {
  const status = useKeyStatus();
  // Notices up to this release time were dismissed (kept for as long as the workspace is open).
  const [dismissedUpTo, setDismissedUpTo] = useState(0);
  const others: Release[] = (status?.releases ?? [])
    .filter((r) => !r.thisDevice && Date.parse(r.releasedAt) > dismissedUpTo)
    .sort((a, b) => Date.parse(b.releasedAt) - Date.parse(a.releasedAt));
  const shown = others.slice(0, shownAtOnce);
  const refused = status?.state === 'refused' ? status : null;
  return (
    <div className="key-notices">
      {refused ? (
        <p role="alert" className="alert alert--error" data-key-status={refused.code ?? 'refused'}>
          {refused.message ?? 'Your messages cannot be opened on this computer.'}
        </p>
      ) : null}
      <div role="status" aria-live="polite" data-testid="key-notices">
        {status?.state === 'waiting' && status.message ? (
          <p className="alert alert--info key-waiting">{status.message}</p>
        ) : null}
        {shown.length > 0 ? (
          <ul className="key-notice-list">
            {shown.map((r) => {
              const id = `key-notice-${r.deviceId}-${Date.parse(r.releasedAt)}`;
              return (
                <li key={id} className="alert alert--warning key-notice">
                  <span id={id}>
                    Your messages were opened on {r.deviceName} {whenOpened(r.releasedAt)}. If this was not
                    you, tell IT.
                  </span>
                  <button
                    type="button"
                    className="button"
                    aria-describedby={id}
                    onClick={() => setDismissedUpTo((d) => Math.max(d, Date.parse(r.releasedAt)))}
                  >
                    Dismiss
                  </button>
                </li>
              );
            })}
          </ul>
        ) : null}
        {others.length > shown.length ? (
          <p className="muted key-notice-more">
            {others.length - shown.length} earlier opening{others.length - shown.length === 1 ? '' : 's'} on
            other computers not shown.
          </p>
        ) : null}
      </div>
    </div>
  );
}
