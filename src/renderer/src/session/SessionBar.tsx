import { useState } from 'react';
import type { SessionState } from '../../../shared/contract';
import type { Session } from './useSession';

type Active = Extract<SessionState, { status: 'active' }>;

const pinPattern = /^\d{4,8}$/;

/** The signed-in user's controls in the header: who is signed in, set a PIN, lock the screen. */
export function SessionBar({ state, session }: { state: Active; session: Session }): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const busy = session.pending !== null;

  const save = async (event: React.FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setSaved(false);
    if (!pinPattern.test(pin)) {
      setProblem('A PIN is 4 to 8 digits.');
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
        <span className="visually-hidden">Signed in as </span>
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
        <summary className="button">{state.pinSet ? 'Change PIN' : 'Set PIN'}</summary>
        <form className="disclosure__body pin-form" onSubmit={(e) => void save(e)} noValidate>
          <label htmlFor="new-pin">New PIN</label>
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
            Save PIN
          </button>
          <p id="new-pin-hint" className="muted pin-form__hint">
            4 to 8 digits. The PIN unlocks this computer while you stay signed in.
          </p>
          {problem ? (
            <p role="alert" className="alert alert--error pin-form__hint">
              {problem}
            </p>
          ) : null}
        </form>
      </details>
      <p role="status" className="session-bar__saved">
        {saved ? 'PIN saved.' : ''}
      </p>
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={() => void session.call('session.lock')}
      >
        Lock
      </button>
    </div>
  );
}
