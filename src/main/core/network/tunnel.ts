import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '../errors';

const connectTimeoutMs = 15_000;

/**
 * The proxy could not carry the connection: down, unreachable, or it refused the tunnel. Says which proxy
 * (host and port only) and never the destination's path or anything the request carried.
 */
export function proxyUnreachable(proxy: URL, why: string, cause?: unknown): AppError {
  return new AppError(
    'proxy_unreachable',
    `The hospital proxy ${proxy.host} ${why}, so nothing was sent. If this persists, ask IT to check the proxy (proxyUrl in the policy, or the system proxy).`,
    cause === undefined ? undefined : { cause },
  );
}

/** The AppError 'proxy_unreachable' somewhere in an error's cause chain, if the proxy was the problem. */
export function proxyFailureIn(error: unknown): AppError | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof AppError && e.code === 'proxy_unreachable') return e;
  }
  return null;
}

/**
 * An HTTP CONNECT tunnel through `proxy` to host:port: the raw socket once the proxy answered 200, ready for
 * TLS to the destination (the destination's certificate is checked end to end; the proxy sees only host:port).
 */
export function openTunnel(proxy: URL, host: string, port: number): Promise<Socket> {
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority },
      timeout: connectTimeoutMs,
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) {
        socket.setTimeout(0); // the timeout was for the proxy's answer, not for the tunnel's life
        return resolve(socket);
      }
      socket.destroy();
      reject(proxyUnreachable(proxy, `refused the connection (HTTP ${res.statusCode ?? 0})`));
    });
    req.once('timeout', () => req.destroy(proxyUnreachable(proxy, 'did not answer in time')));
    req.once('error', (error) =>
      reject(proxyFailureIn(error) ?? proxyUnreachable(proxy, 'cannot be reached', error)),
    );
    req.end();
  });
}
