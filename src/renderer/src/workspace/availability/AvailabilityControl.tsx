import { useEffect, useId, useState } from 'react';
import type { AvailabilityStatus, MyAvailabilityView } from '../../../../shared/contract';
import { AvailabilityBadge } from './AvailabilityBadge';
import { nextOccurrence, statusNames } from './labels';

const choices = Object.keys(statusNames) as AvailabilityStatus[];

function inAnHour(): string {
  const at = new Date(Date.now() + 60 * 60_000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** Sets this user's status for colleagues; Do not disturb until a time holds routine notifications. */
export function AvailabilityControl(): React.JSX.Element {
  const id = useId();
  const [mine, setMine] = useState<MyAvailabilityView | null>(null);
  const [status, setStatus] = useState<AvailabilityStatus>('available');
  const [until, setUntil] = useState(inAnHour);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void window.clinical.call('directory.myAvailability').then((r) => {
      if (!r.ok) return;
      setMine(r.value);
      setStatus(r.value.availability.status);
    });
  }, []);

  const save = async (): Promise<void> => {
    const end = status === 'dnd' ? nextOccurrence(until) : null;
    if (status === 'dnd' && !end) {
      setError('Choose when Do not disturb ends.');
      return;
    }
    const result = await window.clinical.call('directory.setAvailability', {
      status,
      ...(end ? { until: end } : {}),
    });
    if (result.ok) {
      setMine(result.value);
      setError(null);
    } else {
      setError(result.error.message);
    }
  };

  return (
    <form
      className="availability-control"
      aria-labelledby={`${id}-legend`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id={`${id}-legend`} className="availability-control__heading">
        My status
      </h3>
      {mine ? (
        <p className="availability-control__current" data-testid="my-availability">
          <AvailabilityBadge view={mine.availability} />
          {mine.published ? null : <span className="muted"> · not sent yet (offline)</span>}
        </p>
      ) : null}
      <label htmlFor={`${id}-status`}>Status</label>
      <select
        id={`${id}-status`}
        value={status}
        onChange={(e) => setStatus(e.target.value as AvailabilityStatus)}
      >
        {choices.map((c) => (
          <option key={c} value={c}>
            {statusNames[c]}
          </option>
        ))}
      </select>
      {status === 'dnd' ? (
        <>
          <label htmlFor={`${id}-until`}>Until</label>
          <input
            id={`${id}-until`}
            type="time"
            value={until}
            required
            onChange={(e) => setUntil(e.target.value)}
          />
          <p className="muted availability-control__hint">
            Routine messages make no notification until then; urgent ones always do.
          </p>
        </>
      ) : null}
      <button type="submit" className="button">
        Set status
      </button>
      {error ? (
        <p role="alert" className="alert alert--error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
