import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Preferences, UiLanguage } from '../../../shared/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { applyLanguage } from '../i18n';
import { AboutView } from './about/AboutView';

type Change = Partial<
  Pick<Preferences, 'idleLockMinutes' | 'notifyFor' | 'notificationPrivacy' | 'listPreviews' | 'language'>
>;

const idleChoices = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240];
const privacyLevels = ['hidden', 'sender', 'preview'] as const;
const languages = ['system', 'en', 'hi'] as const satisfies readonly UiLanguage[];

/** The signed-in user's own settings: each control saves at once, and offers nothing looser than the policy. */
export function SettingsView(props: { fingerprint: string }): React.JSX.Element {
  const { t } = useTranslation();
  // English and Hindi named in themselves, so someone who cannot read the language shown still finds hers.
  const languageLabel = {
    system: t('settings.languageSystem'),
    en: t('settings.languageEnglish'),
    hi: t('settings.languageHindi'),
  };
  const privacyLabel = {
    hidden: t('settings.privacyHidden'),
    sender: t('settings.privacySender'),
    preview: t('settings.privacyPreview'),
  };
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
      if (change.language) applyLanguage(result.value.language);
    } else {
      setStatus({ saved: false, error: result.error.message });
    }
  };

  return (
    <section className="settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('settings.heading')}</h2>
      {settings ? (
        <>
          <fieldset className="settings-group">
            <legend>{t('settings.language')}</legend>
            {languages.map((value) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name="language"
                  value={value}
                  checked={settings.language === value}
                  onChange={() => void save({ language: value })}
                />
                <span lang={value === 'system' ? undefined : value}>{languageLabel[value]}</span>
              </label>
            ))}
          </fieldset>

          <fieldset className="settings-group">
            <legend>{t('settings.screenLock')}</legend>
            <label htmlFor="idle-lock">{t('settings.idleLock')}</label>
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
                    {t('settings.minutes', { count: m })}
                  </option>
                ))}
            </select>
            <p className="muted">{t('settings.idleMax', { count: settings.idleLockMaxMinutes })}</p>
          </fieldset>

          <fieldset className="settings-group">
            <legend>{t('settings.notifyMe')}</legend>
            {(['all', 'urgent'] as const).map((value) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name="notify-for"
                  value={value}
                  checked={settings.notifyFor === value}
                  onChange={() => void save({ notifyFor: value })}
                />
                {value === 'all' ? t('settings.notifyAll') : t('settings.notifyUrgent')}
              </label>
            ))}
            <p className="muted">{t('settings.renotify', { count: settings.urgentRenotifyMinutes })}</p>
          </fieldset>

          <fieldset className="settings-group">
            <legend>{t('settings.notificationsShow')}</legend>
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
                  {allowed ? null : <span className="muted">{t('settings.notAllowed')}</span>}
                </label>
              );
            })}
            <p className="muted">{t('settings.noPatientDetails')}</p>
          </fieldset>

          <fieldset className="settings-group">
            <legend>{t('settings.conversationList')}</legend>
            <label className="choice">
              <input
                type="checkbox"
                checked={settings.listPreviews}
                disabled={!settings.listPreviewsAllowed}
                onChange={(e) => void save({ listPreviews: e.target.checked })}
              />
              {t('settings.listPreviews')}
              {settings.listPreviewsAllowed ? null : (
                <span className="muted">{t('settings.notAllowed')}</span>
              )}
            </label>
          </fieldset>

          <fieldset className="settings-group">
            <legend>{t('settings.thisComputer')}</legend>
            <p>
              {t('settings.fingerprint')}
              <code data-testid="own-fingerprint">{props.fingerprint}</code>
            </p>
          </fieldset>
        </>
      ) : null}
      <AboutView />
      <div aria-live="polite" className="settings-status">
        {status.saved ? <p className="muted">{t('settings.saved')}</p> : null}
      </div>
      <ErrorAlert message={status.error} />
    </section>
  );
}
