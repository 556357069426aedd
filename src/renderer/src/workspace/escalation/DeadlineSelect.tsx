import { useTranslation } from 'react-i18next';

/** The acknowledgement deadline, next to "Acknowledgement required": only the choices the policy offers. */
export function DeadlineSelect(props: {
  choices: number[];
  minutes: number | null;
  setMinutes: (m: number) => void;
}): React.JSX.Element | null {
  const { t } = useTranslation();
  if (props.choices.length === 0 || props.minutes === null) return null;
  return (
    <label>
      {t('escalation.within')}{' '}
      <select value={props.minutes} onChange={(e) => props.setMinutes(Number(e.target.value))}>
        {props.choices.map((m) => (
          <option key={m} value={m}>
            {t('escalation.minutes', { count: m })}
          </option>
        ))}
      </select>
    </label>
  );
}
