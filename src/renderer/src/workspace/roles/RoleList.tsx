import { useTranslation } from 'react-i18next';
import type { RoleView } from '../../../../shared/contract';
import { holdersText } from './role-text';

/** The roster's roles, each with its holders and one action ("Message", "Add"); refused roles cannot be picked. */
export function RoleList(props: {
  roles: RoleView[];
  empty: string;
  action: string;
  onPick: (role: RoleView) => void;
  taken?: (role: RoleView) => boolean;
  pressed?: (role: RoleView) => boolean;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <ul className="directory-results" aria-label={t('roles.label')}>
      {props.roles.length === 0 ? <li className="muted">{props.empty}</li> : null}
      {props.roles.map((role) => (
        <li key={role.roleId}>
          <span>{t('roles.entry', { role: role.name, holders: holdersText(role) })}</span>
          <button
            type="button"
            className="button"
            disabled={role.state !== 'verified' || (props.taken?.(role) ?? false)}
            aria-pressed={props.pressed?.(role)}
            onClick={() => props.onPick(role)}
            aria-label={t('roles.action', { action: props.action, role: role.name })}
          >
            {props.action}
          </button>
        </li>
      ))}
    </ul>
  );
}
