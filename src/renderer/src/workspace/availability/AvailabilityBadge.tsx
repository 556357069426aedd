import './availability.css';
import { useTranslation } from 'react-i18next';
import type { AvailabilityView } from '../../../../shared/contract';
import { availabilityLabel, statusSymbols } from './labels';

/**
 * A colleague's status as the hub reports it: words and a symbol (never colour alone). It is what they set,
 * a convenience, not a guarantee.
 */
export function AvailabilityBadge(props: { view: AvailabilityView; name?: string }): React.JSX.Element {
  const { t } = useTranslation();
  const label = availabilityLabel(props.view);
  return (
    <span
      className={`availability availability--${props.view.status}`}
      data-testid="availability-badge"
      title={t('availability.reported')}
    >
      <span aria-hidden="true">{statusSymbols[props.view.status]} </span>
      {props.name ? t('availability.named', { name: props.name }) : null}
      {label}
    </span>
  );
}
