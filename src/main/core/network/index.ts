import { createOutgoing, type Outgoing, type ProxyHealth } from './outgoing';
import type { ProxySettings } from './route';

export { environmentProxy, parsePacAnswer, type ProxySettings, type SystemProxy } from './route';
export { bypasses } from './bypass';
export { proxyFailureIn } from './tunnel';
export type { Outgoing, ProxyHealth } from './outgoing';

const watchers = new Set<ProxyHealth>();
const report: ProxyHealth = (failure) => {
  for (const watch of watchers) watch(failure);
};

let settings: ProxySettings = { proxyUrl: null, proxyBypass: [] };
let current: Outgoing = createOutgoing(settings, report);

const same = (a: ProxySettings, b: ProxySettings): boolean =>
  a.proxyUrl === b.proxyUrl && a.system === b.system && a.proxyBypass.join('\n') === b.proxyBypass.join('\n');

/**
 * Sets the proxy of every outgoing connection in this process (each core calls it at start, from the machine
 * policy and the system proxy); connections already open keep their route.
 */
export function routeConnections(next: ProxySettings): void {
  if (same(settings, next)) return;
  const previous = current;
  settings = next;
  current = createOutgoing(next, report);
  void previous.close();
}

/** The agent and fetch every client in the core opens its connections with. */
export function outgoing(): Outgoing {
  return current;
}

/** Follows whether the proxy carries connections (for the connection banner); returns the unsubscribe. */
export function watchProxy(watch: ProxyHealth): () => void {
  watchers.add(watch);
  return () => watchers.delete(watch);
}
