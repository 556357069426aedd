import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallArgs, CallName, CallResult, IpcError, SessionState } from '../../../shared/contract';

/** The session calls a screen may make: each answers the new SessionState (activity answers null). */
export type SessionCall = Extract<CallName, `session.${string}`>;

type Call = <N extends SessionCall>(
  name: N,
  ...args: CallArgs<N> extends undefined ? [] : [CallArgs<N>]
) => Promise<CallResult<N> | null>;

export interface Session {
  /** null until session.current has answered (or the first session.state event arrived). */
  state: SessionState | null;
  /** Why session.current failed, if it did. */
  loadError: IpcError | null;
  /** The call in flight, if any: screens disable their controls meanwhile. */
  pending: SessionCall | null;
  /** The last failed call's error (ok:false), cleared when the next call starts. */
  error: IpcError | null;
  /** Makes a session call; answers its value, or null when it failed (the error is then in `error`). */
  call: Call;
}

/** session.current once, then every session.state event; plus calls that track pending and error. */
export function useSession(): Session {
  const [state, setState] = useState<SessionState | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [pending, setPending] = useState<SessionCall | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const live = useRef(true);
  const sawEvent = useRef(false);

  useEffect(() => {
    live.current = true;
    const off = window.clinical.on('session.state', (next) => {
      sawEvent.current = true;
      setState(next);
    });
    void window.clinical.call('session.current').then((result) => {
      if (!live.current) return;
      if (!result.ok) setLoadError(result.error);
      // An event that arrived meanwhile is newer than this answer.
      else if (!sawEvent.current) setState(result.value);
    });
    return () => {
      live.current = false;
      off();
    };
  }, []);

  const call = useCallback<Call>(async (name, ...args) => {
    setPending(name);
    setError(null);
    const invoke = window.clinical.call as unknown as (
      n: SessionCall,
      ...a: unknown[]
    ) => Promise<{ ok: true; value: unknown } | { ok: false; error: IpcError }>;
    try {
      const result = await invoke(name, ...args);
      if (!live.current) return null;
      if (!result.ok) {
        setError(result.error);
        return null;
      }
      if (result.value !== null && typeof result.value === 'object' && 'status' in result.value) {
        setState(result.value as SessionState);
      }
      return result.value as never;
    } finally {
      if (live.current) setPending(null);
    }
  }, []);

  return { state, loadError, pending, error, call };
}
