import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { Response } from 'undici';
import type { AppError } from '../errors';
import { outgoing } from './index';
import { proxyFailureIn } from './tunnel';

/** MSAL's HTTP client over the core's routes; it remembers a proxy failure MSAL itself would swallow. */
export interface MsalNetwork extends INetworkModule {
  /**
   * The proxy failure behind the last failed request, if no request succeeded since (MSAL turns failed
   * discovery into a bare "openid_config_error", so the cause has to be kept here).
   */
  proxyFailure(): AppError | null;
}

export function msalNetwork(): MsalNetwork {
  let failure: AppError | null = null;
  async function send<T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    let response: Response;
    try {
      response = await outgoing().fetch(url, {
        method,
        headers: options?.headers ?? {},
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {}),
      });
    } catch (error) {
      failure = proxyFailureIn(error);
      throw error;
    }
    failure = null;
    return {
      headers: Object.fromEntries(response.headers),
      body: (await response.json()) as T,
      status: response.status,
    };
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
    proxyFailure: () => failure,
  };
}
