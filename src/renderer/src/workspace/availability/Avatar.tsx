import './availability.css';
import type { AvailabilityView } from '../../../../shared/contract';
import { initialsOf } from '../message-group';
import { availabilityLabel, statusSymbols } from './labels';
import { t } from '../../i18n';

/** "Dr Samuel Okafor, In theatre": a person and the status they set, for a screen reader. */
export function withStatus(name: string, view: AvailabilityView): string {
  return t('availability.withStatus', { name, status: availabilityLabel(view) });
}

/**
 * A person's initials (or an icon for a group) with a dot for the status they set: each status its own symbol
 * and border, never colour alone. Without `label` it is decoration, the words being said beside it.
 */
export function Avatar(props: {
  name: string;
  availability?: AvailabilityView | null;
  /** What a screen reader hears for it; none: hidden from it. */
  label?: string;
  /** Shown instead of the initials (a group's or an announcement's icon). */
  icon?: React.ReactNode;
}): React.JSX.Element {
  const status = props.availability?.status;
  return (
    <span
      className="avatar"
      {...(props.label ? { role: 'img', 'aria-label': props.label } : { 'aria-hidden': true })}
    >
      {props.icon ?? initialsOf(props.name)}
      {status ? (
        <span className={`presence-dot presence-dot--${status}`} data-status={status}>
          {statusSymbols[status]}
        </span>
      ) : null}
    </span>
  );
}
