import { useTranslation } from 'react-i18next';
import type { BroadcastPreviewView, RolePreviewView } from '../../../../shared/contract';
import { unstaffedText } from '../roles/role-text';
import type { Recipients } from './useRecipients';

const names = (people: { displayName: string }[]) => people.map((p) => p.displayName).join(', ');

/** One chosen role as it resolves now: its holders, or why it reaches nobody with the backup as one click. */
function RoleLine(props: { role: RolePreviewView; name: string; picked: Recipients }): React.JSX.Element {
  const { t } = useTranslation();
  const { role, name, picked } = props;
  const remove = (
    <button type="button" className="button" onClick={() => picked.removeRole(role.roleId)}>
      {t('broadcast.remove', { name })}
    </button>
  );
  if (role.status === 'staffed')
    return (
      <li>
        <span>
          {t('broadcast.holders', { role: name, names: names(role.holders) })}
          {role.unavailable.length > 0
            ? t('broadcast.notIncluded', { names: names(role.unavailable) })
            : null}
        </span>
        {remove}
      </li>
    );
  const backup = role.status === 'unstaffed' ? role.backup : null;
  return (
    <li className="announcement-role--refused">
      <span role="alert">
        {t('broadcast.untilYouChoose', {
          problem: role.status === 'unstaffed' ? unstaffedText({ ...role, name }) : role.problem,
        })}
      </span>
      {backup ? (
        <button
          type="button"
          className="button button--primary"
          onClick={() => picked.takeBackup(role.roleId, backup)}
        >
          {t('broadcast.sendToBackup', { name: backup.displayName })}
        </button>
      ) : null}
      {remove}
    </li>
  );
}

/** Whom the announcement reaches now: each role as it resolves, the colleagues by name, and how many in all. */
export function RolePreviewList(props: {
  picked: Recipients;
  preview: BroadcastPreviewView | null;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { picked, preview } = props;
  const empty = picked.roles.length === 0 && picked.people.length === 0;
  return (
    <section className="announcement-recipients" aria-labelledby="announcement-recipients-heading">
      <h3 id="announcement-recipients-heading">{t('broadcast.recipients')}</h3>
      {empty ? <p className="muted">{t('broadcast.nobodyChosen')}</p> : null}
      {preview && !empty ? (
        <p data-testid="announcement-reach">
          <strong>{t('broadcast.goesTo', { count: preview.recipients })}</strong>
        </p>
      ) : null}
      <ul className="directory-results" aria-label={t('broadcast.chosen')}>
        {picked.roles.map((r) => {
          const role = preview?.roles.find((p) => p.roleId === r.roleId);
          return role ? (
            <RoleLine key={r.roleId} role={role} name={r.name} picked={picked} />
          ) : (
            <li key={r.roleId}>{t('broadcast.checking', { role: r.name })}</li>
          );
        })}
        {picked.people.map((p) => (
          <li key={p.userId}>
            <span>{p.displayName}</span>
            <button type="button" className="button" onClick={() => picked.removePerson(p.userId)}>
              {t('broadcast.remove', { name: p.displayName })}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
