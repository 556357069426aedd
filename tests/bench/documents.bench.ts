/**
 * Documents benchmark: `npx tsx tests/bench/documents.bench.ts` (BENCH_SCALE=smoke: 5 MiB; full: 5 MiB,
 * 100 MiB and 1 GiB; BENCH_DOC_MIB=5,100 picks the sizes in MiB). Prints figures, ratios, where an open's
 * time goes and peak memory; asserts nothing.
 *
 * For each size a real PNG export is generated, uploaded to the reference gateway (HTTPS),
 * then timed:
 *  (a) raw primitives chained by hand over the same ciphertext: read 1 MiB blocks from disk, sha2-256 each
 *      block, crypto_secretstream_xchacha20poly1305_pull per 64 KiB chunk, sha2-256 of the plaintext, write
 *      the plaintext to disk;
 *  (b) the product: openDocument from the local cache (full verification: CAR parse, every block's hash,
 *      DAG walk, authenticated decryption, plaintext hash, verified file written);
 *  (c) openDocument from the gateway (adds HTTPS, and the gateway's work on the same two cores).
 * The gateway runs in a child process (gateway-child.ts), as a real one runs elsewhere; BENCH_GATEWAY=in-process
 * runs it in this process instead, where its HTTPS and block reads are charged to the client's thread.
 * The ratio (b)/(a) is the verify + decrypt throughput against the raw chain (target ≥ 0.8; from the gateway
 * ≥ 0.6). Peak RSS over the RSS before each open should stay flat across sizes.
 *
 * The breakdown: one more open of each kind with a phase clock (src/main/core/documents/timings.ts), in
 * milliseconds on the main thread: working (block hash, decrypt, plaintext hash) or waiting (for bytes, for a
 * write behind); "other" is the rest of the wall time (CAR parse, DAG walk, async glue, TLS, and with
 * BENCH_GATEWAY=in-process the gateway's own work). GC is the time V8 reported collecting meanwhile (spread
 * over all the others).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { open, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import sodiumModule from 'libsodium-wrappers-sumo';
import {
  openDocument,
  phaseTotals,
  uploadDocument,
  type DocumentReference,
  type OpenPhase,
} from '../../src/main/core/documents';
import { writeLargePng } from '../integration/documents/fixtures';
import { testCache } from '../integration/documents/helpers';
import { startGateway } from '../stack/gateway';
import { gatewayRequest } from '../stack/gateway/test-client';
import { testTls } from '../stack/test-env';
import {
  benchScale,
  cpuSpent,
  describeCpu,
  meanCpu,
  measure,
  printRatios,
  printTable,
  ratio,
  sampleCpu,
  shortestWall,
  type CpuSpan,
  type Figure,
  type Ratio,
} from './report';

const tls = testTls();
if (process.env.NODE_EXTRA_CA_CERTS !== tls.caCertPath) {
  // Node reads the extra CA only at start-up: run again trusting the suite's test CA.
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertPath },
  });
  process.exit(child.status ?? 1);
}

await sodiumModule.ready;
const s = sodiumModule;
const MiB = 1024 * 1024;
const scale = benchScale();
const sizes =
  process.env.BENCH_DOC_MIB !== undefined
    ? process.env.BENCH_DOC_MIB.split(',').map((mib) => Number(mib) * MiB)
    : scale === 'smoke'
      ? [5 * MiB]
      : [5 * MiB, 100 * MiB, 1024 * MiB];
const CHUNK = 64 * 1024;
const FRAME = CHUNK + 17;

const work = mkdtempSync(join(tmpdir(), 'cm-bench-documents-'));
const token = 'bench-token-0123456789abcdef';

/** The reference gateway in a child process (BENCH_GATEWAY=in-process keeps it in this one). */
async function childGateway(): Promise<{ url: string; pid?: number; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'gateway-child.ts'), join(work, 'gateway'), token],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  const { url } = JSON.parse(String(first.value ?? '{}')) as { url: string };
  return {
    url,
    pid: child.pid,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

const inProcess = process.env.BENCH_GATEWAY === 'in-process';
const gateway = inProcess
  ? await startGateway({ dataDir: join(work, 'gateway'), tls, token })
  : await childGateway();
const gatewayPid = 'pid' in gateway && gateway.pid !== undefined ? [gateway.pid] : [];
const gatewayWhere = inProcess ? 'the in-process gateway' : 'the gateway in its own process';
const access = { gatewayUrl: gateway.url, getToken: async () => token };

/** Plaintext file → a bare secretstream ciphertext file under a random key (untimed set-up for (a)). */
async function encryptRaw(plainPath: string, encPath: string): Promise<Uint8Array> {
  const key = randomFillSync(new Uint8Array(32));
  const { state, header } = s.crypto_secretstream_xchacha20poly1305_init_push(key);
  const out = await open(encPath, 'w');
  await out.write(header);
  let pending = Buffer.alloc(0);
  for await (const chunk of createReadStream(plainPath, { highWaterMark: MiB })) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    while (pending.byteLength > CHUNK) {
      await out.write(
        s.crypto_secretstream_xchacha20poly1305_push(
          state,
          pending.subarray(0, CHUNK),
          null,
          s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
        ),
      );
      pending = pending.subarray(CHUNK);
    }
  }
  await out.write(
    s.crypto_secretstream_xchacha20poly1305_push(
      state,
      pending,
      null,
      s.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
    ),
  );
  await out.close();
  return key;
}

