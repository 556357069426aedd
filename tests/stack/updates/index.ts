// Reference update server: the hospital's own update server for signed updates (docs/updates.md). It serves
// whatever was published to it over https with the test CA: per channel a signed manifest `<channel>.json`,
// electron-updater's `<channel>.yml` for the generic provider, and the installers next to them. It signs
// nothing itself; `publishRelease` signs with the release key the test hands it, as IT's tool would.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { toBase64 } from '../../../src/main/core/crypto';
import { signManifest, type SignedUpdateManifest, type UpdateManifest } from '../../../src/main/core/updates';
import type { TestTls } from '../tls';

export interface RunningUpdateServer {
  /** The `updateUrl` for the machine policy: https://127.0.0.1:PORT/updates/ */
  url: string;
  /** Serves `bytes` at `<url><name>` (replacing what was there). */
  put(name: string, bytes: Uint8Array | string): void;
  /** How many times `<url><name>` was asked for. */
  requests(name: string): number;
  close(): Promise<void>;
}

export interface Release {
  channel: string;
  version: string;
  installer: Uint8Array;
  fileName?: string;
  notes?: string;
  releaseDate?: string;
}

export async function startUpdateServer(options: {
  tls: TestTls;
  port?: number;
}): Promise<RunningUpdateServer> {
  const files = new Map<string, Buffer>();
  const counts = new Map<string, number>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'https://local').pathname;
    const name = path.startsWith('/updates/') ? decodeURIComponent(path.slice('/updates/'.length)) : null;
    if (name !== null) counts.set(name, (counts.get(name) ?? 0) + 1);
    const body = name !== null && req.method === 'GET' ? files.get(name) : undefined;
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = name!.endsWith('.json')
      ? 'application/json'
      : name!.endsWith('.yml')
        ? 'text/yaml'
        : 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.byteLength,
      'cache-control': 'no-store',
    });
    res.end(body);
  };
  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/updates/`,
    put(name, bytes) {
      files.set(name, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes));
    },
    requests: (name) => counts.get(name) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The manifest of a release, its installer's size and sha512 taken from the bytes. */
export function manifestOf(release: Release): UpdateManifest {
  return {
    version: release.version,
    channel: release.channel,
    releaseDate: release.releaseDate ?? '2026-12-01T09:00:00.000Z',
    installer: {
      fileName: release.fileName ?? `clinical-messenger-${release.version}-${release.channel}-setup.exe`,
      size: release.installer.byteLength,
      sha512: toBase64(createHash('sha512').update(release.installer).digest()),
    },
    ...(release.notes ? { notes: release.notes } : {}),
  };
}

/** electron-updater's generic-provider feed (`<channel>.yml`) for the same release. */
export function electronUpdaterFeed(manifest: UpdateManifest): string {
  const { fileName, sha512, size } = manifest.installer;
  return [
    `version: ${manifest.version}`,
    'files:',
    `  - url: ${fileName}`,
    `    sha512: ${sha512}`,
    `    size: ${size}`,
    `path: ${fileName}`,
    `sha512: ${sha512}`,
    `releaseDate: '${manifest.releaseDate}'`,
    '',
  ].join('\n');
}

/** Signs a release with `secretKey` and publishes manifest, feed and installer; answers what was published. */
export async function publishRelease(
  server: RunningUpdateServer,
  release: Release,
  secretKey: Uint8Array,
): Promise<SignedUpdateManifest> {
  const signed = await signManifest(manifestOf(release), secretKey);
  server.put(`${release.channel}.json`, JSON.stringify(signed));
  server.put(`${release.channel}.yml`, electronUpdaterFeed(signed.manifest));
  server.put(signed.manifest.installer.fileName, release.installer);
  return signed;
}
