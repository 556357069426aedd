// Kill -9 during each write path of the app. Dr Asha Rao's core runs in a child process against the real hub,
// store and keychain (tests/faults/writer.ts) and is killed with SIGKILL in the middle of ingesting a large sync
// page, sending, changing her PIN, her first sign-in on a workstation, a store migration, acknowledging a
// message and opening a document. After each kill a new core opens the same data folder and keychain, as the app
// does after a crash: it must open (or give a typed error, never `internal`), keep every message the hub accepted
// or the store committed, send what was queued exactly once, open with the old PIN or the new one, leave no
// decrypted document behind, and never quietly make a new profile. FAULTS_SCALE=full tries many more kill points.
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { openProfileRegistry } from '../../src/main/core/profiles';
import {
  latestVersion,
  openProfileStore,
  profileMigrations,
  profileStoreKey,
} from '../../src/main/core/store';
import type { DocumentOpenResult, MessageView, SessionState } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import {
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
} from '../support/workstation';
import type { RunningGateway } from '../stack/gateway';
import { minimalPdf } from '../integration/documents/fixtures';
import {
  ask,
  addOldAlerts,
  alertCount,
  below,
  downgradeStore,
  hubEnvelopeCount,
  killAt,
  named,
  rawStoreState,
  restartedCore,
  runUntilKilled,
  stopSpareWriter,
  type KillPlan,
  type KillRun,
  type WriterEvent,
} from './kill-harness';

const FULL = process.env.FAULTS_SCALE === 'full';
/** Kill points per write path beyond the fixed ones (random delays). */
const RANDOM_KILLS = FULL ? 8 : 0;
/** More than one sync page (engine.ts, syncPageSize), so a kill can fall between pages as well as inside one. */
const INGEST_MESSAGES = FULL ? 3_000 : 520;
/** The smoke size keeps the first plans of each path; the full size tries all of them. */
const sized = (smoke: KillPlan[], more: KillPlan[]): KillPlan[] => (FULL ? [...smoke, ...more] : smoke);

const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
const LENA = 'dr.lena.fischer';

let ws: Workstation;
let samuel: Core;
let ashaDir: string;
let ashaPolicy: string;
let ashaProfile: string;
let ashaPin = '2468';
let conversationId: string;
let gateway: RunningGateway;
/** The file Samuel's next attach picks. */
let nextFile: string | null = null;
/** Dr Okafor keeps working at his PC while the kills run (at full size they outlast the idle lock). */
let samuelAtWork: ReturnType<typeof setInterval> | undefined;

/** write path → kill point → what happened, printed at the end. */
const outcomes: { path: string; point: string; killedAt: string; outcome: string; kind: string }[] = [];
/** `kind`: the outcome in a few words, counted in the summary; `outcome`: the details of this kill. */
const record = (path: string, plan: KillPlan, run: KillRun, outcome: string, kind = outcome): void => {
  outcomes.push({ path, point: plan.label, killedAt: run.killedAt, outcome, kind });
};

beforeAll(async () => {
  ws = await startWorkstation();
  // Both workstations use the hospital's document gateway (for the opened-document path).
  const started = await withDocumentGateway(ws);
  gateway = started.gateway;
  samuel = await signedIn(ws, SAMUEL, { policyFile: started.policyFile, pickFile: async () => nextFile });
  samuelAtWork = setInterval(() => void ask(samuel, 'session.activity'), 30_000);
  const asha = await signedIn(ws, ASHA, { policyFile: started.policyFile });
  const state = await must<SessionState>(asha, 'session.setPin', { pin: ashaPin });
  if (state.status !== 'active') throw new Error('Asha is not signed in');
  ashaProfile = state.profile.profileId;
  ashaDir = ws.appDataDirOf(asha);
  ashaPolicy = ws.policyFileOf(asha);
  ({ conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, ASHA)],
  }));
  await eventually('Asha has the conversation', async () => {
    const list = await must<{ conversationId: string }[]>(asha, 'conversations.list');
    return list.some((c) => c.conversationId === conversationId);
  });
  await asha.close(); // from now on, only one core at a time opens Asha's profile
}, 180_000);

