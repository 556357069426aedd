import type { ConnectionState } from '../../../shared/contract';
import type { EventBus } from '../events/event-bus';

/** The single source of the hub connection's state, published as the `connection.state` event. */
export interface ConnectionStateStore {
  current(): ConnectionState;
  set(state: ConnectionState['state'], queued?: number): void;
  /** Names (or, with null, clears) what keeps the app from its servers; being connected clears it too. */
  setProblem(problem: NonNullable<ConnectionState['problem']> | null): void;
}

export function createConnectionState(
  bus: EventBus,
  now: () => Date = () => new Date(),
): ConnectionStateStore {
  let state: ConnectionState = { state: 'offline', since: now().toISOString(), queued: 0 };
  return {
    current: () => state,
    set(next, queued = state.queued) {
      if (next === state.state && queued === state.queued) return;
      const { problem } = state;
      state = {
        state: next,
        since: next === state.state ? state.since : now().toISOString(),
        queued,
        ...(problem && next !== 'connected' ? { problem } : {}),
      };
      bus.emit('connection.state', state);
    },
    setProblem(problem) {
      if ((problem ?? undefined) === state.problem) return;
      const { problem: _cleared, ...rest } = state;
      state = problem === null ? rest : { ...rest, problem };
      bus.emit('connection.state', state);
    },
  };
}
