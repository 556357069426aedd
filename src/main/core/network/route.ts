import { bypasses } from './bypass';

/** Where one connection goes: straight to the destination, or through an HTTP proxy's CONNECT tunnel. */
export type Route = { kind: 'direct' } | { kind: 'proxy'; proxy: URL };

/**
 * The OS's proxy for a URL, in the PAC answer format ("PROXY host:port; DIRECT"): Electron's
 * session.resolveProxy in the app, the environment's HTTPS_PROXY/NO_PROXY without it (`environmentProxy`).
 */
export type SystemProxy = (url: string) => Promise<string>;

export interface ProxySettings {
  /** The machine policy's proxy (http://host:port); when set it wins over the system proxy. */
  proxyUrl: string | null;
  /** Hosts reached without the policy's proxy. */
  proxyBypass: string[];
  system?: SystemProxy;
}

const direct: Route = { kind: 'direct' };

/**
 * The first entry of a PAC answer this app can use: PROXY (an HTTP proxy) or DIRECT. SOCKS and HTTPS proxies
 * are skipped; an answer with nothing usable goes direct.
 */
export function parsePacAnswer(answer: string): Route {
  for (const entry of answer.split(';')) {
    const [kind, hostPort] = entry.trim().split(/\s+/);
    if (kind?.toUpperCase() === 'DIRECT') return direct;
    if (kind?.toUpperCase() === 'PROXY' && hostPort && URL.canParse(`http://${hostPort}`)) {
      return { kind: 'proxy', proxy: new URL(`http://${hostPort}`) };
    }
  }
  return direct;
}

/** Decides the route of every outgoing connection: the policy's proxy, else the system's, else direct. */
export function createRouter(settings: ProxySettings): (host: string, port: number) => Promise<Route> {
  const policyProxy = settings.proxyUrl === null ? null : new URL(settings.proxyUrl);
  return async (host, port) => {
    if (policyProxy) {
      return bypasses(settings.proxyBypass, host) ? direct : { kind: 'proxy', proxy: policyProxy };
    }
    if (!settings.system) return direct;
    const target = `https://${host.includes(':') ? `[${host}]` : host}:${port}/`;
    return parsePacAnswer(await settings.system(target));
  };
}

/**
 * The environment's proxy as a SystemProxy, for runs without Electron: HTTPS_PROXY (or https_proxy), minus
 * the hosts in NO_PROXY ("*" for all).
 */
export function environmentProxy(env: NodeJS.ProcessEnv): SystemProxy | undefined {
  const raw = env.HTTPS_PROXY ?? env.https_proxy;
  if (!raw || !URL.canParse(raw)) return undefined;
  const proxy = new URL(raw);
  if (proxy.protocol !== 'http:') return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return (url) => {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return Promise.resolve(
      noProxy.includes('*') || bypasses(noProxy, host) ? 'DIRECT' : `PROXY ${proxy.host}`,
    );
  };
}
