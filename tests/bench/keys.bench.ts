/**
 * Keys benchmark (docs/key-design.md). Run by `npm run bench` (BENCH_SCALE=smoke for a quick pass). Prints one
 * table and the ratios; asserts nothing.
 *
 *  (1) Sealing one 4 KiB text message for groups of 2, 10, 50 and 200 members with 2 devices each: format 1
 *      (sealEnvelope, the message key sealed to every device) against format 2 (sealEnvelopeV2 under the
 *      conversation key), per message and in envelope bytes, with the one-off grant of each epoch
 *      (createConversationKey to every member's user key) beside it. Each figure is the median of 5 runs.
 *  (2) The key-release round trip against the real IdP and key service: requestKeyRelease (challenge,
 *      release, verify the signed answer, open 5 user-key epochs) against a bare HTTPS POST /challenge to the
 *      same service, interleaved, median and p95.
 *
 * Raw primitives (crypto_box_seal, the product's sealToKey, XChaCha20-Poly1305 of 4 KiB) are measured in the
 * same run so the figures can be read against them. The HTTPS client trusts the test CA through
 * NODE_EXTRA_CA_CERTS, which tests/bench/run.ts sets before it starts this process.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import sodiumModule from 'libsodium-wrappers-sumo';
import { toBase64 } from '../../src/main/core/crypto';
import {
  createConversationKey,
  sealEnvelope,
  sealEnvelopeV2,
  sealToKey,
  type MessagePayload,
} from '../../src/main/core/envelope';
import type { LoadedDevice } from '../../src/main/core/keys';
import {
  depositUserKey,
  requestKeyRelease,
  signUserKey,
  type KeyServiceConfig,
} from '../../src/main/core/user-keys';
import { getAccessToken, startIdp, type RunningIdp } from '../stack/idp';
import { startKeyService, type RunningKeyService } from '../stack/key-service';
import { testTls } from '../stack/test-env';
import { benchScale, printRatios, type Ratio } from './report';

await sodiumModule.ready;
const s = sodiumModule;
const scale = benchScale();
const smoke = scale === 'smoke';
/** Runs per figure (the median is reported). */
const RUNS = 5;
/** Wall time one run of one figure aims at; the number of operations per run is calibrated to it. */
const RUN_TARGET_MS = smoke ? 25 : 300;
const RELEASE_RUNS = smoke ? 5 : 20;
const MEMBER_COUNTS = [2, 10, 50, 200] as const;
const DEVICES_PER_MEMBER = 2;
const EPOCHS = 5;

// ---- measuring ----------------------------------------------------------------------------------------------

interface Row {
  what: string;
  /** members / devices / epochs, as the row says */
  n: string;
  /** microseconds per operation */
  median: number;
  p95?: number;
  bytes?: number;
  note?: string;
}

const nowNs = () => process.hrtime.bigint();
const micros = (start: bigint) => Number(nowNs() - start) / 1e3;
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => {
  const v = sorted(values);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
};
/** Nearest-rank p95 (of 20 samples: the 19th smallest). */
const p95 = (values: number[]) => sorted(values)[Math.max(0, Math.ceil(values.length * 0.95) - 1)]!;

async function runOps(ops: number, op: () => unknown): Promise<number> {
  const start = nowNs();
  for (let i = 0; i < ops; i++) {
    const result = op();
    if (result instanceof Promise) await result;
  }
  return micros(start) / ops;
}

interface Case {
  op: () => unknown;
  ops: number;
  runs: number[];
}

/** A case to time: a warm-up that also sizes its runs (each ≈ RUN_TARGET_MS, at least `minOps` operations). */
async function calibrate(op: () => unknown, minOps = 3): Promise<Case> {
  let warm = 0;
  const warmStart = nowNs();
  while (warm < 3 || (warm < 200 && micros(warmStart) < RUN_TARGET_MS * 200)) {
    const result = op();
    if (result instanceof Promise) await result;
    warm++;
  }
  const estimate = micros(warmStart) / warm;
  return { op, ops: Math.max(minOps, Math.round((RUN_TARGET_MS * 1000) / estimate)), runs: [] };
}

/**
 * RUNS rounds over every case, interleaved (the machine is shared: drift then touches every case alike);
 * each case's figure is the median of its runs' means, in microseconds per operation.
 */
async function measureRounds(cases: Case[]): Promise<void> {
  for (let r = 0; r < RUNS; r++) for (const c of cases) c.runs.push(await runOps(c.ops, c.op));
}

// ---- (1) sealing --------------------------------------------------------------------------------------------

