import { useEffect, useState } from 'react';
import { t } from '../i18n';
import type { UserKeyStatusView } from '../../../shared/contract';
import { atTime } from './time';

type Release = UserKeyStatusView['releases'][number];

/** At most one `keys.status` call per this many milliseconds, however many events arrive. */
const minGapMs = 3_000;
/** Asked again now and then too: another workstation may have opened the user's messages in the meantime. */
const backgroundPollMs = 30_000;
/** The newest notices shown at once; older ones are summed up in a line. */
const shownAtOnce = 3;

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

type OwnDevice = UserKeyStatusView['devices'][number];

/**
 * One workstation of this user the notices are about: the enrolment this computer saw ("You signed in on
 * WARD3B-PC02 at 14:02") and the key service's release to it ("Your messages were opened on WARD3B-PC02 at
 * 14:03"), whichever are known, in one notice with one Dismiss.
 */
interface Notice {
  deviceId: string;
  device: OwnDevice | null;
  release: Release | null;
  /** The newest time it is about: dismissing hides everything up to it. */
  at: number;
}

function noticesOf(status: UserKeyStatusView | null): Notice[] {
  const byDevice = new Map<string, Notice>();
  const entry = (deviceId: string): Notice => {
    const found = byDevice.get(deviceId) ?? { deviceId, device: null, release: null, at: 0 };
    byDevice.set(deviceId, found);
    return found;
  };
  for (const d of status?.devices ?? []) {
    const n = entry(d.deviceId);
    n.device = d;
    n.at = Math.max(n.at, Date.parse(d.seenAt));
  }
  for (const r of status?.releases ?? []) {
    if (r.thisDevice) continue;
    const n = entry(r.deviceId);
    if (!n.release || Date.parse(r.releasedAt) > Date.parse(n.release.releasedAt)) n.release = r;
    n.at = Math.max(n.at, Date.parse(r.releasedAt));
  }
  return [...byDevice.values()].sort((a, b) => b.at - a.at);
}

/** "You signed in on WARD3B-PC02 at 14:02." (the name and time the workstation signed). */
function signedInText(d: OwnDevice): string {
  return t('keys.signedIn', {
    device: d.deviceName ?? t('keys.unnamedDevice'),
    when: atTime(d.enrolledAt ?? d.seenAt),
  });
}

/**
 * What the user must know about their key on this computer: that her account signed in on another workstation
 * (seen in the key directory) or that her messages were opened there (a signed release notice of the key
 * service), that this computer is still waiting for the key, or that the key was refused here (and what to do
 * about it). Under newDeviceTrust "verify", a new workstation of hers gets her key only once she accepts it here.
 */
export function KeyNotices(): React.JSX.Element {
  const status = useKeyStatus();
  // Notices up to this time were dismissed (kept for as long as the workspace is open).
  const [dismissedUpTo, setDismissedUpTo] = useState(0);
  const [acceptError, setAcceptError] = useState<string | null>(null);
  const all = noticesOf(status);
  const others = all.filter((n) => n.at > dismissedUpTo || n.device?.state === 'awaiting-acceptance');
  const shown = others.slice(0, shownAtOnce);
  const refused = status?.state === 'refused' ? status : null;
  const accept = async (device: OwnDevice): Promise<void> => {
    const result = await window.clinical.call('keys.acceptNewDevice', {
      userId: device.userId,
      deviceId: device.deviceId,
    });
    setAcceptError(result.ok ? null : result.error.message);
  };
  return (
    <div className="key-notices">
      {refused ? (
        <p role="alert" className="alert alert--error" data-key-status={refused.code ?? 'refused'}>
          {refused.message ?? t('keys.refused')}
        </p>
      ) : null}
      {acceptError ? (
        <p role="alert" className="alert alert--error">
          {acceptError}
        </p>
      ) : null}
      <div role="status" aria-live="polite" data-testid="key-notices">
        {status?.state === 'waiting' && status.message ? (
          <p className="alert alert--info key-waiting">{status.message}</p>
        ) : null}
        {shown.length > 0 ? (
          <ul className="key-notice-list">
            {shown.map((n) => {
              const id = `key-notice-${n.deviceId}-${n.at}`;
              const held = n.device?.state === 'awaiting-acceptance' ? n.device : null;
              return (
                <li key={id} className="alert alert--warning key-notice">
                  <span id={id}>
                    {n.device ? `${signedInText(n.device)} ` : ''}
                    {n.release
                      ? `${t('keys.opened', { device: n.release.deviceName, when: atTime(n.release.releasedAt) })} `
                      : ''}
                    {t('keys.notYou')}
                    {held
                      ? ` ${held.safetyNumber ? t('keys.heldNumber', { number: held.safetyNumber }) : t('keys.held')}`
                      : ''}
                  </span>
                  {held ? (
                    <button
                      type="button"
                      className="button"
                      aria-describedby={id}
                      onClick={() => void accept(held)}
                    >
                      {t('keys.accept', { device: held.deviceName ?? t('keys.thisWorkstation') })}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button"
                      aria-describedby={id}
                      onClick={() => setDismissedUpTo((d) => Math.max(d, n.at))}
                    >
                      {t('keys.dismiss')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        ) : null}
        {others.length > shown.length ? (
          <p className="muted key-notice-more">{t('keys.more', { count: others.length - shown.length })}</p>
        ) : null}
      </div>
    </div>
  );
}
