import { BellRing } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useAwaiting } from './useEscalations';

/** The sidebar's way to the awaiting views, with the count of messages awaiting my acknowledgement. */
export function AwaitingButton(props: { current: boolean; onClick: () => void }): React.JSX.Element {
  const { t } = useTranslation();
  const { mine } = useAwaiting();
  return (
    <button
      type="button"
      className="button button--icon button--toggle sidebar-awaiting"
      aria-pressed={props.current}
      onClick={props.onClick}
    >
      <BellRing aria-hidden="true" className="icon" />
      {t('escalation.awaitingButton')}{' '}
      <span
        className={mine.length > 0 ? 'badge badge--urgent' : 'badge'}
        aria-label={t('escalation.awaitingYou', { count: mine.length })}
      >
        {mine.length}
      </span>
    </button>
  );
}
