import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Agent as UndiciAgent, buildConnector, fetch as undiciFetch } from 'undici';
import { createRouter, type ProxySettings, type Route } from './route';
import type { AppError } from '../errors';
import { openTunnel, proxyFailureIn } from './tunnel';

type Router = (host: string, port: number) => Promise<Route>;
type Tunnel = (proxy: URL, host: string, port: number) => Promise<Socket>;
/** Told after every tunnel attempt: the proxy's failure, or null once it carried a connection. */
export type ProxyHealth = (failure: AppError | null) => void;

/** The one way out of the core: every connection to the hub, IdP, gateway, key service and update server. */
export interface Outgoing {
  /** For node:https requests and WebSockets (ws): each new connection takes its route. */
  agent: HttpsAgent;
  /** fetch (undici) over the same routes, for MSAL and the SignalR negotiate. */
  fetch: typeof undiciFetch;
  /** Lets connections in flight finish, then closes the idle ones (live sockets are never cut). */
  close(): Promise<void>;
}

const hostOf = (options: RequestOptions): string =>
  (options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');

class RoutingAgent extends HttpsAgent {
  constructor(
    private readonly route: Router,
    private readonly tunnel: Tunnel,
  ) {
    // As Node's global agent: connections to the same server are reused.
    super({ keepAlive: true, timeout: 5_000, scheduling: 'lifo' });
  }

  override createConnection(
    options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const host = hostOf(options);
    const port = Number(options.port ?? 443);
    this.route(host, port)
      .then(async (route) => {
        const tls = { ...options, host, port } as ConnectionOptions;
        if (route.kind === 'direct') return done(null, tlsConnect(tls));
        done(null, tlsConnect({ ...tls, socket: await this.tunnel(route.proxy, host, port) }));
      })
      .catch((error: Error) => done(error, undefined as never));
    return undefined;
  }
}

function routingDispatcher(route: Router, tunnel: Tunnel): UndiciAgent {
  const tls = buildConnector({});
  return new UndiciAgent({
    connect: (options, callback) => {
      const secure = options.protocol === 'https:';
      const port = Number(options.port || (secure ? 443 : 80));
      route(options.hostname, port)
        .then(async (chosen) => {
          if (chosen.kind === 'direct') return tls(options, callback);
          const socket = await tunnel(chosen.proxy, options.hostname, port);
          // A plain-http destination is spoken to over the tunnel as it is; never around the proxy.
          if (!secure) return callback(null, socket);
          tls({ ...options, httpSocket: socket }, callback);
        })
        .catch((error: Error) => callback(error, null));
    },
  });
}

export function createOutgoing(settings: ProxySettings, health: ProxyHealth): Outgoing {
  const route = createRouter(settings);
  const tunnel: Tunnel = (proxy, host, port) =>
    openTunnel(proxy, host, port).then(
      (socket) => {
        health(null);
        return socket;
      },
      (error: unknown) => {
        health(proxyFailureIn(error));
        throw error;
      },
    );
  const agent = new RoutingAgent(route, tunnel);
  const dispatcher = routingDispatcher(route, tunnel);
  return {
    agent,
    fetch: (input, init) => undiciFetch(input, { ...init, dispatcher }),
    close: () => dispatcher.close(),
  };
}
