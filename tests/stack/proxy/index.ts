// Reference forward proxy for tests: the hospital's HTTP proxy, as small as it can be. It only tunnels
// (HTTP CONNECT, the way clients reach https servers through a proxy) and records which host:port each
// tunnel went to, so a test can tell which servers the app reached through it. It sees no request inside
// a tunnel: TLS runs end to end between the app and the server.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface RunningProxy {
  /** The `proxyUrl` for the machine policy: http://127.0.0.1:PORT */
  url: string;
  /** The host:port of every tunnel asked for, in order (refused ones included). */
  tunnels(): string[];
  /**
   * Answers 403 to tunnels to this host:port from now on and cuts the open ones (the proxy's rules no longer
   * allow the destination); null allows everything again.
   */
  refuse(target: string | null): void;
  /** Stops listening and cuts every open tunnel (a proxy that went down). */
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<RunningProxy> {
  const log: string[] = [];
  const sockets = new Set<Socket>();
  let refused: string | null = null;
  const open = new Map<Socket, string>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' }).end('this proxy only tunnels (CONNECT)');
  });
  server.on('connection', track);
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    log.push(target);
    const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
    if (target === refused || !match) {
      client.end(`HTTP/1.1 ${match ? '403 Forbidden' : '400 Bad Request'}\r\n\r\n`);
      return;
    }
    open.set(client, target);
    client.once('close', () => open.delete(client));
    let established = false;
    const upstream = connect(Number(match[2]), match[1]!, () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.byteLength > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.once('error', () =>
      established ? client.destroy() : client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'),
    );
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => established && client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels: () => [...log],
    refuse: (target) => {
      refused = target;
      for (const [client, to] of open) if (to === target) client.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
