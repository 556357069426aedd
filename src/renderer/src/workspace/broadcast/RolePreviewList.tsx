import type { BroadcastPreviewView, RolePreviewView } from '../../../../shared/contract';
import { unstaffedText } from '../roles/role-text';
import type { Recipients } from './useRecipients';

const names = (people: { displayName: string }[]) => people.map((p) => p.displayName).join(', ');

/** One chosen role as it resolves now: its holders, or why it reaches nobody with the backup as one click. */
function RoleLine(props: { role: RolePreviewView; name: string; picked: Recipients }): React.JSX.Element {
  const { role, name, picked } = props;
  const remove = (
    <button type="button" className="button" onClick={() => picked.removeRole(role.roleId)}>
      Remove {name}
    </button>
  );
  if (role.status === 'staffed')
    return (
      <li>
        <span>
          {name}: {names(role.holders)}
          {role.unavailable.length > 0 ? ` · not included: ${names(role.unavailable)}` : null}
        </span>
        {remove}
      </li>
    );
  const backup = role.status === 'unstaffed' ? role.backup : null;
  return (
    <li className="announcement-role--refused">
      <span role="alert">
        {role.status === 'unstaffed' ? unstaffedText({ ...role, name }) : role.problem} Nothing will be sent
        until you choose.
      </span>
      {backup ? (
        <button
          type="button"
          className="button button--primary"
          onClick={() => picked.takeBackup(role.roleId, backup)}
        >
          Send to the backup, {backup.displayName}, instead
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
  const { picked, preview } = props;
  const empty = picked.roles.length === 0 && picked.people.length === 0;
  return (
    <section className="announcement-recipients" aria-labelledby="announcement-recipients-heading">
      <h3 id="announcement-recipients-heading">Recipients</h3>
      {empty ? <p className="muted">Nobody chosen yet.</p> : null}
      {preview && !empty ? (
        <p data-testid="announcement-reach">
          <strong>
            Goes to {preview.recipients} {preview.recipients === 1 ? 'person' : 'people'}
          </strong>
        </p>
      ) : null}
      <ul className="directory-results" aria-label="Chosen recipients">
        {picked.roles.map((r) => {
          const role = preview?.roles.find((p) => p.roleId === r.roleId);
          return role ? (
            <RoleLine key={r.roleId} role={role} name={r.name} picked={picked} />
          ) : (
            <li key={r.roleId}>{r.name}: checking the roster…</li>
          );
        })}
        {picked.people.map((p) => (
          <li key={p.userId}>
            <span>{p.displayName}</span>
            <button type="button" className="button" onClick={() => picked.removePerson(p.userId)}>
              Remove {p.displayName}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