/** (a) The raw chain: blocks hashed, chunks decrypted, plaintext hashed and written. */
async function rawChain(encPath: string, key: Uint8Array, outPath: string): Promise<string> {
  const out = await open(outPath, 'w');
  const plainHash = createHash('sha256');
  let state: ReturnType<typeof s.crypto_secretstream_xchacha20poly1305_init_pull> | null = null;
  let carry = Buffer.alloc(0); // only the part of a chunk that straddles two blocks is copied
  let batch: Uint8Array[] = [];
  let batched = 0;
  let written = 0;
  const pull = (frame: Uint8Array): void => {
    const r = s.crypto_secretstream_xchacha20poly1305_pull(state as never, frame, null);
    if (r === false) throw new Error('raw chain: chunk does not authenticate');
    plainHash.update(r.message);
    batch.push(r.message);
    batched += r.message.byteLength;
  };
  for await (const block of createReadStream(encPath, { highWaterMark: MiB })) {
    const bytes = block as Buffer;
    createHash('sha256').update(bytes).digest(); // the block's hash against its CID
    let offset = 0;
    if (state === null) {
      state = s.crypto_secretstream_xchacha20poly1305_init_pull(bytes.subarray(0, 24), key);
      offset = 24;
    }
    if (carry.byteLength > 0) {
      const need = FRAME - carry.byteLength;
      if (bytes.byteLength < need) {
        carry = Buffer.concat([carry, bytes]);
        continue;
      }
      pull(Buffer.concat([carry, bytes.subarray(0, need)]));
      offset = need;
    }
    while (bytes.byteLength - offset >= FRAME) {
      pull(bytes.subarray(offset, offset + FRAME));
      offset += FRAME;
    }
    carry = Buffer.from(bytes.subarray(offset));
    if (batched >= MiB) {
      await out.writev(batch, written);
      written += batched;
      batch = [];
      batched = 0;
    }
  }
  if (carry.byteLength > 0) pull(carry);
  await out.writev(batch, written);
  await out.close();
  return plainHash.digest('hex');
}

async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakOver: number }> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakOver: (peak - before) / MiB };
  } finally {
    clearInterval(timer);
  }
}

const phases: OpenPhase[] = [
  'read',
  'block hash',
  'decrypt',
  'plaintext hash',
  'wait for write',
  'wait for CAR copy write',
];

/** One open with a phase clock: each phase's milliseconds and share of the wall time, and GC meanwhile. */
async function breakdown(label: string, open: (clock: ReturnType<typeof phaseTotals>) => Promise<void>) {
  const clock = phaseTotals();
  let gc = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gc += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  await open(clock);
  const total = performance.now() - start;
  await new Promise((resolve) => setImmediate(resolve)); // let the last GC entries arrive
  observer.disconnect();
  const parts = phases
    .filter((phase) => clock.totals.has(phase))
    .map((phase) => [phase, clock.totals.get(phase) ?? 0] as const);
  const other = total - parts.reduce((sum, [, ms]) => sum + ms, 0);
  const cell = (name: string, ms: number): string =>
    `${name} ${ms.toFixed(0)} ms (${((100 * ms) / total).toFixed(0)}%)`;
  return `${label.padEnd(26)} | ${total.toFixed(0).padStart(6)} ms | ${[...parts, ['other', other] as const]
    .map(([name, ms]) => cell(name, ms))
    .join(', ')} | GC ${gc.toFixed(0)} ms`;
}

function fastest(figures: Figure[]): Figure {
  return [...figures].sort((a, b) => b.rate - a.rate)[0] as Figure;
}

