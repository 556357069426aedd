import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCall } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';

type Status = { kind: 'idle' } | { kind: 'busy' } | { kind: 'saved' } | { kind: 'error'; message: string };

/**
 * Help → About: the version, and the diagnostics bundle IT asks for (versions, the policy in force, the hub
 * connection's history and the last log lines; no messages, names or patient details).
 */
export function AboutView(): React.JSX.Element {
  const { t } = useTranslation();
  const info = useCall('app.info');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [preview, setPreview] = useState<string | null>(null);

  const save = async (): Promise<void> => {
    setStatus({ kind: 'busy' });
    const result = await window.clinical.call('app.diagnostics', { save: true });
    if (!result.ok) setStatus({ kind: 'error', message: result.error.message });
    else setStatus(result.value.saved ? { kind: 'saved' } : { kind: 'idle' });
  };
  const show = async (open: boolean): Promise<void> => {
    if (!open || preview !== null) return;
    const result = await window.clinical.call('app.diagnostics', { save: false });
    if (result.ok) setPreview(result.value.text);
    else setStatus({ kind: 'error', message: result.error.message });
  };

  return (
    <section className="settings-group about" aria-labelledby="about-heading">
      <h3 id="about-heading">{t('about.heading')}</h3>
      {info.status === 'ready' ? (
        <p data-testid="about-version">
          {t('about.version', {
            name: info.value.name,
            version: info.value.version,
            platform: info.value.platform,
          })}
        </p>
      ) : null}
      <p className="muted">{t('about.explain')}</p>
      <button type="button" className="button" disabled={status.kind === 'busy'} onClick={() => void save()}>
        {t('about.save')}
      </button>
      <div aria-live="polite">
        {status.kind === 'saved' ? <p className="muted">{t('about.saved')}</p> : null}
      </div>
      <ErrorAlert message={status.kind === 'error' ? status.message : null} />
      <details onToggle={(e) => void show(e.currentTarget.open)}>
        <summary>{t('about.show')}</summary>
        {preview === null ? (
          <p aria-busy="true">{t('common.loading')}</p>
        ) : (
          <pre className="diagnostics-preview" data-testid="diagnostics-preview" tabIndex={0}>
            {preview}
          </pre>
        )}
      </details>
    </section>
  );
}
