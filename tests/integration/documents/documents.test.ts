// Tamper-evident documents against the real private gateway (HTTPS with the suite's CA): round trips of real
// PDF, PNG and JPEG files, and every kind of tampering or failure turning into a typed DocumentCheckFailed
// that names the check, with nothing returned to display.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DocumentCheckFailed,
  openDocument,
  readVerifiedDocument,
  uploadDocument,
  type DocumentCache,
  type DocumentProgress,
  type DocumentReference,
} from '../../../src/main/core/documents';
import type { RunningGateway } from '../../stack/gateway';
import { gatewayRequest, readBody } from '../../stack/gateway/test-client';
import { testTls } from '../../stack/test-env';
import { eventually } from '../../support/workstation';
import { fakeExe, minimalJpeg, minimalPdf, tinyPng, writeLargePng } from './fixtures';
import {
  access,
  checkFailure,
  fileSha256,
  filesIn,
  leavesOf,
  refusal,
  removeAll,
  startTestGateway,
  tempDir,
  testCache,
  TOKEN,
} from './helpers';

const dirs: string[] = [];
let gateway: RunningGateway;
let work: string;

beforeAll(async () => {
  work = tempDir('cm-documents-', dirs);
  gateway = await startTestGateway(join(work, 'gateway'), true);
});

afterAll(async () => {
  await gateway.close();
  removeAll(dirs);
});