function median(figures: Figure[]): Figure {
  const sorted = [...figures].sort((a, b) => a.rate - b.rate);
  return sorted[Math.floor(sorted.length / 2)] as Figure;
}

/**
 * Time to first view (docs/progressive-view.md): from asking the gateway until the first plaintext is proven
 * authentic and may be shown, against the floor for it, the time until the CAR's first 1 MiB leaf has arrived
 * over a raw HTTPS GET (a block is checked whole); and until the whole file is verified.
 */
async function firstView(label: string, ref: DocumentReference, cacheDir: string): Promise<string> {
  const firstLeaf = async (): Promise<number> => {
    const started = performance.now();
    const res = await gatewayRequest(gateway.url, tls, {
      path: `/ipfs/${ref.cid}?format=car&car-version=1&car-order=dfs&car-dups=y&dag-scope=all`,
      headers: { accept: 'application/vnd.ipld.car; version=1; order=dfs; dups=y' },
      token,
    });
    if (res.status !== 200) throw new Error(`raw CAR request: ${res.status}`);
    let received = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      received += chunk.byteLength;
      if (received >= MiB + 8 * 1024) break;
    }
    res.body.destroy();
    return performance.now() - started;
  };
  // The best of three, so a connection's first set-up is not charged to the floor.
  const leafArrived = Math.min(await firstLeaf(), await firstLeaf(), await firstLeaf());
  const started = performance.now();
  let first = Number.NaN;
  const opened = await openDocument({
    ...access,
    ref,
    cache: testCache(cacheDir),
    onAuthenticated: () => {
      if (Number.isNaN(first)) first = performance.now() - started;
    },
  });
  const whole = performance.now() - started;
  await rm(opened.file, { force: true });
  await rm(cacheDir, { recursive: true, force: true });
  return (
    `${label.padEnd(8)} | first authenticated bytes ${first.toFixed(1)} ms (first leaf over raw HTTPS ` +
    `${leafArrived.toFixed(1)} ms: ${(first / leafArrived).toFixed(2)}×) | whole file verified ${whole.toFixed(0)} ms`
  );
}

const figures: Figure[] = [];
const ratios: Ratio[] = [];
const firstViews: string[] = [];
const memory: string[] = [];
const breakdowns: string[] = [];
const cpuLines: string[] = [];

/**
 * Where the CPU of the opens from the gateway went (per open, averaged over the runs), and the best share of the raw
 * chain they could reach with that work on this machine's cores: no faster than this process's main thread, and no
 * faster than all of it, the gateway's included, spread over every core.
 */
