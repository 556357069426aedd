import type { CallArgs, CallName, CallResult, EventName, EventPayload, Result } from './contract';
import type { BridgeChannels } from './contract/names';

/** The API the renderer sees as `window.clinical`: exactly the contract, nothing else. */
export interface ClinicalApi {
  call<N extends CallName>(
    name: N,
    ...args: CallArgs<N> extends undefined ? [] : [CallArgs<N>]
  ): Promise<Result<CallResult<N>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** How the bridge reaches main: ipcRenderer in the preload, a Playwright binding in the Chromium tests. */
export interface BridgeTransport {
  invoke(channel: string, args: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

/**
 * Builds `window.clinical` over a transport. Deliberately self-contained (it references nothing outside
 * its own body) so the Chromium tests can inject this exact function's source as the page's preload.
 */
export function createClinicalApi(transport: BridgeTransport, channels: BridgeChannels): ClinicalApi {
  const api = {
    call(name: string, args?: unknown): Promise<unknown> {
      const channel = Object.prototype.hasOwnProperty.call(channels.calls, name)
        ? channels.calls[name]
        : undefined;
      if (channel === undefined) {
        return Promise.resolve({
          ok: false,
          error: { code: 'unknown_call', message: `No such call: ${name}` },
        });
      }
      return transport.invoke(channel, args);
    },
    on(event: string, listener: (payload: unknown) => void): () => void {
      const channel = Object.prototype.hasOwnProperty.call(channels.events, event)
        ? channels.events[event]
        : undefined;
      if (channel === undefined) throw new Error(`No such event: ${event}`);
      return transport.subscribe(channel, listener);
    },
  };
  return Object.freeze(api) as unknown as ClinicalApi;
}
