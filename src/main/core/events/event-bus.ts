import { contract, type EventName, type EventPayload } from '../../../shared/contract';

type Listener = (name: EventName, payload: unknown) => void;

/** Core's outgoing events, checked against the contract before anyone (the window, a test) sees them. */
export interface EventBus {
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  subscribe(listener: Listener): () => void;
}

export function createEventBus(): EventBus {
  const listeners = new Set<Listener>();
  return {
    emit(name, payload) {
      const checked = contract.events[name].parse(payload);
      for (const listener of listeners) listener(name, checked);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
