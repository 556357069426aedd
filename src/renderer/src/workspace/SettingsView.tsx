import { useEffect, useState } from 'react';
import type { Preferences } from '../../../shared/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { AboutView } from './about/AboutView';

type Change = Partial<
  Pick<Preferences, 'idleLockMinutes' | 'notifyFor' | 'notificationPrivacy' | 'listPreviews'>
>;

const idleChoices = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240];
const privacyLevels = ['hidden', 'sender', 'preview'] as const;
const privacyLabel = {
  hidden: 'Only "New secure message"',
  sender: "The sender's name",
  preview: "The sender's name and the first line",
} as const;

/** The signed-in user's own settings: each control saves at once, and offers nothing looser than the policy. */
export function SettingsView(props: { fingerprint: string }): React.JSX.Element {
  const [settings, setSettings] = useState<Preferences | null>(null);
  const [status, setStatus] = useState<{ saved: boolean; error: string | null }>({
    saved: false,
    error: null,
  });

  useEffect(() => {
    void window.clinical.call('settings.current').then((result) => {
      if (result.ok) setSettings(result.value);
      else setStatus({ saved: false, error: result.error.message });
    });
  }, []);

  const save = async (change: Change): Promise<void> => {
    const result = await window.clinical.call('settings.update', change);
    if (result.ok) {
      setSettings(result.value);
      setStatus({ saved: true, error: null });
    } else {
      setStatus({ saved: false, error: result.error.message });
    }
  };

  return (
    <section className="settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      {settings ? (
        <>
          <fieldset className="settings-group">
            <legend>Screen lock</legend>
            <label htmlFor="idle-lock">Lock this computer after I have been away for</label>
            <select
              id="idle-lock"
              className="input"
              value={settings.idleLockMinutes}
              onChange={(e) => void save({ idleLockMinutes: Number(e.target.value) })}
            >
              {idleChoices
                .filter((m) => m <= settings.idleLockMaxMinutes)
                .map((m) => (
                  <option key={m} value={m}>
                    {m === 1 ? '1 minute' : `${m} minutes`}
                  </option>
                ))}
            </select>
            <p className="muted">Your hospital allows at most {settings.idleLockMaxMinutes} minutes.</p>
          </fieldset>

          <fieldset className="settings-group">
            <legend>Notify me of</legend>
            {(['all', 'urgent'] as const).map((value) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name="notify-for"
                  value={value}
                  checked={settings.notifyFor === value}
                  onChange={() => void save({ notifyFor: value })}
                />
                {value === 'all' ? 'Every new message' : 'Urgent messages only'}
              </label>
            ))}
            <p className="muted">
              Urgent messages always notify, and again every{' '}
              {settings.urgentRenotifyMinutes === 1 ? 'minute' : `${settings.urgentRenotifyMinutes} minutes`}{' '}
              until read.
            </p>
          </fieldset>

          <fieldset className="settings-group">
            <legend>Notifications show</legend>
            {privacyLevels.map((level) => {
              const allowed =
                privacyLevels.indexOf(level) <= privacyLevels.indexOf(settings.notificationPrivacyMax);
              return (
                <label key={level} className="choice">
                  <input
                    type="radio"
                    name="notification-privacy"
                    value={level}
                    checked={settings.notificationPrivacy === level}
                    disabled={!allowed}
                    onChange={() => void save({ notificationPrivacy: level })}
                  />
                  {privacyLabel[level]}
                  {allowed ? null : <span className="muted"> (not allowed by your hospital)</span>}
                </label>
              );
            })}
            <p className="muted">Notifications never show patient details unless your hospital allows it.</p>
          </fieldset>

          <fieldset className="settings-group">
            <legend>Conversation list</legend>
            <label className="choice">
              <input
                type="checkbox"
                checked={settings.listPreviews}
                disabled={!settings.listPreviewsAllowed}
                onChange={(e) => void save({ listPreviews: e.target.checked })}
              />
              Show the first words of the last message
              {settings.listPreviewsAllowed ? null : (
                <span className="muted"> (not allowed by your hospital)</span>
              )}
            </label>
          </fieldset>

          <fieldset className="settings-group">
            <legend>This computer</legend>
            <p>
              Your device key fingerprint: <code data-testid="own-fingerprint">{props.fingerprint}</code>
            </p>
          </fieldset>
        </>
      ) : null}
      <AboutView />
      <div aria-live="polite" className="settings-status">
        {status.saved ? <p className="muted">Saved.</p> : null}
      </div>
      <ErrorAlert message={status.error} />
    </section>
  );
}