function gatewayCeiling(label: string, runs: CpuSpan[], rawSeconds: number): string {
  const spent = meanCpu(runs.map((r) => r.spent));
  const seconds = runs.reduce((n, r) => n + r.seconds, 0) / runs.length;
  return (
    `${label.padEnd(8)} | per open from the gateway (${(seconds * 1000).toFixed(0)} ms): ${describeCpu(spent, seconds, gatewayWhere)}; ` +
    `ceiling with this work on ${availableParallelism()} cores: ${(rawSeconds / shortestWall(spent)).toFixed(2)} of the raw chain`
  );
}
try {
  for (const size of sizes) {
    const label = size >= 1024 * MiB ? `${size / 1024 / MiB} GiB` : `${size / MiB} MiB`;
    const plainPath = join(work, `doc-${label}.png`);
    const source = await writeLargePng(plainPath, size, `bench-${size}`);
    const mb = source.size / 1e6;
    const senderCache = testCache(join(work, `sender-${size}`));
    const ref: DocumentReference = await uploadDocument({
      ...access,
      file: plainPath,
      mediaType: 'image/png',
      fileName: 'bench.png',
      cache: senderCache,
    });
    const encPath = join(work, `raw-${size}.enc`);
    const key = await encryptRaw(plainPath, encPath);
    // A small open takes as long as one of V8's major collections, and about half of the opens (raw or product)
    // meet one: many runs, so the median is not a coin toss between the two modes.
    const runs = size >= 1024 * MiB ? 1 : size >= 100 * MiB ? 5 : 41;

    const raw: Figure[] = [];
    const product: Figure[] = [];
    const fromGateway: Figure[] = [];
    let productPeak = 0;
    let gatewayPeak = 0;
    const rawOut = join(work, 'raw.out');
    const rawRun = async (): Promise<void> => {
      raw.push(
        await measure(
          `raw chain ${label}`,
          mb,
          async () => {
            const digest = await rawChain(encPath, key, rawOut);
            if (digest !== source.sha256) throw new Error('raw chain produced other bytes');
          },
          'MB/s: read, sha2-256 blocks, secretstream pull, sha2-256 plaintext, write',
        ),
      );
      await rm(rawOut, { force: true });
    };
    const cacheRun = async (): Promise<void> => {
      let opened: { file: string } | undefined;
      const cached = await withPeakRss(() =>
        measure(
          `openDocument (cache) ${label}`,
          mb,
          async () => {
            opened = await openDocument({ ...access, ref, cache: senderCache });
          },
          'MB/s: CAR + every block + DAG + decrypt + plaintext hash + file',
        ),
      );
      product.push(cached.value);
      productPeak = Math.max(productPeak, cached.peakOver);
      if (opened !== undefined) await rm(opened.file, { force: true });
    };
    const gatewayCpu: CpuSpan[] = [];
    const gatewayRun = async (run: number): Promise<void> => {
      let opened: { file: string } | undefined;
      const receiverCache = testCache(join(work, `receiver-${size}-${run}`));
      const before = sampleCpu(gatewayPid);
      const fetched = await withPeakRss(() =>
        measure(
          `openDocument (gateway) ${label}`,
          mb,
          async () => {
            opened = await openDocument({ ...access, ref, cache: receiverCache });
          },
          `MB/s: + HTTPS and ${gatewayWhere}`,
        ),
      );
      gatewayCpu.push({ spent: cpuSpent(before, sampleCpu(gatewayPid)), seconds: fetched.value.seconds });
      fromGateway.push(fetched.value);
      gatewayPeak = Math.max(gatewayPeak, fetched.peakOver);
      if (opened !== undefined) await rm(opened.file, { force: true });
      await rm(receiverCache.dir, { recursive: true, force: true });
    };
    // The three take turns at going first, so none always follows the same one (and its garbage).
    for (let run = 0; run < runs; run++) {
      const order = [rawRun, cacheRun, () => gatewayRun(run)];
      for (let i = 0; i < order.length; i++) await order[(i + run) % order.length]!();
    }
    breakdowns.push(
      await breakdown(`${label} from cache`, async (clock) => {
        const opened = await openDocument({ ...access, ref, cache: senderCache, clock });
        await rm(opened.file, { force: true });
      }),
    );
    const breakdownCache = testCache(join(work, `receiver-${size}-breakdown`));
    breakdowns.push(
      await breakdown(`${label} from the gateway`, async (clock) => {
        const opened = await openDocument({ ...access, ref, cache: breakdownCache, clock });
        await rm(opened.file, { force: true });
      }),
    );
    await rm(breakdownCache.dir, { recursive: true, force: true });
    firstViews.push(await firstView(label, ref, join(work, `receiver-${size}-first-view`)));

    const r = median(raw);
    const p = median(product);
    const g = median(fromGateway);
    figures.push(r, p, g);
    ratios.push(ratio(`verify + decrypt ${label} (cache) / raw chain`, p, r, 0.8));
    if (runs > 5)
      ratios.push(
        ratio(
          `  the fastest of ${runs} each (no collection met)`,
          fastest(product),
          fastest(raw),
          undefined,
          'cache / raw chain',
        ),
      );
    ratios.push(
      ratio(
        `verify + decrypt ${label} (gateway) / raw chain`,
        g,
        r,
        0.6,
        `includes HTTPS and ${gatewayWhere}`,
      ),
    );
    cpuLines.push(gatewayCeiling(label, gatewayCpu, r.seconds));
    memory.push(
      `${label.padEnd(8)} | peak RSS over start: open from cache ${productPeak.toFixed(0)} MiB, from gateway ${gatewayPeak.toFixed(0)} MiB`,
    );
    await rm(plainPath, { force: true });
    await rm(encPath, { force: true });
    await rm(senderCache.dir, { recursive: true, force: true });
  }
} finally {
  await gateway.close();
  rmSync(work, { recursive: true, force: true });
}

printTable('Documents: verify + decrypt throughput (ops = MB, so ops/s = MB/s)', figures);
printRatios('Ratios (targets: from cache ≥ 0.8, from the gateway ≥ 0.6)', ratios);
console.log('\nWhere one open spends its time (main thread; see the header comment)');
for (const line of breakdowns) console.log(line);
console.log('\nTime to first view from the gateway (shown "verifying…" until the whole file is verified)');
for (const line of firstViews) console.log(line);
console.log('\nWhere the CPU of the opens from the gateway went');
for (const line of cpuLines) console.log(line);
console.log('\nPeak memory (target: flat across sizes)');
for (const line of memory) console.log(line);
