/**
 * Scale benchmark (issue 17): `npm run bench -- scale` (BENCH_SCALE=smoke|mid|full). A real profile of Dr Asha
 * Rao's (signed in through the real IdP and hub, PIN set, real OS keychain) filled by tests/support/seeded-profile.ts
 * through the product's ingest(): smoke 10,000 messages / 200 conversations, mid 100,000 / 2,000, full
 * 1,000,000 / 2,000. Then, each in a fresh child process (tests/bench/scale-child.ts, --expose-gc), rounds of:
 * 1. UNLOCK TO A USABLE LIST, the app after a restart: a new core on the same data folder, policy and keychain
 *    opens the profile behind the lock screen (`session.signIn` with the cached sign-in: keychain, probe,
 *    quick_check, migrations, device keys, hub link), the PIN unlocks it, and `conversations.list` answers. Also
 *    the PIN unlock of the same session locked again. The steps of the open, done one by one with the product's
 *    functions, give the phases; a raw open of the file with the key + SELECT of the kept counts, and a read of
 *    the whole file, are the floors.
 * 2. MEMORY of the core at idle: RSS and heap 2 s after the list, after GC, against the raw child's.
 * 3. SIZE of the database file(s) against the raw text (UTF-8 bytes of every message's text) and the envelopes,
 *    with a breakdown per table and index from SQLite's dbstat: where the bytes go.
 * The file has just been written, so the OS cache is warm throughout: the open figures are not a cold disk's.
 * Prints figures and ratios; never asserts timings. The machine may be shared: figures are noisy.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes, randomUUID } from 'node:crypto';
import { sealEnvelopeV2 } from '../../src/main/core/envelope';
import { loadDevice } from '../../src/main/core/keys';
import { createMessageStore } from '../../src/main/core/messages';
import { openProfileStore, profileStoreKey } from '../../src/main/core/store';
import { keyed } from '../../src/main/core/store/cipher';
import type { SessionState } from '../../src/shared/contract';
import { profileScale, seedProfile } from '../support/seeded-profile';
import { must, signedIn, startWorkstation } from '../support/workstation';
import { printRatios, printTable, type Figure } from './report';
import type { PhasesResult, ProductResult, RawResult, ScaleProfile } from './scale-child';

const { scale, total, conversations } = profileScale();
const ROUNDS = 3;
const PIN = '1470';
const MiB = 1024 * 1024;
const n = (x: number) => x.toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (name: string, value: number, note?: string): Figure => ({
  name,
  ops: 1,
  seconds: value / 1000,
  rate: 1000 / value,
  note: `${value.toFixed(1)} ms${note ? ` — ${note}` : ''}`,
});

/** Runs a child; asynchronously, because the IdP and the hub it talks to run in this process. */
async function child<T>(mode: 'raw' | 'phases' | 'product', profile: ScaleProfile): Promise<T> {
  const proc = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'scale-child.ts'), mode],
    { env: { ...process.env, BENCH_SCALE_PROFILE: JSON.stringify(profile) } },
  );
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(proc, 'close')) as [number | null];
  if (code !== 0) throw new Error(`scale child (${mode}) failed: ${stderr}`);
  const line = stdout
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`scale child (${mode}) printed no result: ${stdout}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

/** Bytes per table and index (dbstat), an index under its table and FTS5's shadow tables under the FTS table. */
function breakdown(file: string, key: Uint8Array) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    keyed(db, key);
    const owner = new Map(
      (
        db.prepare('SELECT name, type, tbl_name, sql FROM sqlite_schema').all() as {
          name: string;
          type: string;
          tbl_name: string;
          sql: string | null;
        }[]
      ).map((r) => [r.name, r]),
    );
    const rows = db
      .prepare(
        `SELECT name, count(*) AS pages, sum(pgsize) AS bytes, sum(payload) AS payload, sum(unused) AS unused
         FROM dbstat GROUP BY name ORDER BY bytes DESC`,
      )
      .all() as { name: string; pages: number; bytes: number; payload: number; unused: number }[];
    return {
      pageSize: db.pragma('page_size', { simple: true }) as number,
      pageCount: db.pragma('page_count', { simple: true }) as number,
      freelist: db.pragma('freelist_count', { simple: true }) as number,
      messages: db.prepare('SELECT count(*) FROM messages').pluck().get() as number,
      columns: (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('messages') as string[])
        .map((name) => ({
          name,
          bytes:
            (db.prepare(`SELECT sum(length(CAST("${name}" AS BLOB))) FROM messages`).pluck().get() as
              number | null) ?? 0,
        }))
        .sort((x, y) => y.bytes - x.bytes),
      objects: rows.map((r) => {
        const o = owner.get(r.name);
        const fts = /^(.*)_(data|idx|content|docsize|config)$/.exec(r.name);
        const table =
          fts && /^CREATE VIRTUAL TABLE/i.test(owner.get(fts[1]!)?.sql ?? '')
            ? fts[1]!
            : (o?.tbl_name ?? r.name);
        const on =
          o?.type === 'index'
            ? ` (${(db.prepare('SELECT name FROM pragma_index_info(?)').pluck().all(r.name) as string[]).join(', ')})`
            : '';
        return { ...r, kind: `${o?.type ?? 'schema'}${on}`, table };
      }),
    };
  } finally {
    db.close();
  }
}

const ws = await startWorkstation();
let dataDir: string | null = null; // the profile's folder, megabytes to gigabytes: removed at the end
try {
  console.log(`Scale benchmark — scale ${scale}: ${n(total)} messages, ${n(conversations)} conversations`);
  const asha = await signedIn(ws, 'dr.asha.rao');
  const state = await must<SessionState>(asha, 'session.setPin', { pin: PIN });
  if (state.status !== 'active') throw new Error('not signed in');
  const profileId = state.profile.profileId;
  const device = await loadDevice(ws.keychain, profileId);
  dataDir = ws.appDataDirOf(asha);
  const profile: ScaleProfile = {
    appDataDir: dataDir,
    policyFile: ws.policyFileOf(asha),
    keychainService: ws.keychainService,
    profileId,
    file: join(ws.appDataDirOf(asha), 'profiles', profileId, 'profile.db'),
    pin: PIN,
  };
  // The app quits: the profile is closed (its sign-in stays cached), and is filled while nothing has it open.
  await must(asha, 'session.switchUser');
  const key = await profileStoreKey(ws.keychain, profileId);
  const store = openProfileStore({ file: profile.file, key, existing: true });
  const seeded = seedProfile(
    createMessageStore(store, { selfUserId: device.userId, selfDeviceId: device.deviceId }),
    {
      total,
      conversations,
      selfUserId: device.userId,
      // Ending a minute ago: well inside the policy's retention, which the core applies when it opens.
      startTime: Date.now() - 60_000 - total * 1000,
      progress: (done, s) => console.log(`  … ${n(done)} rows, ${s.toFixed(0)} s`),
    },
  );
  store.close();
  console.log(`build (ingest through the product, not timed below): ${seeded.seconds.toFixed(1)} s`);

  // ---- 1 + 2: unlock to a usable list, memory ------------------------------------------------------------
  const raws: RawResult[] = [];
  const steps: PhasesResult[] = [];
  const products: ProductResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    raws.push(await child<RawResult>('raw', profile));
    steps.push(await child<PhasesResult>('phases', profile));
    products.push(await child<ProductResult>('product', profile));
  }
  const of = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
  const listed = products[0]!.conversations;
  if (listed < conversations) throw new Error(`the list showed ${listed} of ${conversations} conversations`);
  const rawOpen = of(raws, (x) => x.openCountsMs);
  const fileRead = of(raws, (x) => x.readMs);
  const coldTotal = of(products, (x) => x.signInMs + x.pinUnlockMs + x.listMs);
  const phaseTotal = of(steps, (x) => x.keychainMs + x.openMs + x.integrityMs + x.migrationsMs + x.listMs);
  const relock = of(products, (x) => x.relockPinUnlockMs + x.relockListMs);
  printTable(
    `UNLOCK TO A USABLE LIST (${n(listed)} conversations; median of ${ROUNDS} fresh processes, wall time, OS cache warm)`,
    [
      ms(
        'after a restart: session.signIn → locked (cached sign-in)',
        of(products, (x) => x.signInMs),
      ),
      ms(
        '  then session.unlockWithPin',
        of(products, (x) => x.pinUnlockMs),
        'the PIN check is slow on purpose',
      ),
      ms(
        '  then conversations.list',
        of(products, (x) => x.listMs),
      ),
      ms('after a restart, total to a usable list', coldTotal),
      ms('locked session: session.unlockWithPin + conversations.list', relock),
      ms(
        'phases, one by one: keychain (store key, device keys)',
        of(steps, (x) => x.keychainMs),
      ),
      ms(
        '  open db (read-only, key, first read)',
        of(steps, (x) => x.openMs),
      ),
      ms(
        '  integrity check (quick_check)',
        of(steps, (x) => x.integrityMs),
        'reads every page',
      ),
      ms(
        '  migrations (read-write open, PRAGMAs, up to date)',
        of(steps, (x) => x.migrationsMs),
      ),
      ms(
        '  list (listConversations)',
        of(steps, (x) => x.listMs),
      ),
      ms('  sum of the phases', phaseTotal),
      ms(
        'signIn beyond its open phases (MSAL cache, user keyring, hub link, engine start)',
        of(products, (x) => x.signInMs) -
          of(steps, (x) => x.keychainMs + x.openMs + x.integrityMs + x.migrationsMs),
        'difference of medians',
      ),
      ms('raw: open with the key + SELECT kept counts', rawOpen),
      ms(
        'raw: read the whole db file',
        fileRead,
        `${mib(raws[0]!.readBytes)}, ${((raws[0]!.readBytes / MiB / fileRead) * 1000).toFixed(0)} MiB/s`,
      ),
    ],
  );
  printRatios('UNLOCK ratios (wall)', [
    { name: 'after a restart, to the list / raw open + counts', value: coldTotal / rawOpen },
    { name: 'phases sum / raw open + counts', value: phaseTotal / rawOpen },
    {
      name: 'integrity check / reading the file',
      value: of(steps, (x) => x.integrityMs) / fileRead,
      note: 'quick_check decrypts and checks every page',
    },
    { name: 'locked session PIN unlock + list / raw open + counts', value: relock / rawOpen },
  ]);

  const core = products.map((x) => x.memory);
  const bare = raws.map((x) => x.memory);
  console.log('\nMEMORY at idle (after GC, 2 s after the list; median of fresh processes)');
  console.log(
    `core (product child): RSS ${mib(of(core, (m) => m.rss))}, heap used ${mib(of(core, (m) => m.heapUsed))}, external ${mib(of(core, (m) => m.external))}`,
  );
  console.log(
    `raw (Node + the db open with the key + counts read): RSS ${mib(of(bare, (m) => m.rss))}, heap used ${mib(of(bare, (m) => m.heapUsed))}`,
  );
  printRatios('MEMORY ratio', [
    { name: 'core RSS / raw RSS', value: of(core, (m) => m.rss) / of(bare, (m) => m.rss) },
  ]);

  // ---- 3: size -------------------------------------------------------------------------------------------
  const dbBytes = statSync(profile.file).size;
  const walBytes = existsSync(`${profile.file}-wal`) ? statSync(`${profile.file}-wal`).size : 0;
  const idle = products[products.length - 1]!;
  const b = breakdown(profile.file, key);
  // The core purges what is past retention as it opens: the figures are only worth anything if the history stayed.
  if (b.messages < seeded.messages * 0.99)
    throw new Error(
      `only ${b.messages} of ${seeded.messages} messages are left after the app opened the profile`,
    );
  console.log(
    `\nSIZE (${n(seeded.messages)} messages: raw text ${mib(seeded.textBytes)}, ${(seeded.textBytes / seeded.messages).toFixed(0)} B/message; envelopes ${mib(seeded.envelopeBytes)})`,
  );
  console.log(
    `profile.db ${mib(dbBytes)} + -wal ${mib(walBytes)} after the app closed; at idle in the core: db ${mib(idle.dbBytes)} + -wal ${mib(idle.walBytes)}`,
  );
  console.log(
    `pages: ${n(b.pageCount)} × ${n(b.pageSize)} B, ${n(b.freelist)} free; ${(dbBytes / seeded.messages).toFixed(0)} B/message on disk`,
  );
  printRatios('SIZE ratios (target ≤ 2 × raw text)', [
    {
      name: 'db + wal / raw text',
      value: (dbBytes + walBytes) / seeded.textBytes,
      target: '≤ 2',
      met: (dbBytes + walBytes) / seeded.textBytes <= 2,
    },
    {
      name: 'db + wal / (raw text + envelopes)',
      value: (dbBytes + walBytes) / (seeded.textBytes + seeded.envelopeBytes),
    },
  ]);
  const tables = new Map<string, number>();
  for (const o of b.objects) tables.set(o.table, (tables.get(o.table) ?? 0) + o.bytes);
  const shown = (bytes: number) => bytes >= dbBytes * 0.01;
  const width = Math.max(...b.objects.filter((o) => shown(o.bytes)).map((o) => o.name.length + 2), 30);
  const line = (name: string, bytes: number, extra = '') =>
    console.log(
      `${name.padEnd(width)} | ${mib(bytes).padStart(10)} | ${((bytes / dbBytes) * 100).toFixed(1).padStart(5)}% | ${(bytes / seeded.messages).toFixed(1).padStart(7)} B/msg | ${(bytes / seeded.textBytes).toFixed(2).padStart(5)} × text${extra}`,
    );
  console.log(
    '\nWHERE THE BYTES GO (dbstat: each table with its indexes and FTS shadow tables below it; tables under 1% of the file together)',
  );
  const small = [...tables].filter(([, bytes]) => !shown(bytes));
  for (const [table, bytes] of [...tables].filter(([, x]) => shown(x)).sort((x, y) => y[1] - x[1])) {
    line(table, bytes);
    for (const o of b.objects.filter((x) => x.table === table))
      line(
        `  ${o.name}`,
        o.bytes,
        ` | ${o.kind}, ${n(o.pages)} pages, payload ${mib(o.payload)}, unused ${mib(o.unused)}`,
      );
  }
  line(
    `(${small.length} other tables)`,
    small.reduce((sum, [, x]) => sum + x, 0),
  );
  if (b.freelist > 0) line('(free pages)', b.freelist * b.pageSize);
  console.log(
    '\nMESSAGES ROW PAYLOAD per column (bytes as stored; the rows above hold these plus record headers)',
  );
  for (const c of b.columns)
    console.log(
      `  ${c.name.padEnd(width - 2)} | ${mib(c.bytes).padStart(10)} | ${(c.bytes / seeded.messages).toFixed(1).padStart(7)} B/msg`,
    );
  // What a message is, kept once: every column's bytes, no index, no search, no page overhead. Of it, what
  // verification and the verification report need besides the text: the signed envelope, its hash, the ids,
  // the times and the hash links.
  const bytesOf = (names: string[]) =>
    b.columns.filter((c) => names.includes(c.name)).reduce((sum, c) => sum + c.bytes, 0);
  const rowBytes = b.columns.reduce((sum, c) => sum + c.bytes, 0);
  const verification = bytesOf([
    'envelope',
    'hash',
    'envelope_id',
    'conversation_id',
    'seq',
    'sender_user_id',
    'sender_device_id',
    'server_time',
    'client_time',
    'prev',
  ]);
  // The seeded rows carry 48-byte stand-ins for their envelopes; a real one (format 2, signed, under a
  // conversation key) for a text of the average length, with one hash link:
  const realEnvelope = (
    await sealEnvelopeV2({
      sender: device,
      conversationId: randomUUID(),
      prev: [randomBytes(32).toString('hex')],
      payload: {
        v: 1,
        kind: 'text',
        text: 'x'.repeat(Math.round(seeded.textBytes / seeded.messages)),
        urgent: false,
        ackRequired: false,
        patient: null,
      },
      conversationKey: { keyId: randomBytes(16).toString('hex'), key: randomBytes(32) },
    })
  ).bytes.byteLength;
  const standIn = seeded.envelopeBytes / seeded.messages;
  console.log(
    `\nper message: the columns ${(rowBytes / seeded.messages).toFixed(0)} B, of which the text ${(seeded.textBytes / seeded.messages).toFixed(0)} B and what verification needs ${(verification / seeded.messages).toFixed(0)} B; the file ${((dbBytes + walBytes) / seeded.messages).toFixed(0)} B`,
  );
  printRatios(
    'SIZE against the messages themselves (every column once; the rest is indexes, search and pages)',
    [
      { name: 'db + wal / the messages’ column bytes', value: (dbBytes + walBytes) / rowBytes },
      {
        name: 'floor: (text + what verification needs) / text',
        value: (seeded.textBytes + verification) / seeded.textBytes,
      },
      {
        name: `  with real envelopes (${realEnvelope} B, not ${standIn.toFixed(0)} B)`,
        value:
          (seeded.textBytes + verification + (realEnvelope - standIn) * seeded.messages) / seeded.textBytes,
      },
    ],
  );
} finally {
  await ws.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