function benchDevice(userId: string): LoadedDevice {
  const signing = s.crypto_sign_keypair();
  const encryption = s.crypto_box_keypair();
  return {
    profileId: randomUUID(),
    userId,
    deviceId: randomUUID(),
    signingPublicKey: signing.publicKey,
    encryptionPublicKey: encryption.publicKey,
    createdAt: new Date().toISOString(),
    sign: (bytes) => s.crypto_sign_detached(bytes, signing.privateKey),
    openSealed: (sealed) => s.crypto_box_seal_open(sealed, encryption.publicKey, encryption.privateKey),
  };
}

const sender = benchDevice(randomUUID());
const conversationId = randomUUID();
const text = 'K+ 6.9 mmol/L on repeat, ECG peaked T waves; calcium gluconate given, please review. '
  .repeat(60)
  .slice(0, 4096);
const payload: MessagePayload = {
  v: 1,
  kind: 'text',
  text,
  urgent: false,
  ackRequired: false,
  patient: null,
};
const prev = [Buffer.from(s.randombytes_buf(32)).toString('hex')];

const target = s.crypto_box_keypair().publicKey;
const key32 = s.randombytes_buf(32);
const plain4k = s.randombytes_buf(4096);
const ad = s.randombytes_buf(256);
const nonce = s.randombytes_buf(24);
const primitiveCases = {
  boxSeal: await calibrate(() => s.crypto_box_seal(key32, target), 50),
  productSeal: await calibrate(() => sealToKey(s, key32, target), 50),
  aead4k: await calibrate(
    () => s.crypto_aead_xchacha20poly1305_ietf_encrypt(plain4k, ad, null, nonce, key32),
    500,
  ),
};

interface SealCases {
  members: number;
  devices: number;
  v1: Case & { bytes: number };
  v2: Case & { bytes: number };
  grant: Case & { bytes: number };
}

const sealCases: SealCases[] = [];
for (const members of MEMBER_COUNTS) {
  const users = Array.from({ length: members }, (_, i) => (i === 0 ? sender.userId : randomUUID()));
  const devices = users.flatMap((userId) =>
    Array.from({ length: DEVICES_PER_MEMBER }, () => ({
      userId,
      deviceId: randomUUID(),
      encryptionPublicKey: s.crypto_box_keypair().publicKey,
    })),
  );
  const userKeys = users.map((userId) => ({ userId, epoch: 3, publicKey: s.crypto_box_keypair().publicKey }));

  const v1Input = { sender, conversationId, prev, payload, recipients: devices };
  const v1Bytes = (await sealEnvelope(v1Input)).bytes.byteLength;
  const grantInput = { sender, conversationId, recipients: userKeys };
  const made = await createConversationKey(grantInput);
  const grantBytes = Buffer.byteLength(JSON.stringify(made.grant));
  const v2Input = {
    sender,
    conversationId,
    prev,
    payload,
    conversationKey: { keyId: made.grant.keyId, key: made.key },
  };
  const v2Bytes = (await sealEnvelopeV2(v2Input)).bytes.byteLength;
  sealCases.push({
    members,
    devices: devices.length,
    v1: { ...(await calibrate(() => sealEnvelope(v1Input))), bytes: v1Bytes },
    v2: { ...(await calibrate(() => sealEnvelopeV2(v2Input))), bytes: v2Bytes },
    grant: { ...(await calibrate(() => createConversationKey(grantInput))), bytes: grantBytes },
  });
}
await measureRounds([...Object.values(primitiveCases), ...sealCases.flatMap((c) => [c.v1, c.v2, c.grant])]);

const figure = (c: Case & { bytes: number }) => ({ median: median(c.runs), bytes: c.bytes });
const sealFigures = sealCases.map((c) => ({
  members: c.members,
  devices: c.devices,
  v1: figure(c.v1),
  v2: figure(c.v2),
  grant: figure(c.grant),
}));
const [boxSeal, productSeal, aead4k]: [Row, Row, Row] = [
  {
    what: 'crypto_box_seal (32 B), libsodium',
    n: '1',
    median: median(primitiveCases.boxSeal.runs),
    note: 'raw primitive',
  },
  {
    what: 'sealToKey (32 B), pooled CSPRNG',
    n: '1',
    median: median(primitiveCases.productSeal.runs),
    note: "the product's seal, same format",
  },
  {
    what: 'XChaCha20-Poly1305 encrypt 4 KiB',
    n: '1',
    median: median(primitiveCases.aead4k.runs),
    note: 'raw primitive, 256 B AD',
  },
];

// ---- (2) key release round trip -----------------------------------------------------------------------------

if (!process.env.NODE_EXTRA_CA_CERTS) {
  throw new Error(
    'keys.bench.ts needs the test CA trusted from the start: run it with `npm run bench` (tests/bench/run.ts).',
  );
}

