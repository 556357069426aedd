import { useTranslation } from 'react-i18next';
import { DeadlineSelect } from './DeadlineSelect';

/** Urgent, "Acknowledgement required" and its deadline: the same controls wherever a message is written. */
export function UrgencyOptions(props: {
  urgent: boolean;
  onUrgent: (urgent: boolean) => void;
  ackRequired: boolean;
  onAckRequired: (ackRequired: boolean) => void;
  deadline: React.ComponentProps<typeof DeadlineSelect>;
  /** For the two checkbox labels. */
  className?: string;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <>
      <label className={props.className}>
        <input type="checkbox" checked={props.urgent} onChange={(e) => props.onUrgent(e.target.checked)} />{' '}
        {t('escalation.urgent')}
      </label>
      <label className={props.className}>
        <input
          type="checkbox"
          checked={props.ackRequired}
          onChange={(e) => props.onAckRequired(e.target.checked)}
        />{' '}
        {t('escalation.ackRequired')}
      </label>
      {props.ackRequired ? <DeadlineSelect {...props.deadline} /> : null}
    </>
  );
}
