import { useState } from 'react';
import { useCall } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';

type Status = { kind: 'idle' } | { kind: 'busy' } | { kind: 'saved' } | { kind: 'error'; message: string };

/**
 * Help → About: the version, and the diagnostics bundle IT asks for (versions, the policy in force, the hub
 * connection's history and the last log lines; no messages, names or patient details).
 */
export function AboutView(): React.JSX.Element {
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
      <h3 id="about-heading">Help: about this application</h3>
      {info.status === 'ready' ? (
        <p data-testid="about-version">
          {info.value.name} {info.value.version} on {info.value.platform}
        </p>
      ) : null}
      <p className="muted">
        If IT asks for diagnostics, save the bundle and send them the file. It holds versions, the hospital
        policy in force, the connection history and the last lines of the log: no messages, names or patient
        details.
      </p>
      <button type="button" className="button" disabled={status.kind === 'busy'} onClick={() => void save()}>
        Save diagnostics bundle
      </button>
      <div aria-live="polite">
        {status.kind === 'saved' ? <p className="muted">Diagnostics bundle saved.</p> : null}
      </div>
      <ErrorAlert message={status.kind === 'error' ? status.message : null} />
      <details onToggle={(e) => void show(e.currentTarget.open)}>
        <summary>Show what the bundle contains</summary>
        {preview === null ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <pre className="diagnostics-preview" data-testid="diagnostics-preview" tabIndex={0}>
            {preview}
          </pre>
        )}
      </details>
    </section>
  );
}
