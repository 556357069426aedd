import type { ConnectionState } from '../../../shared/contract';
import type { EventBus } from '../events/event-bus';

export interface ConnectionChange {
  state: ConnectionState['state'];
  at: string;
  queued: number;
}

export interface ConnectionHistory {
  /** The last changes of the hub connection's state, oldest first. */
  recent(): ConnectionChange[];
  dispose(): void;
}

/** Keeps the last `size` connection state changes (a ring buffer), for the diagnostics bundle. */
export function recordConnectionHistory(events: EventBus, size = 50): ConnectionHistory {
  const changes: ConnectionChange[] = [];
  const unsubscribe = events.subscribe((name, payload) => {
    if (name !== 'connection.state') return;
    const { state, since, queued } = payload as ConnectionState;
    const last = changes.at(-1);
    // The queue count alone changing is not a connection change.
    if (last && last.state === state) return;
    changes.push({ state, at: since, queued });
    if (changes.length > size) changes.shift();
  });
  return { recent: () => changes.map((c) => ({ ...c })), dispose: unsubscribe };
}
