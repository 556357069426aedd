import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import { outgoing, proxyFailureIn } from '../network';

/** The update server could not be read (network, TLS, an HTTP error): nothing was refused, try again later. */
export class UpdateFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateFetchError';
  }
}

/** The server sent more than the cap allows; the transfer was cut off and nothing of it kept. */
export class OversizeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
    this.name = 'OversizeError';
  }
}

const timeoutMs = 30_000;

/**
 * GET over https only, with the system's (and, in tests, the test CA's) trust, no redirects followed: the
 * manifest and the installer come from exactly the origin the machine policy names.
 */
function get(url: URL, maxBytes: number, onData: (chunk: Buffer) => void): Promise<void> {
  if (url.protocol !== 'https:') return Promise.reject(new UpdateFetchError('the update URL must be https'));
  const { agent } = outgoing();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'GET', timeout: timeoutMs, agent }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        return reject(new UpdateFetchError(`the update server answered HTTP ${status}`));
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        req.destroy();
        return reject(new OversizeError(maxBytes));
      }
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > maxBytes) {
          req.destroy();
          reject(new OversizeError(maxBytes));
        } else onData(chunk);
      });
      res.on('end', () => resolve());
      res.on('error', (error) => reject(new UpdateFetchError(error.message)));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) =>
      reject(
        new UpdateFetchError(
          proxyFailureIn(error)?.message ?? `the update server is unreachable (${error.message})`,
        ),
      ),
    );
    req.end();
  });
}

/** The whole body, at most `maxBytes`. */
export async function fetchBytes(url: URL, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await get(url, maxBytes, (chunk) => chunks.push(chunk));
  return Buffer.concat(chunks);
}

/**
 * Streams the body to `path` (created new, never overwriting) while hashing it; at most `maxBytes`. The file
 * is removed again if the transfer fails, so a partial installer is never left for anything to pick up.
 */
export async function downloadTo(
  url: URL,
  path: string,
  maxBytes: number,
): Promise<{ size: number; sha512: Uint8Array }> {
  const hash = createHash('sha512');
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  let writeError: Error | null = null;
  out.on('error', (error) => (writeError = error));
  let size = 0;
  try {
    await get(url, maxBytes, (chunk) => {
      size += chunk.byteLength;
      hash.update(chunk);
      out.write(chunk);
    });
    out.end();
    await finished(out).catch(() => undefined);
    if (writeError)
      throw new UpdateFetchError(`the installer could not be written (${(writeError as Error).message})`);
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }
  return { size, sha512: new Uint8Array(hash.digest()) };
}
