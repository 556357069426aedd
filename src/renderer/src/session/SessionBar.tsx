import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionState } from '../../../shared/contract';
import type { Session } from './useSession';

type Active = Extract<SessionState, { status: 'active' }>;

const pinPattern = /^\d{4,8}$/;

/** The signed-in user's controls in the header: who is signed in, set a PIN, lock the screen. */
export function SessionBar({ state, session }: { state: Active; session: Session }): React.JSX.Element {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const busy = session.pending !== null;

  const save = async (event: React.FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setSaved(false);
    if (!pinPattern.test(pin)) {
      setProblem(t('session.bar.pinInvalid'));
      return;
    }
    setProblem(null);
    if (await session.call('session.setPin', { pin })) {
      setPin('');
      setSaved(true);
      setOpen(false);
    }
  };

  return (
    <div className="session-bar">
      <p className="session-bar__user">
        <span className="visually-hidden">{t('session.bar.signedInAs')}</span>
        {state.profile.displayName}
      </p>
      <details
        className="disclosure"
        open={open}
        onToggle={(e) => {
          const nowOpen = (e.target as HTMLDetailsElement).open;
          setOpen(nowOpen);
          if (nowOpen) setSaved(false);
        }}
      >
        <summary className="button">
          {state.pinSet ? t('session.bar.changePin') : t('session.bar.setPin')}
        </summary>
        <form className="disclosure__body pin-form" onSubmit={(e) => void save(e)} noValidate>
          <label htmlFor="new-pin">{t('session.bar.newPin')}</label>
          <input
            id="new-pin"
            className="input input--pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            aria-describedby="new-pin-hint"
            aria-invalid={problem ? true : undefined}
            value={pin}
            onChange={(e) => setPin(e.target.value)}
          />
          <button type="submit" className="button button--primary" disabled={busy}>
            {t('session.bar.savePin')}
          </button>
          <p id="new-pin-hint" className="muted pin-form__hint">
            {t('session.bar.pinHint')}
          </p>
          {problem ? (
            <p role="alert" className="alert alert--error pin-form__hint">
              {problem}
            </p>
          ) : null}
        </form>
      </details>
      <p role="status" className="session-bar__saved">
        {saved ? t('session.bar.pinSaved') : ''}
      </p>
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={() => void session.call('session.lock')}
      >
        {t('session.bar.lock')}
      </button>
    </div>
  );
}
