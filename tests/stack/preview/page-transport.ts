/**
 * Runs in the preview's page, before the app (serialized with toString, so it references nothing outside its
 * own body). Trades the one-time token in the URL fragment for the bridge's session cookie, carries calls over
 * fetch and events over server-sent events, and tells the renderer it runs in the preview.
 */
export function previewTransport(deliver: (channel: string, payload: unknown) => void): {
  invoke(channel: string, args: unknown): Promise<unknown>;
} {
  Object.defineProperty(window, 'clinicalPreview', { value: true });
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  // The link works once: the token leaves the address bar and the history before the app starts.
  history.replaceState(null, '', location.pathname + location.search);
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // A refused token sets no cookie; every call then answers the bridge's refusal, which the app shows.
  const session =
    token === null ? Promise.resolve() : post('/bridge/session', { token }).then(() => undefined);
  void session.then(() => {
    const events = new EventSource('/bridge/events');
    events.onmessage = (event: MessageEvent<string>) => {
      const { channel, payload } = JSON.parse(event.data) as { channel: string; payload: unknown };
      deliver(channel, payload);
    };
  });
  return {
    async invoke(channel, args) {
      await session;
      const response = await post(`/bridge/call/${encodeURIComponent(channel)}`, { args });
      return response.json();
    },
  };
}