function post(url: string, path: string, token: string | null, body: unknown): Promise<number> {
  const bytes = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': bytes.byteLength,
    accept: 'application/json',
  };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: 'POST', headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

const tls = testTls();
const root = mkdtempSync(join(tmpdir(), 'cm-keys-bench-'));
let idp: RunningIdp | undefined;
let keyService: RunningKeyService | undefined;
const times = { release: [] as number[], challenge: [] as number[], bare: [] as number[] };
try {
  idp = await startIdp({ tls, dataDir: join(root, 'idp') });
  keyService = await startKeyService({
    tls,
    dataDir: join(root, 'key-service'),
    issuer: idp.issuer,
    audience: idp.hubAudience,
    jwksUri: idp.jwksUri,
  });
  const config: KeyServiceConfig = {
    url: keyService.url,
    releasePublicKey: keyService.releasePublicKey,
    signingPublicKey: keyService.signingPublicKey,
  };
  const username = 'dr.asha.rao';
  const userId = idp.users.find((u) => u.username === username)!.id;
  // One token for the whole part: a release accepts a token issued in the last 5 minutes, and this part takes
  // seconds. Signing in is not what is measured.
  const { accessToken } = await getAccessToken(idp, username);

  // The user's first device deposits 5 epochs, a week apart (all within the default 30-day retention).
  const firstDevice = benchDevice(userId);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const pair = s.crypto_box_keypair();
    const createdAt = new Date(Date.now() - (EPOCHS - epoch) * 7 * 86_400_000).toISOString();
    await depositUserKey(
      config,
      accessToken,
      signUserKey(firstDevice, { epoch, publicKey: pair.publicKey, createdAt }),
      {
        epoch,
        publicKey: toBase64(pair.publicKey),
        secretKey: toBase64(pair.privateKey),
        createdAt,
      },
    );
  }
  // The new workstation.
  const newDevice = benchDevice(userId);
  const release = async () => {
    const epochs = await requestKeyRelease(config, accessToken, newDevice, 'WARD3B-PC02');
    if (epochs.length !== EPOCHS) throw new Error(`released ${epochs.length} epochs, expected ${EPOCHS}`);
  };
  const challenge = async () => {
    const status = await post(config.url, '/challenge', accessToken, {});
    if (status !== 200) throw new Error(`POST /challenge answered ${status}`);
  };
  // No authentication and no work: the route is unknown, so the service answers 404 before reading the token.
  const bare = async () => {
    const status = await post(config.url, '/no-such-endpoint', null, {});
    if (status !== 404) throw new Error(`POST /no-such-endpoint answered ${status}`);
  };
  // warm-up: TLS session code paths, the service's JWKS fetch, the JIT
  for (let i = 0; i < 3; i++) {
    await release();
    await challenge();
    await bare();
  }
  for (let i = 0; i < RELEASE_RUNS; i++) {
    // interleaved, so drift on the machine touches all three alike
    let start = nowNs();
    await release();
    times.release.push(micros(start));
    start = nowNs();
    await challenge();
    times.challenge.push(micros(start));
    start = nowNs();
    await bare();
    times.bare.push(micros(start));
  }
} finally {
  await keyService?.close();
  await idp?.close();
  rmSync(root, { recursive: true, force: true });
}

const releaseMedian = median(times.release);
const challengeMedian = median(times.challenge);
const bareMedian = median(times.bare);
const releaseRows: Row[] = [
  {
    what: 'requestKeyRelease (challenge+release+verify+open)',
    n: `${EPOCHS} epochs`,
    median: releaseMedian,
    p95: p95(times.release),
    note: `${RELEASE_RUNS} runs; 2 HTTPS POSTs, a new TLS connection each (the service closes them)`,
  },
  {
    what: 'bare HTTPS POST /challenge, same service',
    n: '-',
    median: challengeMedian,
    p95: p95(times.challenge),
    note: 'token check (RS256) + nonce',
  },
  {
    what: 'bare HTTPS POST, unknown route (404)',
    n: '-',
    median: bareMedian,
    p95: p95(times.bare),
    note: 'TLS handshake + request, no token check',
  },
];

// ---- report -------------------------------------------------------------------------------------------------

const rows: Row[] = [boxSeal, productSeal, aead4k];
for (const f of sealFigures) {
  rows.push(
    {
      what: 'format 1 seal: sealEnvelope',
      n: `${f.devices} dev`,
      median: f.v1.median,
      bytes: f.v1.bytes,
      note: `${f.members} members × ${DEVICES_PER_MEMBER} devices`,
    },
    {
      what: 'format 2 seal: sealEnvelopeV2',
      n: `${f.devices} dev`,
      median: f.v2.median,
      bytes: f.v2.bytes,
      note: `${f.members} members × ${DEVICES_PER_MEMBER} devices`,
    },
    {
      what: 'grant per epoch: createConversationKey',
      n: `${f.members} users`,
      median: f.grant.median,
      bytes: f.grant.bytes,
      note: `once per epoch = ${(f.grant.median / f.v2.median).toFixed(1)} format 2 messages; bytes as JSON`,
    },
  );
}
rows.push(...releaseRows);

