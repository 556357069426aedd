import type { RoleResolutionView, RoleView } from '../../../../shared/contract';
import { t } from '../../i18n';

/** "Dr Rao is in theatre": why one holder cannot take the role now. */
function awayText(name: string, status: string | null | undefined): string {
  switch (status) {
    case 'busy':
      return t('roles.isBusy', { name });
    case 'in_theatre':
      return t('roles.isInTheatre', { name });
    case 'off_shift':
      return t('roles.isOffShift', { name });
    case 'dnd':
      return t('roles.isDnd', { name });
    default:
      return t('roles.isUnavailable', { name });
  }
}

/** "Dr Rao is in theatre; backup: Dr Okafor." — said before anything is sent to a role nobody can take. */
export function unstaffedText(r: Pick<RoleResolutionView, 'name' | 'unavailable' | 'backup'>): string {
  const away = r.unavailable.map((p) => awayText(p.displayName, p.status));
  const why = away.length > 0 ? away.join('; ') : t('roles.nobodyHolds', { role: r.name });
  return r.backup ? t('roles.withBackup', { why, name: r.backup.displayName }) : t('roles.noBackup', { why });
}

/** "Dr Asha Rao · backup Dr Samuel Okafor": a roster role's holders as IT signed them, or why it is refused. */
export function holdersText(role: RoleView): string {
  if (role.state === 'refused') return t('roles.refused');
  const holders =
    role.holders.length > 0 ? role.holders.map((h) => h.displayName).join(', ') : t('roles.nobodyOnRoster');
  return role.backup ? t('roles.holdersBackup', { holders, name: role.backup.displayName }) : holders;
}
