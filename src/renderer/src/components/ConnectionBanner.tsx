import type { ConnectionState } from '../../../shared/contract';
import { useTranslation } from 'react-i18next';
import { useCall, useEvent } from '../api';

export function ConnectionBanner(): React.JSX.Element {
  const { t } = useTranslation();
  const labels: Record<ConnectionState['state'], string> = {
    offline: t('connection.offline'),
    connecting: t('connection.connecting'),
    connected: t('connection.connected'),
    reconnecting: t('connection.reconnecting'),
    syncing: t('connection.syncing'),
  };
  const initial = useCall('connection.current');
  const latest = useEvent('connection.state');
  const state = latest ?? (initial.status === 'ready' ? initial.value : null);
  if (!state) return <p className="connection connection--unknown">{t('connection.checking')}</p>;
  const queued = state.queued > 0 ? t('connection.queued', { count: state.queued }) : '';
  const proxy = state.problem === 'proxy' && state.state !== 'connected' ? t('connection.proxy') : '';
  return (
    <p
      className={`connection connection--${state.state}`}
      role="status"
      aria-live="polite"
      data-testid="connection-state"
    >
      {labels[state.state]}
      {proxy}
      {queued}
    </p>
  );
}
