import { createRequire } from 'node:module';
import {
  AbortError,
  HttpClient,
  HttpError,
  HttpResponse,
  TimeoutError,
  type HttpRequest,
  type IHttpConnectionOptions,
} from '@microsoft/signalr';
import { outgoing } from './index';

/**
 * SignalR reads `WebSocket` from its connection options in Node (HttpConnection) though its typings do not
 * declare it; this is the part of `ws` it uses.
 */
interface WebSocketConstructor {
  new (url: string, protocols?: string | string[], options?: object): unknown;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;
}

/** SignalR's negotiate (and long polling) over the core's routes, as its own fetch client does it. */
class RoutedHttpClient extends HttpClient {
  override async send(request: HttpRequest): Promise<HttpResponse> {
    if (request.abortSignal?.aborted) throw new AbortError();
    if (!request.method || !request.url) throw new Error('No method or url defined.');
    const controller = new AbortController();
    let failure: Error | null = null;
    if (request.abortSignal) {
      request.abortSignal.onabort = () => {
        failure = new AbortError();
        controller.abort();
      };
    }
    const timer = request.timeout
      ? setTimeout(() => {
          failure = new TimeoutError();
          controller.abort();
        }, request.timeout)
      : null;
    const content = request.content === '' ? undefined : request.content;
    try {
      const response = await outgoing().fetch(request.url, {
        method: request.method,
        headers: {
          'X-Requested-With': 'XMLHttpRequest',
          ...(content === undefined
            ? {}
            : {
                'Content-Type':
                  typeof content === 'string' ? 'text/plain;charset=UTF-8' : 'application/octet-stream',
              }),
          ...request.headers,
        },
        ...(content === undefined ? {} : { body: content }),
        signal: controller.signal,
      });
      if (!response.ok) {
        throw new HttpError((await response.text()) || response.statusText, response.status);
      }
      const body =
        request.responseType === 'arraybuffer' ? await response.arrayBuffer() : await response.text();
      return new HttpResponse(response.status, response.statusText, body);
    } catch (error) {
      throw failure ?? error;
    } finally {
      if (timer) clearTimeout(timer);
      if (request.abortSignal) request.abortSignal.onabort = null;
    }
  }
}

/** `ws` (SignalR's WebSocket in Node) opening its connection with the core's agent. */
function routedWebSocket(): WebSocketConstructor {
  const NodeWebSocket = createRequire(import.meta.url)('ws') as WebSocketConstructor;
  const Base = NodeWebSocket as new (url: string, protocols?: string | string[], options?: object) => object;
  return class RoutedWebSocket extends Base {
    static readonly CONNECTING = NodeWebSocket.CONNECTING;
    static readonly OPEN = NodeWebSocket.OPEN;
    static readonly CLOSING = NodeWebSocket.CLOSING;
    static readonly CLOSED = NodeWebSocket.CLOSED;
    constructor(url: string, protocols?: string | string[], options?: object) {
      super(url, protocols, { ...options, agent: outgoing().agent });
    }
  };
}

/** The SignalR connection options that send the negotiate and the WebSocket through the core's routes. */
export function signalrTransport(): Pick<IHttpConnectionOptions, 'httpClient'> & {
  WebSocket: WebSocketConstructor;
} {
  return { httpClient: new RoutedHttpClient(), WebSocket: routedWebSocket() };
}
