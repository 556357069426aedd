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
  return (
    <ul className="directory-results" aria-label="Roles">
      {props.roles.length === 0 ? <li className="muted">{props.empty}</li> : null}
      {props.roles.map((role) => (
        <li key={role.roleId}>
          <span>
            {role.name} · {holdersText(role)}
          </span>
          <button
            type="button"
            className="button"
            disabled={role.state !== 'verified' || (props.taken?.(role) ?? false)}
            aria-pressed={props.pressed?.(role)}
            onClick={() => props.onPick(role)}
            aria-label={`${props.action} ${role.name}`}
          >
            {props.action}
          </button>
        </li>
      ))}
    </ul>
  );
}
