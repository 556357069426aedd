import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AvailabilityStatus, MyAvailabilityView } from '../../../../shared/contract';
import { AvailabilityBadge } from './AvailabilityBadge';
import { nextOccurrence, statusName, statuses } from './labels';

function inAnHour(): string {
  const at = new Date(Date.now() + 60 * 60_000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** Sets this user's status for colleagues; Do not disturb until a time holds routine notifications. */
export function AvailabilityControl(): React.JSX.Element {
  const { t } = useTranslation();
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
      setError(t('availability.chooseEnd'));
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
        {t('availability.myStatus')}
      </h3>
      {mine ? (
        <p className="availability-control__current" data-testid="my-availability">
          <AvailabilityBadge view={mine.availability} />
          {mine.published ? null : <span className="muted">{t('availability.notSent')}</span>}
        </p>
      ) : null}
      <label htmlFor={`${id}-status`}>{t('availability.status')}</label>
      <select
        id={`${id}-status`}
        value={status}
        onChange={(e) => setStatus(e.target.value as AvailabilityStatus)}
      >
        {statuses.map((c) => (
          <option key={c} value={c}>
            {statusName(c)}
          </option>
        ))}
      </select>
      {status === 'dnd' ? (
        <>
          <label htmlFor={`${id}-until`}>{t('availability.until')}</label>
          <input
            id={`${id}-until`}
            type="time"
            value={until}
            required
            onChange={(e) => setUntil(e.target.value)}
          />
          <p className="muted availability-control__hint">{t('availability.hint')}</p>
        </>
      ) : null}
      <button type="submit" className="button">
        {t('availability.set')}
      </button>
      {error ? (
        <p role="alert" className="alert alert--error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
