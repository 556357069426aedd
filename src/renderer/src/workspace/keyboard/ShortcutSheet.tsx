import { useTranslation } from 'react-i18next';
import { Modal } from '../../components/Modal';
import { shortcutList } from './shortcuts';
import './keyboard.css';

/** The "?" sheet: every keyboard shortcut of the workspace. */
export function ShortcutSheet(props: { onClose: () => void }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <Modal title={t('keyboard.sheet')} onClose={props.onClose}>
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">{t('keyboard.keys')}</th>
            <th scope="col">{t('keyboard.does')}</th>
          </tr>
        </thead>
        <tbody>
          {shortcutList().map(({ keys, does }) => (
            <tr key={does}>
              <td>
                {keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 ? ' ' : null}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="button" onClick={props.onClose}>
        {t('common.close')}
      </button>
    </Modal>
  );
}
