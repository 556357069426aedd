import type { RoleResolutionView, RoleView } from '../../../../shared/contract';

const statusWords: Record<string, string> = {
  busy: 'busy',
  in_theatre: 'in theatre',
  off_shift: 'off shift',
  dnd: 'on do not disturb',
};

/** "Dr Rao is in theatre; backup: Dr Okafor." — said before anything is sent to a role nobody can take. */
export function unstaffedText(r: Pick<RoleResolutionView, 'name' | 'unavailable' | 'backup'>): string {
  const away = r.unavailable.map(
    (p) => `${p.displayName} is ${statusWords[p.status ?? ''] ?? 'unavailable'}`,
  );
  const why = away.length > 0 ? away.join('; ') : `Nobody holds ${r.name} now`;
  return r.backup
    ? `${why}; backup: ${r.backup.displayName}.`
    : `${why}, and there is no backup on the roster.`;
}

/** "Dr Asha Rao · backup Dr Samuel Okafor": a roster role's holders as IT signed them, or why it is refused. */
export function holdersText(role: RoleView): string {
  if (role.state === 'refused') return 'Roster entry refused: it failed the hospital IT signature check';
  const holders =
    role.holders.length > 0 ? role.holders.map((h) => h.displayName).join(', ') : 'Nobody on the roster';
  return role.backup ? `${holders} · backup ${role.backup.displayName}` : holders;
}
