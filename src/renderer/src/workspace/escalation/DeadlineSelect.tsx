/** The acknowledgement deadline, next to "Acknowledgement required": only the choices the policy offers. */
export function DeadlineSelect(props: {
  choices: number[];
  minutes: number | null;
  setMinutes: (m: number) => void;
}): React.JSX.Element | null {
  if (props.choices.length === 0 || props.minutes === null) return null;
  return (
    <label>
      Acknowledge within{' '}
      <select value={props.minutes} onChange={(e) => props.setMinutes(Number(e.target.value))}>
        {props.choices.map((m) => (
          <option key={m} value={m}>
            {m} min
          </option>
        ))}
      </select>
    </label>
  );
}