afterAll(async () => {
  clearInterval(samuelAtWork);
  if (outcomes.length > 0) {
    const rows = outcomes.map((o) => `| ${o.path} | ${o.point} | ${o.killedAt} | ${o.outcome} |`);
    console.log(
      [
        `kill -9 during each write path (${FULL ? 'full' : 'smoke'} size):`,
        '| write path | kill point | killed at | outcome after restart |',
        '| --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
    const summary = [...new Set(outcomes.map((o) => o.path))].map((p) => {
      const mine = outcomes.filter((o) => o.path === p);
      const kinds = new Map<string, number>();
      for (const o of mine) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
      const counted = [...kinds].map(([k, n]) => `${k} ×${n}`).join('; ');
      return `| ${p} | ${mine.length} | ${counted} |`;
    });
    console.log(
      [
        'kill: summary',
        '| write path | kill points tried | outcomes |',
        '| --- | --- | --- |',
        ...summary,
      ].join('\n'),
    );
  }
  await stopSpareWriter();
  await ws?.close();
  await gateway?.close();
});

/** Asha's profile opened by a new core after the kill; it must open behind the lock, and the PIN opens it. */
async function reopenAsha(pin = ashaPin, policyFile = ashaPolicy): Promise<Core> {
  const core = restartedCore(ws, ashaDir, policyFile, ASHA);
  const opened = await ask<SessionState>(core, 'session.signIn', { profileId: ashaProfile });
  if (!opened.ok) {
    await core.close();
    expect(opened.error.code).not.toBe('internal');
    throw new Error(`Asha's profile did not open after the kill: ${opened.error.code}`);
  }
  expect(opened.value).toMatchObject({ status: 'locked', profile: { profileId: ashaProfile } });
  await must(core, 'session.unlockWithPin', { pin });
  return core;
}

/** Every message of the conversation, oldest first, read through the contract. */
async function everyMessage(core: Core): Promise<MessageView[]> {
  const all: MessageView[] = [];
  for (;;) {
    const page = await must<MessageView[]>(core, 'messages.page', {
      conversationId,
      afterSeq: all.at(-1)?.seq ?? 0,
      limit: 200,
    });
    // A page after a seq comes newest first.
    const received = page.filter((m) => m.seq !== null).sort((a, b) => a.seq! - b.seq!);
    all.push(...received);
    if (received.length < 200) return all;
  }
}

async function send(from: Core, text: string, ackRequired = false): Promise<void> {
  await must(from, 'messages.send', { conversationId, text, urgent: false, ackRequired, patient: null });
}

const randomPlans = (label: string, match: (e: WriterEvent) => boolean, maxMs: number) =>
  Array.from({ length: RANDOM_KILLS }, () => {
    const delay = below(maxMs);
    return killAt(`${label} +${delay}ms`, match, delay);
  });

describe('kill -9 while writing, then a restart on the same profile', () => {
  it('ingesting a large sync page: every message the store had committed is still there', async () => {
    const before = hubEnvelopeCount(ws, conversationId);
    for (let i = 0; i < INGEST_MESSAGES; i++) await send(samuel, `ward 3B obs round ${i}`);
    await eventually(
      'Samuel has sent everything',
      async () => samuel.messaging()!.messages.outboxSize() === 0,
    );
    const lastSeq = hubEnvelopeCount(ws, conversationId);

    let floor = before;
    const newCommit = (e: WriterEvent): boolean =>
      e.at === 'committed' && typeof e.seq === 'number' && e.seq > floor;
    const plans = sized(
      [
        killAt('inside the 1st page: unlocked +150ms', named('unlocked'), 150),
        killAt('a page committed, more to come', newCommit),
      ],
      [
        killAt('30ms after a page committed', newCommit, 30),
        ...randomPlans('after unlock', named('unlocked'), 6_000),
      ],
    );
    // The check after each kill opens the profile with the hub out of reach, so it does not ingest the rest.
    const offline = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-kill-offline-')), {
      hubUrl: 'https://127.0.0.1:9/hub',
    });
    for (const plan of plans) {
      const run = await runUntilKilled(
        ws,
        {
          path: 'ingest',
          policyFile: ashaPolicy,
          appDataDir: ashaDir,
          profileId: ashaProfile,
          pin: ashaPin,
          conversationId,
        },
        plan,
        ASHA,
      );
      const committed = Math.max(
        0,
        ...run.events.filter((e) => e.at === 'committed').map((e) => e.seq as number),
      );
      const { integrity } = rawStoreState(storeFile(), await profileStoreKey(ws.keychain, ashaProfile));
      expect(integrity).toBe('ok');
      const core = await reopenAsha(ashaPin, offline);
      const present = new Set((await everyMessage(core)).map((m) => m.seq));
      await core.close();
      const kept = [...present].filter((s) => s !== null && s > before).length;
      // Seq 1 is the conversation's create entry (kept with the chain entries, not the messages).
      const lost = Array.from({ length: committed }, (_, k) => k + 1).filter((s) => s > 1 && !present.has(s));
      record(
        'ingest',
        plan,
        run,
        `child had committed to seq ${committed} of ${lastSeq}; ${kept} new kept; ${lost.length} lost; integrity ok`,
        `${lost.length === 0 ? 'nothing committed lost' : 'COMMITTED MESSAGES LOST'}, ${kept > 0 ? 'a page was kept' : 'killed before a page committed'}`,
      );
      expect(lost).toEqual([]);
      floor = Math.max(floor, committed);
    }

    // A last restart runs to the end: every message the hub holds arrives, once.
    const core = await reopenAsha();
    await eventually(
      'every message has arrived',
      async () => (await everyMessage(core)).length >= lastSeq - 1,
      120_000,
    );
    const texts = (await everyMessage(core)).map((m) => m.text);
    await core.close();
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.filter((t) => t?.startsWith('ward 3B obs round')).length).toBe(INGEST_MESSAGES);
  });

  it('sending: what was queued is sent exactly once after the restart, nothing twice', async () => {
    const plans = sized(
      [
        killAt('right after the 1st is queued', (e) => e.at === 'queued' && e.i === 0),
        killAt('all queued, 10ms later (hub accepting)', named('all-queued'), 10),
      ],
      [
        killAt('before the 3rd send', named('send:2')),
        killAt('as the 2nd send is queued', (e) => e.at === 'queued' && e.i === 1),
        killAt('5ms into the 1st send', named('send:0'), 5),
        killAt('all queued', named('all-queued')),
        ...randomPlans('after the 1st send starts', named('send:0'), 300),
      ],
    );
    for (const plan of plans) {
      const texts = Array.from({ length: 4 }, (_, i) => `bed 12 potassium ${i} ${randomUUID().slice(0, 8)}`);
      const hubBefore = hubEnvelopeCount(ws, conversationId);
      const run = await runUntilKilled(
        ws,
        {
          path: 'send',
          policyFile: ashaPolicy,
          appDataDir: ashaDir,
          profileId: ashaProfile,
          pin: ashaPin,
          conversationId,
          texts,
        },
        plan,
        ASHA,
      );
      const queued = run.events.filter((e) => e.at === 'queued').map((e) => texts[e.i as number]!);
      const core = await reopenAsha();
      await eventually('the outbox is empty', async () => core.messaging()?.messages.outboxSize() === 0);
      const fromAsha = (await everyMessage(core)).filter((m) => texts.includes(m.text ?? ''));
      await core.close();
      // Samuel, on his own workstation, sees each queued line once; the hub holds one envelope per line.
      await eventually('Samuel has what was sent', async () => {
        const his = (await everyMessage(samuel)).filter((m) => texts.includes(m.text ?? ''));
        return queued.every((t) => his.some((m) => m.text === t)) && his.length >= fromAsha.length;
      });
      const his = (await everyMessage(samuel)).map((m) => m.text).filter((t) => texts.includes(t ?? ''));
      const hubAdded = hubEnvelopeCount(ws, conversationId) - hubBefore;
      record(
        'send',
        plan,
        run,
        `${queued.length} queued before the kill; ${his.length} on Samuel's PC; hub +${hubAdded}`,
        new Set(his).size === his.length && hubAdded === his.length && queued.every((t) => his.includes(t))
          ? 'every queued line sent exactly once'
          : 'A LINE LOST OR SENT TWICE',
      );
      expect(run.killed).toBe(true);
      expect(new Set(his).size).toBe(his.length);
      expect(hubAdded).toBe(his.length);
      for (const t of queued) expect(his).toContain(t);
      expect(fromAsha.every((m) => m.seq !== null)).toBe(true);
    }
  });

  it('changing the PIN: afterwards the old PIN or the new one opens the profile, never neither', async () => {
    const plans = sized(
      [killAt('setPin +20ms', named('setPin'), 20), killAt('setPin returned', named('pin-set'))],
      [
        killAt('before setPin', named('setPin')),
        killAt('setPin +0ms', named('setPin'), 0),
        killAt('setPin +60ms', named('setPin'), 60),
        ...randomPlans('setPin', named('setPin'), 400),
      ],
    );
    for (const [n, plan] of plans.entries()) {
      const newPin = String(3000 + n * 111);
      const run = await runUntilKilled(
        ws,
        {
          path: 'pin',
          policyFile: ashaPolicy,
          appDataDir: ashaDir,
          profileId: ashaProfile,
          pin: ashaPin,
          newPin,
        },
        plan,
        ASHA,
      );
      const core = restartedCore(ws, ashaDir, ashaPolicy, ASHA);
      await must(core, 'session.signIn', { profileId: ashaProfile });
      const withNew = await ask<SessionState>(core, 'session.unlockWithPin', { pin: newPin });
      const withOld = withNew.ok
        ? null
        : await ask<SessionState>(core, 'session.unlockWithPin', { pin: ashaPin });
      await core.close();
      const opened = withNew.ok ? 'the new PIN' : withOld?.ok ? 'the old PIN' : 'neither PIN';
      record('PIN', plan, run, `${opened} opens it`);
      expect(run.killed).toBe(true);
      expect(opened).not.toBe('neither PIN');
      if (run.events.some((e) => e.at === 'pin-set')) expect(opened).toBe('the new PIN');
      if (withNew.ok) ashaPin = newPin;
    }
  });

  it('first sign-in on a workstation: the profile opens, or is refused with a way out, never replaced', async () => {
    // The full size learns the keychain writes of a first sign-in, in order, from one run to the end, and
    // kills at each; the smoke size kills just after the store key and just after the device keys are written.
    const writes: string[] = [];
    if (FULL) {
      const learn = mkdtempSync(join(tmpdir(), 'cm-kill-enrol-'));
      const whole = await runUntilKilled(
        ws,
        { path: 'enrol', policyFile: ws.policyFile(learn), appDataDir: learn },
        killAt('run to the end', named('idle')),
        LENA,
      );
      expect(whole.events.some((e) => e.at === 'enrolled')).toBe(true);
      for (const e of whole.events) if (e.gate?.startsWith('keychain.set')) writes.push(e.gate);
    }
    const nthWrite = (i: number) => {
      let seen = 0;
      return (e: WriterEvent) => e.gate?.startsWith('keychain.set') === true && seen++ === i;
    };
    const plans = sized(
      [
        killAt('store key written', named('keychain.set:store-key:done')),
        killAt('device keys written', named('keychain.set:device-keys:done')),
      ],
      [
        killAt('sign-in page done, +0ms', (e) => !!e.browser, 0),
        ...writes.map((w, i) => killAt(`at keychain write ${i + 1} (${w})`, nthWrite(i))),
        killAt('enrolled', named('enrolled')),
        ...randomPlans('sign-in page', (e) => !!e.browser, 1_500),
      ],
    );
    for (const plan of plans) {
      const dir = mkdtempSync(join(tmpdir(), 'cm-kill-enrol-'));
      const policyFile = ws.policyFile(dir);
      const run = await runUntilKilled(ws, { path: 'enrol', policyFile, appDataDir: dir }, plan, LENA);
      const left = openProfileRegistry(dir).list();
      expect(left.length).toBeLessThanOrEqual(1);
      const kept = left[0]?.profileId;
      const core = restartedCore(ws, dir, policyFile, LENA);
      const opened = await ask<SessionState>(core, 'session.signIn', kept ? { profileId: kept } : {});
      let outcome: string;
      if (!opened.ok) {
        expect(opened.error.code).not.toBe('internal');
        outcome = `refused (${opened.error.code})`;
        if (opened.error.code === 'profile_damaged' && kept) {
          // The way out a ward user is offered: start this profile over (a full sign-in of the same user).
          const over = await ask<SessionState>(core, 'session.startProfileOver', { profileId: kept });
          outcome += over.ok
            ? `, started over (${over.value.status})`
            : `, start over refused (${over.error.code})`;
          expect(over.ok ? over.value.status : over.error.code).not.toBe('internal');
        }
      } else {
        let state = opened.value;
        if (state.status === 'locked') state = await must<SessionState>(core, 'session.unlockWithSignIn');
        outcome = kept
          ? `the same profile opened (${state.status})`
          : `nothing was kept, signed in afresh (${state.status})`;
        expect(['active', 'needs-reenrol']).toContain(state.status);
        if (kept && 'profile' in state) expect(state.profile.profileId).toBe(kept);
      }
      await core.close();
      record('first sign-in', plan, run, outcome);
      expect(run.killed).toBe(true);
      // Never a second profile of the same person beside the one the kill left.
      const after = openProfileRegistry(dir).list();
      expect(after.length).toBeLessThanOrEqual(1);
      if (kept && !outcome.includes('started over')) expect(after.map((p) => p.profileId)).toEqual([kept]);
    }
  });

  it('a store migration: the database is the old version or the new one, with every message', async () => {
    const key = await profileStoreKey(ws.keychain, ashaProfile);
    const core = await reopenAsha();
    const count = (await everyMessage(core)).length;
    await core.close();
    const OLD = 11;
    // Enough rows for migration 12 (a table copy) to take a while, so a kill can land inside it.
    const ARCHIVED_ALERTS = FULL ? 300_000 : 100_000;
    const latest = latestVersion(profileMigrations);
    // The store at the old schema with the alerts, made once: each kill starts from a copy of it.
    downgradeStore(storeFile(), key, OLD);
    const alerts = addOldAlerts(storeFile(), key, ARCHIVED_ALERTS);
    const dir = mkdtempSync(join(tmpdir(), 'cm-kill-migrate-'));
    const oldStore = join(dir, 'old-store.db');
    copyFileSync(storeFile(), oldStore);
    // How long the migration takes here, timed on a copy, so the kills can aim inside it and after it.
    const copy = join(dir, 'store.db');
    copyFileSync(oldStore, copy);
    const started = performance.now();
    openProfileStore({ file: copy, key }).close();
    const took = Math.ceil(performance.now() - started);
    console.log(`kill: the migration from schema ${OLD} to ${latest} takes ${took} ms here`);
    const keyRead = named('keychain.get:store-key:done');
    const at = (fraction: number) =>
      killAt(
        `store key read, +${Math.round(took * fraction)}ms (${fraction}× the migration)`,
        keyRead,
        Math.round(took * fraction),
      );
    const plans = sized(
      // After the migration: as soon as the profile is open (not a fixed 3× the migration's time here).
      [at(0.5), killAt('migrated and unlocked', named('unlocked'))],
      [
        killAt('before the store key is read', named('keychain.get:store-key')),
        killAt('as the store key is read', keyRead),
        at(0.1),
        at(0.9),
        at(1.5),
        at(3),
        ...randomPlans('store key read', keyRead, took * 3),
      ],
    );
    for (const plan of plans) {
      for (const suffix of ['-wal', '-shm']) rmSync(`${storeFile()}${suffix}`, { force: true });
      copyFileSync(oldStore, storeFile());
      expect(rawStoreState(storeFile(), key).version).toBe(OLD);
      expect(alertCount(storeFile(), key)).toBe(alerts);
      const run = await runUntilKilled(
        ws,
        {
          path: 'migrate',
          policyFile: ashaPolicy,
          appDataDir: ashaDir,
          profileId: ashaProfile,
          pin: ashaPin,
        },
        plan,
        ASHA,
      );
      const raw = rawStoreState(storeFile(), key);
      const alertsLeft = alertCount(storeFile(), key);
      const reopened = await reopenAsha();
      const now = (await everyMessage(reopened)).length;
      await reopened.close();
      record(
        'migration',
        plan,
        run,
        `left at schema ${raw.version} (${raw.integrity}), ${alerts - alertsLeft} of ${alerts} alerts lost; reopened: ${count - now} messages lost`,
        `left at schema ${raw.version}${alertsLeft === alerts && now >= count ? ', nothing lost' : ', ROWS LOST'}`,
      );
      expect(run.killed).toBe(true);
      expect(raw.integrity).toBe('ok');
      expect([OLD, latest]).toContain(raw.version);
      expect(now).toBeGreaterThanOrEqual(count);
      expect(alertsLeft).toBe(alerts);
    }
  });

  it('acknowledging a message: it is acknowledged once, on the hub and on both PCs', async () => {
    const plans = sized(
      [
        killAt('acknowledge +10ms', named('acknowledge'), 10),
        killAt('acknowledge returned', named('acknowledged')),
      ],
      [
        killAt('before acknowledging', named('acknowledge')),
        killAt('acknowledge +2ms', named('acknowledge'), 2),
        killAt('acknowledge +40ms', named('acknowledge'), 40),
        ...randomPlans('acknowledge', named('acknowledge'), 300),
      ],
    );
    for (const plan of plans) {
      const text = `please confirm the transfusion for bed ${below(40)} ${randomUUID().slice(0, 6)}`;
      await send(samuel, text, true);
      await eventually('Samuel has sent it', async () => samuel.messaging()!.messages.outboxSize() === 0);
      const seq = (await everyMessage(samuel)).find((m) => m.text === text)!.seq!;
      const hubBefore = hubEnvelopeCount(ws, conversationId);
      const run = await runUntilKilled(
        ws,
        {
          path: 'ack',
          policyFile: ashaPolicy,
          appDataDir: ashaDir,
          profileId: ashaProfile,
          pin: ashaPin,
          conversationId,
          ackSeq: seq,
        },
        plan,
        ASHA,
      );
      const onHubAtKill = hubEnvelopeCount(ws, conversationId) - hubBefore;
      const core = await reopenAsha();
      await connected(core);
      // After the restart Asha acknowledges it again, as she would seeing it not acknowledged, once her PC has
      // her acknowledgement back if the hub has it; a second signed acknowledgement must not reach the hub.
      if (onHubAtKill > 0)
        await eventually('Asha has her acknowledgement back from the hub', async () => {
          const m = (await everyMessage(core)).find((v) => v.seq === seq);
          return m?.acknowledgements.some((a) => a.own) === true;
        });
      const again = await ask(core, 'messages.acknowledge', { conversationId, seq });
      const hubAdded = hubEnvelopeCount(ws, conversationId) - hubBefore;
      await eventually('Samuel sees the acknowledgement', async () => {
        const m = (await everyMessage(samuel)).find((v) => v.seq === seq);
        return (m?.acknowledgements.length ?? 0) >= 1;
      });
      const m = (await everyMessage(samuel)).find((v) => v.seq === seq)!;
      await core.close();
      record(
        'acknowledgement',
        plan,
        run,
        `on the hub at the kill: ${onHubAtKill}; after acknowledging again: ${hubAdded}; Samuel sees ${m.acknowledgements.length}`,
        `${onHubAtKill > 0 ? 'on the hub before the kill' : 'not on the hub at the kill'}; ${hubAdded === 1 ? 'once in the end' : `${hubAdded} in the end`}`,
      );
      expect(run.killed).toBe(true);
      expect(again.ok ? 'ok' : again.error.code).toBe('ok');
      expect(hubAdded).toBe(1);
      expect(m.acknowledgements.length).toBe(1);
    }
  });

  it('opening a document: no decrypted copy outlives the kill, and it opens again verified', async () => {
    // A discharge summary of about 2 MB (a PDF with trailing padding, as scanners leave).
    const pdf = Buffer.concat([
      minimalPdf('Discharge summary, bed 12'),
      Buffer.from(`\n%${'0'.repeat(2_000_000)}\n`),
    ]);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    nextFile = join(mkdtempSync(join(tmpdir(), 'cm-kill-doc-')), 'discharge-summary.pdf');
    writeFileSync(nextFile, pdf);
    await must(samuel, 'documents.attach', {
      operationId: randomUUID(),
      conversationId,
      text: 'discharge summary for bed 12',
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    await eventually('Samuel has sent it', async () => samuel.messaging()!.messages.outboxSize() === 0);
    const seq = (await everyMessage(samuel)).find((m) => m.text === 'discharge summary for bed 12')!.seq!;
    const opened = join(openProfileRegistry(ashaDir).paths(ashaProfile).dir, 'documents', 'opened');
    const decryptedCopies = (): number => (existsSync(opened) ? readdirSync(opened).length : 0);
    const plans = sized(
      [killAt('open +30ms', named('open'), 30), killAt('opened', named('opened'))],
      [
        killAt('before opening', named('open')),
        killAt('open +5ms', named('open'), 5),
        killAt('open +150ms', named('open'), 150),
        ...randomPlans('open', named('open'), 600),
      ],
    );
    for (const plan of plans) {
      const run = await runUntilKilled(
        ws,
        {
          path: 'document',
          policyFile: ashaPolicy,
          appDataDir: ashaDir,
          profileId: ashaProfile,
          pin: ashaPin,
          conversationId,
          ackSeq: seq,
        },
        plan,
        ASHA,
      );
      const leftByKill = decryptedCopies();
      const core = await reopenAsha();
      const leftAfterRestart = decryptedCopies();
      await connected(core);
      const again = await must<DocumentOpenResult>(core, 'documents.open', { conversationId, seq });
      const bytes = again.verified
        ? Buffer.from(
            (await must<{ base64: string }>(core, 'documents.read', { url: again.url })).base64,
            'base64',
          )
        : null;
      if (again.verified) await must(core, 'documents.close', { url: again.url });
      await core.close();
      record(
        'opened document',
        plan,
        run,
        `${leftByKill} decrypted cop${leftByKill === 1 ? 'y' : 'ies'} left by the kill, ${leftAfterRestart} once reopened; opened again ${again.verified ? 'verified' : 'NOT verified'}`,
        `${leftAfterRestart === 0 ? 'no plaintext after restart' : 'PLAINTEXT LEFT'}, ${again.verified ? 'verified again' : 'NOT verified'}`,
      );
      expect(run.killed).toBe(true);
      expect(leftAfterRestart).toBe(0);
      expect(again).toMatchObject({ verified: true, sha256 });
      expect(bytes && createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    }
  });
});

function storeFile(): string {
  return openProfileRegistry(ashaDir).paths(ashaProfile).storeFile;
}
