import { useEffect, useState } from 'react';
import type { CallName, CallResult, EventName, EventPayload, IpcError } from '../../shared/contract';

export type Loadable<T> =
  { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: IpcError };

/** Runs an argument-less contract call once and tracks its result. */
export function useCall<N extends CallName>(name: N): Loadable<CallResult<N>> {
  const [state, setState] = useState<Loadable<CallResult<N>>>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    const call = window.clinical.call as (
      n: N,
    ) => Promise<{ ok: true; value: CallResult<N> } | { ok: false; error: IpcError }>;
    void call(name).then((result) => {
      if (live)
        setState(
          result.ok ? { status: 'ready', value: result.value } : { status: 'error', error: result.error },
        );
    });
    return () => {
      live = false;
    };
  }, [name]);
  return state;
}

/** The latest payload of a contract event, or null before the first one. */
export function useEvent<E extends EventName>(name: E): EventPayload<E> | null {
  const [payload, setPayload] = useState<EventPayload<E> | null>(null);
  useEffect(() => window.clinical.on(name, setPayload), [name]);
  return payload;
}
