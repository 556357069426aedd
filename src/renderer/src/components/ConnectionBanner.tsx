import type { ConnectionState } from '../../../shared/contract';
import { useCall, useEvent } from '../api';

const labels: Record<ConnectionState['state'], string> = {
  offline: 'Offline',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  syncing: 'Syncing…',
};

export function ConnectionBanner(): React.JSX.Element {
  const initial = useCall('connection.current');
  const latest = useEvent('connection.state');
  const state = latest ?? (initial.status === 'ready' ? initial.value : null);
  if (!state) return <p className="connection connection--unknown">Checking connection…</p>;
  const queued =
    state.queued > 0 ? ` · ${state.queued} message${state.queued === 1 ? '' : 's'} waiting to send` : '';
  const proxy =
    state.problem === 'proxy' && state.state !== 'connected'
      ? ' · The hospital proxy cannot be reached; tell IT if this lasts'
      : '';
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