let counter = 0;
function writeDoc(bytes: Uint8Array, name: string): string {
  const path = join(work, `${++counter}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

function cacheDir(): DocumentCache {
  return testCache(join(work, `cache-${++counter}`));
}

async function send(
  bytes: Uint8Array,
  fileName: string,
  mediaType: string,
  cache = cacheDir(),
): Promise<DocumentReference> {
  return uploadDocument({
    ...access(gateway),
    file: writeDoc(bytes, fileName),
    mediaType,
    fileName,
    cache,
  });
}

/** A multi-block document (3 leaves of 1 MiB and a root node), as a large PNG export. */
async function sendLargePng(
  seed: string,
  cache = cacheDir(),
): Promise<{ ref: DocumentReference; path: string }> {
  const path = join(work, `${++counter}-${seed}.png`);
  await writeLargePng(path, 2.5 * 1024 * 1024, seed);
  const ref = await uploadDocument({
    ...access(gateway),
    file: path,
    mediaType: 'image/png',
    fileName: 'ct-export.png',
    cache,
  });
  return { ref, path };
}

/** The one CAR in the cache: named by a keyed hash, so the plaintext SHA-256 of the document does not show. */
function cachedCar(cache: DocumentCache, ref: DocumentReference): string {
  const cars = filesIn(cache, 'cars');
  expect(cars).toHaveLength(1);
  expect(cars[0]).toMatch(/^[0-9a-f]{64}\.car$/);
  expect(cars[0]).not.toContain(ref.sha256);
  return join(cache.dir, 'cars', cars[0]!);
}

function expectNothingLeft(cache: DocumentCache): void {
  expect(filesIn(cache, 'opened')).toEqual([]);
  expect(filesIn(cache, 'tmp')).toEqual([]);
}

describe('round trips', () => {
  it.each([
    ['a PDF', minimalPdf(), 'discharge-summary.pdf', 'application/pdf'],
    ['a PNG', tinyPng(16, 9), 'wound-photo.png', 'image/png'],
    ['a JPEG', minimalJpeg(), 'x-ray.jpeg', 'image/jpeg'],
  ])('sends and opens %s: same bytes, same sha256', async (_what, bytes, fileName, mediaType) => {
    const senderCache = cacheDir();
    const ref = await send(bytes, fileName, mediaType, senderCache);
    expect(ref).toMatchObject({ fileName, mediaType, size: bytes.byteLength });
    expect(Buffer.from(ref.fileKey, 'base64')).toHaveLength(32);

    const receiverCache = cacheDir();
    const opened = await openDocument({ ...access(gateway), ref, cache: receiverCache });
    expect(readFileSync(opened.file).equals(Buffer.from(bytes))).toBe(true);
    expect(await fileSha256(opened.file)).toBe(ref.sha256);
    expect(opened.evidence).toMatchObject({
      cid: ref.cid,
      sha256: ref.sha256,
      size: bytes.byteLength,
      source: 'gateway',
    });
    expect(opened.evidence.blocks).toBeGreaterThanOrEqual(1);
    // the receiver now keeps the verified CAR (ciphertext), never the plaintext
    const car = cachedCar(receiverCache, ref);
    expect(readFileSync(car).includes(Buffer.from(bytes))).toBe(false);
    // another profile (another key) names the same document differently
    expect(cachedCar(senderCache, ref)).not.toBe(car.replace(receiverCache.dir, senderCache.dir));

    // the sender opens its own copy from the cache, fully verified
    const own = await openDocument({ ...access(gateway), ref, cache: senderCache });
    expect(own.evidence.source).toBe('cache');
    expect(readFileSync(own.file).equals(Buffer.from(bytes))).toBe(true);
  });

  it('streams a multi-block image export with progress for every phase, and a read stream of the result', async () => {
    const path = join(work, 'export.png');
    const source = await writeLargePng(path, 5 * 1024 * 1024 + 12_345, 'progress');
    const seen: DocumentProgress[] = [];
    const ref = await uploadDocument({
      ...access(gateway),
      file: path,
      mediaType: 'image/png',
      fileName: 'MRI export.png',
      cache: cacheDir(),
      onProgress: (p) => seen.push(p),
    });
    expect(ref.sha256).toBe(source.sha256);
    const opened = await openDocument({
      ...access(gateway),
      ref,
      cache: cacheDir(),
      onProgress: (p) => seen.push(p),
    });
    for (const phase of ['encrypt', 'upload', 'download', 'verify'] as const) {
      const events = seen.filter((p) => p.phase === phase);
      expect(events.length, phase).toBeGreaterThan(1);
      const bytes = events.map((p) => p.bytes);
      expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    }
    expect(seen.filter((p) => p.phase === 'verify').at(-1)).toEqual({
      phase: 'verify',
      bytes: source.size,
      total: source.size,
    });
    expect(opened.evidence.blocks).toBe(7); // 6 leaves of 1 MiB + the root node

    const stream = readVerifiedDocument(opened, { removeWhenDone: true });
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    expect(Buffer.concat(parts).equals(readFileSync(path))).toBe(true);
    // The file goes once the stream has closed, a moment after its last chunk.
    await eventually('the opened file removed', async () => !existsSync(opened.file));
    expect(() => statSync(opened.file)).toThrow();
  });

  it('keeps, at upload, the very CAR the gateway serves (depth-first, duplicates included)', async () => {
    const cache = cacheDir();
    const { ref } = await sendLargePng('same-car', cache);
    const res = await gatewayRequest(gateway.url, testTls(), {
      path: `/ipfs/${ref.cid}?format=car&car-dups=y`,
      token: TOKEN,
    });
    expect(res.status).toBe(200);
    const served = await readBody(res);
    expect(readFileSync(cachedCar(cache, ref)).equals(served)).toBe(true);
  });

  it('gives the same file sent twice the same sha256 and keeps one local copy', async () => {
    const cache = cacheDir();
    const bytes = minimalPdf('Same letter twice');
    const first = await send(bytes, 'letter.pdf', 'application/pdf', cache);
    const second = await send(bytes, 'letter.pdf', 'application/pdf', cache);
    expect(second.sha256).toBe(first.sha256);
    expect(second.fileKey).not.toBe(first.fileKey); // a fresh key per upload
    expect(second.cid).not.toBe(first.cid);
    cachedCar(cache, first);
    // both references still open (the older one from the gateway), and the cache still holds one copy
    for (const ref of [first, second]) {
      const opened = await openDocument({ ...access(gateway), ref, cache });
      expect(readFileSync(opened.file).equals(bytes)).toBe(true);
    }
    expect(filesIn(cache, 'cars')).toHaveLength(1);
  });
});

describe('tampering and failures are detected, nothing is returned', () => {
  it('names the corrupted block (block-hash) when the gateway serves an altered leaf', async () => {
    const { ref } = await sendLargePng('corrupt-leaf');
    const leaves = await leavesOf(gateway, ref.cid);
    expect(leaves).toHaveLength(3);
    const victim = (leaves[1] as { toString(): string }).toString();
    await gateway.corruptBlock?.(victim);

    const cache = cacheDir();
    const failure = await checkFailure(openDocument({ ...access(gateway), ref, cache }));
    expect(failure.check).toBe('block-hash');
    expect(failure.code).toBe('document_unverified');
    expect(failure.evidence).toMatchObject({ cid: ref.cid, blockCid: victim, source: 'gateway' });
    expectNothingLeft(cache);
    expect(filesIn(cache, 'cars')).toEqual([]);
  });

  it('never returns a document whose root node was altered on the gateway', async () => {
    const { ref } = await sendLargePng('corrupt-root');
    await gateway.corruptBlock?.(ref.cid);
    const cache = cacheDir();
    const failure = await checkFailure(openDocument({ ...access(gateway), ref, cache }));
    // The gateway cannot walk a corrupt root, so it either sends it (caught by its hash) or breaks off.
    expect(['block-hash', 'truncated']).toContain(failure.check);
    if (failure.check === 'block-hash') expect(failure.evidence.blockCid).toBe(ref.cid);
    expectNothingLeft(cache);
    expect(filesIn(cache, 'cars')).toEqual([]);
  });

  it('detects a truncated CAR (truncated) and a CAR missing its last block (missing-block)', async () => {
    const { ref } = await sendLargePng('truncate');
    const leaves = await leavesOf(gateway, ref.cid);
    try {
      gateway.truncateCar?.('mid-block');
      const cache = cacheDir();
      const cut = await checkFailure(openDocument({ ...access(gateway), ref, cache }));
      expect(cut.check).toBe('truncated');
      expectNothingLeft(cache);

      gateway.truncateCar?.('drop-last-block');
      const dropped = await checkFailure(openDocument({ ...access(gateway), ref, cache }));
      expect(dropped.check).toBe('missing-block');
      expect(dropped.evidence.blockCid).toBe(leaves.at(-1)?.toString());
      expectNothingLeft(cache);
      expect(filesIn(cache, 'cars')).toEqual([]);
    } finally {
      gateway.truncateCar?.('off');
    }
    const opened = await openDocument({ ...access(gateway), ref, cache: cacheDir() });
    expect(await fileSha256(opened.file)).toBe(ref.sha256);
  });

  it('refuses another document under this one’s key (swapped CID)', async () => {
    const mine = await send(minimalPdf('mine'), 'mine.pdf', 'application/pdf');
    const other = await send(minimalPdf('other'), 'other.pdf', 'application/pdf');
    const cache = cacheDir();
    const failure = await checkFailure(
      openDocument({ ...access(gateway), ref: { ...mine, cid: other.cid }, cache }),
    );
    expect(['decrypt', 'plaintext-hash']).toContain(failure.check);
    expect(failure.evidence.cid).toBe(other.cid);
    expectNothingLeft(cache);
  });

  it('refuses content whose sha256 is not the signed one (plaintext-hash)', async () => {
    const ref = await send(tinyPng(8, 8), 'scan.png', 'image/png');
    const wrong = ref.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const cache = cacheDir();
    const failure = await checkFailure(
      openDocument({ ...access(gateway), ref: { ...ref, sha256: wrong }, cache }),
    );
    expect(failure.check).toBe('plaintext-hash');
    expect(failure.evidence).toMatchObject({ expected: wrong, found: ref.sha256 });
    expectNothingLeft(cache);
  });

  it('reports a gateway that is down (gateway-unreachable), for open and upload', async () => {
    const down = await startTestGateway(tempDir('cm-documents-down-', dirs));
    const ref = await uploadDocument({
      ...access(down),
      file: writeDoc(minimalJpeg(), 'a.jpg'),
      mediaType: 'image/jpeg',
      fileName: 'a.jpg',
      cache: cacheDir(),
    });
    await down.close();
    const cache = cacheDir();
    const failure = await checkFailure(openDocument({ ...access(down), ref, cache }));
    expect(failure.check).toBe('gateway-unreachable');
    expect(failure.evidence.cid).toBe(ref.cid);
    expectNothingLeft(cache);

    const upload = await checkFailure(
      uploadDocument({
        ...access(down),
        file: writeDoc(minimalJpeg(), 'b.jpg'),
        mediaType: 'image/jpeg',
        fileName: 'b.jpg',
        cache,
      }),
    );
    expect(upload.check).toBe('gateway-unreachable');
    expect(filesIn(cache, 'cars')).toEqual([]);
    expect(filesIn(cache, 'tmp')).toEqual([]);
  });

  it('detects a cached CAR altered on disk on the next open, then fetches a fresh copy', async () => {
    const cache = cacheDir();
    const { ref, path } = await sendLargePng('altered-cache', cache);
    const carPath = cachedCar(cache, ref);
    expect((await openDocument({ ...access(gateway), ref, cache })).evidence.source).toBe('cache');

    // flip one byte in the middle of the cached CAR (inside a leaf)
    const fd = openSync(carPath, 'r+');
    const middle = Math.floor(statSync(carPath).size / 2);
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, middle);
    byte[0] = (byte[0] as number) ^ 0x01;
    writeSync(fd, byte, 0, 1, middle);
    closeSync(fd);

    const failure = await checkFailure(openDocument({ ...access(gateway), ref, cache }));
    expect(failure.check).toBe('block-hash');
    expect(failure.evidence.source).toBe('cache');
    expect(failure.evidence.blockCid).toBeDefined();
    expect(filesIn(cache, 'opened').filter((f) => !f.startsWith('.'))).toHaveLength(1); // only the first open's file
    expect(filesIn(cache, 'tmp')).toEqual([]);

    const again = await openDocument({ ...access(gateway), ref, cache });
    expect(again.evidence.source).toBe('gateway');
    expect(readFileSync(again.file).equals(readFileSync(path))).toBe(true);
  });

  it('refuses a disallowed type at upload: an .exe renamed .pdf, another media type, a mismatching name', async () => {
    const cache = cacheDir();
    const exe = writeDoc(fakeExe(), 'setup.pdf');
    const renamed = await refusal(
      uploadDocument({
        ...access(gateway),
        file: exe,
        mediaType: 'application/pdf',
        fileName: 'setup.pdf',
        cache,
      }),
    );
    expect(renamed.reason).toBe('content-mismatch');
    expect(renamed.code).toBe('document_refused');

    const exeType = await refusal(
      uploadDocument({
        ...access(gateway),
        file: exe,
        mediaType: 'application/x-msdownload',
        fileName: 'setup.exe',
        cache,
      }),
    );
    expect(exeType.reason).toBe('media-type');

    const pngAsPdf = await refusal(
      uploadDocument({
        ...access(gateway),
        file: writeDoc(tinyPng(), 'photo.pdf'),
        mediaType: 'application/pdf',
        fileName: 'photo.pdf',
        cache,
      }),
    );
    expect(pngAsPdf.reason).toBe('content-mismatch');

    const pdfNamedExe = await refusal(
      uploadDocument({
        ...access(gateway),
        file: writeDoc(minimalPdf(), 'report.exe'),
        mediaType: 'application/pdf',
        fileName: 'report.exe',
        cache,
      }),
    );
    expect(pdfNamedExe.reason).toBe('content-mismatch');
    expect(filesIn(cache, 'cars')).toEqual([]);
    expect(filesIn(cache, 'tmp')).toEqual([]);
  });

  it('cancels an upload and an open on abort (cancelled), removing temp files', async () => {
    const path = join(work, 'cancel.png');
    await writeLargePng(path, 8 * 1024 * 1024, 'cancel');
    const cache = cacheDir();
    const uploadAbort = new AbortController();
    const upload = await checkFailure(
      uploadDocument({
        ...access(gateway),
        file: path,
        mediaType: 'image/png',
        fileName: 'cancel.png',
        cache,
        signal: uploadAbort.signal,
        onProgress: (p) => {
          if (p.phase === 'upload' && p.bytes > 2 * 1024 * 1024) uploadAbort.abort();
        },
      }),
    );
    expect(upload.check).toBe('cancelled');
    expect(filesIn(cache, 'tmp')).toEqual([]);
    expect(filesIn(cache, 'cars')).toEqual([]);

    const ref = await uploadDocument({
      ...access(gateway),
      file: path,
      mediaType: 'image/png',
      fileName: 'cancel.png',
      cache: cacheDir(),
    });
    const openAbort = new AbortController();
    const opened = await checkFailure(
      openDocument({
        ...access(gateway),
        ref,
        cache,
        signal: openAbort.signal,
        onProgress: (p) => {
          if (p.phase === 'verify' && p.bytes > 2 * 1024 * 1024) openAbort.abort();
        },
      }),
    );
    expect(opened.check).toBe('cancelled');
    expectNothingLeft(cache);
    expect(filesIn(cache, 'cars')).toEqual([]);
  });
});

describe('gateway access', () => {
  const servers: Server[] = [];
  const serve = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
    const tls = testTls();
    const server = createServer({ key: tls.key, cert: tls.cert }, handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('asks getToken for each request and reports a refused token (gateway-refused)', async () => {
    let asked = 0;
    const ref = await uploadDocument({
      gatewayUrl: gateway.url,
      getToken: async () => {
        asked++;
        return TOKEN;
      },
      file: writeDoc(minimalPdf(), 't.pdf'),
      mediaType: 'application/pdf',
      fileName: 't.pdf',
      cache: cacheDir(),
    });
    await openDocument({
      gatewayUrl: gateway.url,
      getToken: async () => (asked++, TOKEN),
      ref,
      cache: cacheDir(),
    });
    expect(asked).toBe(2);
    const failure = await checkFailure(
      openDocument({ ...access(gateway, 'not-the-gateway-token-000'), ref, cache: cacheDir() }),
    );
    expect(failure.check).toBe('gateway-refused');
    expect(failure.evidence.status).toBe(401);
  });

  it('refuses redirects, so the token never reaches another origin', async () => {
    const ref = await send(minimalPdf(), 'r.pdf', 'application/pdf');
    const elsewhere: string[] = [];
    const other = await serve((req, res) => {
      elsewhere.push(req.headers.authorization ?? '(none)');
      res.writeHead(200, { 'content-type': 'application/vnd.ipld.car' }).end();
    });
    const otherOrigin = other.replace('127.0.0.1', 'localhost');
    const redirecting = await serve((req, res) => {
      res.writeHead(302, { location: `${otherOrigin}${req.url ?? '/'}` }).end();
    });
    const cache = cacheDir();
    const failure = await checkFailure(openDocument({ ...access({ url: redirecting }), ref, cache }));
    expect(failure.check).toBe('gateway-refused');
    expect(failure.evidence.status).toBe(302);
    expect(elsewhere).toEqual([]);
    expectNothingLeft(cache);
  });

  it('refuses an answer that is not a CAR (content-type)', async () => {
    const ref = await send(minimalPdf(), 'c.pdf', 'application/pdf');
    const html = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    });
    const failure = await checkFailure(openDocument({ ...access({ url: html }), ref, cache: cacheDir() }));
    expect(failure.check).toBe('content-type');
    expect(failure.evidence.found).toBe('text/html');
  });

  it('refuses an upload the gateway stored under another CID (cid-mismatch), with a fake gateway', async () => {
    // The real gateway cannot be made to answer a wrong CID: this stand-in does only that.
    const fakeGatewayAnsweringAnotherCid = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({
          cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
          size: 10,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    });
    const cache = cacheDir();
    const failure = await checkFailure(
      uploadDocument({
        ...access({ url: fakeGatewayAnsweringAnotherCid }),
        file: writeDoc(minimalPdf(), 'm.pdf'),
        mediaType: 'application/pdf',
        fileName: 'm.pdf',
        cache,
      }),
    );
    expect(failure.check).toBe('cid-mismatch');
    expect(failure.evidence.found).toContain('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy');
    expect(filesIn(cache, 'cars')).toEqual([]);
    expect(filesIn(cache, 'tmp')).toEqual([]);
  });

  it('only talks https to the gateway', async () => {
    const ref = await send(minimalPdf(), 'h.pdf', 'application/pdf');
    await expect(
      openDocument({
        gatewayUrl: gateway.url.replace('https:', 'http:'),
        getToken: async () => TOKEN,
        ref,
        cache: cacheDir(),
      }),
    ).rejects.toMatchObject({ code: 'invalid_args' });
  });
});

export { DocumentCheckFailed };