function time(us: number | undefined): string {
  if (us === undefined) return '';
  if (us >= 10_000) return `${(us / 1000).toFixed(1)} ms`;
  if (us >= 1_000) return `${(us / 1000).toFixed(2)} ms`;
  return `${us.toFixed(1)} µs`;
}
function printRows(title: string, table: Row[]): void {
  const w = Math.max(...table.map((r) => r.what.length), 10);
  const nw = Math.max(...table.map((r) => r.n.length), 7);
  console.log(`\n${title}`);
  console.log(
    `${'what'.padEnd(w)} | ${'n'.padEnd(nw)} | ${'median'.padStart(9)} | ${'p95'.padStart(9)} | ${'bytes'.padStart(8)} | note`,
  );
  console.log(
    `${'-'.repeat(w)}-+-${'-'.repeat(nw)}-+-${'-'.repeat(9)}-+-${'-'.repeat(9)}-+-${'-'.repeat(8)}-+-----`,
  );
  for (const r of table) {
    console.log(
      `${r.what.padEnd(w)} | ${r.n.padEnd(nw)} | ${time(r.median).padStart(9)} | ${time(r.p95).padStart(9)} | ${(r.bytes === undefined ? '' : r.bytes.toLocaleString('en-US')).padStart(8)} | ${r.note ?? ''}`,
    );
  }
}

const small = sealFigures[0]!;
const large = sealFigures[sealFigures.length - 1]!;
const atMost = (name: string, value: number, limit: number, note?: string): Ratio => ({
  name,
  value,
  target: `≤ ${limit}`,
  met: value <= limit,
  note,
});
const plain = (name: string, value: number, note?: string): Ratio => ({ name, value, note });
const perDevice = (large.v1.median - small.v1.median) / (large.devices - small.devices);
const perMember = (large.grant.median - small.grant.median) / (large.members - small.members);

console.log(
  `\nKeys benchmark — scale ${scale}: ${RUNS} runs per seal figure (median; each run ≈ ${RUN_TARGET_MS} ms), ` +
    `${RELEASE_RUNS} key releases; ${cpus().length} CPUs, Node ${process.versions.node}`,
);
printRows(
  `Sealing a 4 KiB text message (${DEVICES_PER_MEMBER} devices per member, no compliance key), the grant of each epoch, and the key-release round trip (times per operation)`,
  rows,
);
printRatios('Ratios', [
  atMost(`format 2 time, ${large.devices} ÷ ${small.devices} devices`, large.v2.median / small.v2.median, 2),
  atMost(`format 2 size, ${large.devices} ÷ ${small.devices} devices`, large.v2.bytes / small.v2.bytes, 2),
  plain(
    `format 1 time, ${large.devices} ÷ ${small.devices} devices`,
    large.v1.median / small.v1.median,
    'quoted before format 2 as ~17×',
  ),
  plain(
    `format 1 size, ${large.devices} ÷ ${small.devices} devices`,
    large.v1.bytes / small.v1.bytes,
    'quoted before format 2 as ~10-20×',
  ),
  plain(`format 1 ÷ format 2 time at ${large.devices} devices`, large.v1.median / large.v2.median),
  plain(`format 1 ÷ format 2 size at ${large.devices} devices`, large.v1.bytes / large.v2.bytes),
  plain(
    `format 2 seal ÷ XChaCha20-Poly1305 4 KiB, ${large.devices} devices`,
    large.v2.median / aead4k.median,
    'what JSON, zod, Ed25519 signing and SHA-256 add to the AEAD',
  ),
  plain(
    'format 1 cost per added device ÷ sealToKey',
    perDevice / productSeal.median,
    `${time(perDevice)} per device: one seal + its base64 + header JSON`,
  ),
  plain(
    'grant cost per added member ÷ sealToKey',
    perMember / productSeal.median,
    `${time(perMember)} per member`,
  ),
  plain('sealToKey ÷ crypto_box_seal (time)', productSeal.median / boxSeal.median),
  plain(
    'key release ÷ bare POST /challenge (median)',
    releaseMedian / challengeMedian,
    'two round trips plus signing, verification and opening',
  ),
  plain('key release ÷ bare POST, unknown route (median)', releaseMedian / bareMedian),
]);
