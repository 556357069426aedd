import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../../../shared/contract';

/** "To: Cardiology on call (Dr Asha Rao)": the role a message was sent to and who it resolved to, as signed. */
export function ToRoleLine(props: {
  toRole: MessageView['toRole'];
  nameOf: (userId: string) => string;
}): React.JSX.Element | null {
  const { t } = useTranslation();
  const role = props.toRole;
  if (!role) return null;
  const holders = role.holders.map(props.nameOf).join(', ');
  return (
    <p className="message-to-role">
      {t('roles.to', { role: role.name, holders })}
      {role.asBackup ? t('roles.toBackup') : null}
    </p>
  );
}
