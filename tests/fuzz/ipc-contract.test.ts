// Issue 13, "a refused call never changes state": every IPC call of the contract, in every session state of
// WARD3B-PC01 (nobody has signed in yet; Dr Samuel Okafor signed out, his profile kept; Dr Asha Rao at work;
// Dr Lena Fischer's screen locked), with arguments generated from the call's own zod schema (valid ones and
// broken ones: wrong types, huge strings, numbers out of range, unknown and prototype-polluting keys, deep
// nesting). The app never crashes, never answers `internal`, and a refused call leaves everything a user or IT
// could observe exactly as it was: the session, the profile's database (every table's rows), the profile's
// files, the keychain entries and the audit log.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { ProfileStore } from '../../src/main/core/store';
import {
  callNames,
  contract,
  ipcErrorCodes,
  type CallName,
  type MessageView,
} from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import { createTally, scale } from './support/tally';
import { invalidArgs, prototypePolluted, validArgs, type KnownValues } from './support/zod-arbitrary';

/** Per call and state: FAULTS_SCALE=full tries 200 (100 valid, 100 broken); the CI smoke size 4. */
const VALID_RUNS = scale(2, 100);
const INVALID_RUNS = scale(2, 100);
const SEED = Number(process.env.FUZZ_SEED ?? 1313);
const tally = createTally('ipc-contract');

type StateName = 'signed-out, no profile' | 'signed-out, profile kept' | 'active' | 'locked';

/**
 * Valid arguments to these calls would (rightly) move the workstation out of the state under test, or open
 * the system browser for a new sign-in; they are tried here only with arguments the contract refuses. Their
 * accepted paths are the session tests' (tests/integration/session).
 */
const leavesState: Record<StateName, readonly CallName[]> = {
  'signed-out, no profile': ['session.unlockWithSignIn'],
  'signed-out, profile kept': ['session.unlockWithSignIn'],
  active: [
    'session.signOut',
    'session.switchUser',
    'session.lock',
    'session.reenrol',
    'session.unlockWithSignIn',
  ],
  // A wrong PIN is meant to count towards the lockout: that is state the lock screen shows on purpose.
  locked: [
    'session.signOut',
    'session.switchUser',
    'session.unlockWithPin',
    'session.unlockWithSignIn',
    'session.reenrol',
  ],
};
/** Calls that would change a real conversation (members, its patient) get random conversation ids only. */
const membershipCalls: readonly CallName[] = [
  'conversations.leave',
  'conversations.removeMember',
  'conversations.addMember',
  'conversations.setPatient',
];

let ws: Workstation;
let asha: Core;
let samuel: Core;
let nobody: Core;
let conversationId: string;
const stores = new Map<Core, ProfileStore>();
const known: KnownValues = {};

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex').slice(0, 16);

function filesOf(dir: string, withDatabases: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.log$/.test(entry.name)) continue;
      else if (!withDatabases && /\.(db|sqlite)(-wal|-shm|-journal)?$/.test(entry.name))
        out[relative(dir, path)] = 'open';
      else out[relative(dir, path)] = sha(readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

function rowsOf(store: ProfileStore): Record<string, string> {
  const out: Record<string, string> = {};
  const tables = store.db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name",
    )
    .all();
  for (const { name } of tables) {
    const rows = store.db.prepare(`SELECT * FROM "${name}"`).all();
    out[`db:${name}`] =
      `${rows.length}:${sha(JSON.stringify(rows, (_, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)))}`;
  }
  return out;
}

/** Everything a user or IT could observe about this workstation, as named fingerprints. */
async function observe(core: Core): Promise<Record<string, string>> {
  // The sign-in screen's `notice` says why the last sign-in failed: shown to the user, not stored anywhere.
  const { notice: _shown, ...session } = core.session.current() as { notice?: unknown };
  const out: Record<string, string> = {
    session: JSON.stringify(
      core.session.current().status === 'signed-out' ? session : core.session.current(),
    ),
  };
  const store = stores.get(core);
  const dbOpen = store?.open === true;
  Object.assign(out, filesOf(ws.appDataDirOf(core), !dbOpen));
  if (store && dbOpen) Object.assign(out, rowsOf(store));
  out.keychainWrites = String(keychainWrites);
  return out;
}

/** Every keychain entry of the workstation, fingerprinted (read at the start and end of each state). */
async function keychainEntries(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const accounts = (await ws.keychain.list()).sort();
  const values = await Promise.all(accounts.map((account) => ws.keychain.get(account)));
  accounts.forEach((account, i) => (out[`keychain:${account}`] = sha(values[i] ?? 'missing')));
  return out;
}

/**
 * Writes to the real keychain, counted as they pass through (reading every entry over D-Bus after each call
 * would take most of the run); the entries themselves are compared at the start and end of each state.
 */
let keychainWrites = 0;
function countKeychainWrites(): void {
  const { set, delete: remove } = ws.keychain;
  ws.keychain.set = (account, secret) => (keychainWrites++, set.call(ws.keychain, account, secret));
  ws.keychain.delete = (account) => (keychainWrites++, remove.call(ws.keychain, account));
}

const changedParts = (a: Record<string, string>, b: Record<string, string>): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);

const brief = (v: unknown): string => {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 160 ? `${s.slice(0, 160)}… (${s.length} chars)` : s;
  } catch {
    return `(${typeof v}, not JSON: nested too deep)`;
  }
};

/**
 * The first valid input again with this ward's own ids in every field that has them, once per known value
 * (so a real conversation is always tried with its newest seq, one past it and 2^53−1), whatever the seed.
 */
function withWardIds(
  schema: z.ZodType,
  args: unknown,
  knownHere: KnownValues,
): { args: unknown; valid: true }[] {
  if (typeof args !== 'object' || args === null) return [];
  const fields = Object.keys(args).filter((k) => (knownHere[k]?.length ?? 0) > 0);
  if (fields.length === 0) return [];
  const variants = Math.max(...fields.map((k) => knownHere[k]!.length));
  const out: { args: unknown; valid: true }[] = [];
  for (let i = 0; i < variants; i++) {
    const candidate = {
      ...args,
      ...Object.fromEntries(fields.map((k) => [k, knownHere[k]![i % knownHere[k]!.length]])),
    };
    if (schema.safeParse(candidate).success) out.push({ args: candidate, valid: true });
  }
  return out;
}

function inputsFor(name: CallName, state: StateName, seed: number): { args: unknown; valid: boolean }[] {
  const schema = contract.calls[name].args;
  const knownHere = membershipCalls.includes(name) ? {} : known;
  const inputs: { args: unknown; valid: boolean }[] = [];
  if (!leavesState[state].includes(name)) {
    let valid = validArgs(schema, knownHere);
    // Without a profile id, signIn starts a new sign-in in the system browser.
    if (name === 'session.signIn')
      valid = valid.filter((a) => (a as { profileId?: string }).profileId !== undefined);
    const sampled = fc.sample(valid, { numRuns: VALID_RUNS, seed });
    inputs.push(
      ...withWardIds(schema, sampled[0], knownHere),
      ...sampled.map((args) => ({ args, valid: true })),
    );
  }
  for (const args of fc.sample(invalidArgs(schema, knownHere, scale(1 << 16, 4 << 20)), {
    numRuns: INVALID_RUNS,
    seed,
  }))
    inputs.push({ args, valid: false });
  return inputs;
}

async function fuzzState(state: StateName, core: Core): Promise<string[]> {
  const failures: string[] = [];
  const expected = core.session.current().status;
  let entriesAtStart = await keychainEntries();
  let refusedSinceEntries = 0;
  let before = await observe(core);
  let observeMs = 0;
  const started = performance.now();
  for (const [i, name] of callNames.entries()) {
    const target = `${name} [${state}]`;
    const counts = tally.get(target);
    for (const { args, valid } of inputsFor(name, state, SEED + i)) {
      counts.inputs++;
      if (expected === 'active') core.session.activity();
      let answer: unknown;
      try {
        answer = await core.dispatcher.dispatch(name, args);
      } catch (error) {
        counts.crashes++;
        failures.push(`${target} threw ${(error as Error)?.name}: ${brief(args)}`);
        continue;
      }
      const result = answer as { ok: boolean; error?: { code: string; message: string } };
      if (
        typeof result?.ok !== 'boolean' ||
        (!result.ok && !ipcErrorCodes.includes(result.error?.code as never))
      ) {
        counts.crashes++;
        failures.push(`${target} answered outside the contract: ${brief(answer)}`);
        continue;
      }
      if (!result.ok && result.error!.code === 'internal') {
        counts.internal++;
        failures.push(`${target} answered internal to ${brief(args)}`);
      }
      if (!valid && (result.ok || result.error!.code !== 'invalid_args')) {
        failures.push(`${target} accepted arguments its schema refuses: ${brief(args)} → ${brief(answer)}`);
      }
      if (prototypePolluted()) failures.push(`${target} polluted Object.prototype with ${brief(args)}`);
      await core.messaging()?.idle();
      const t0 = performance.now();
      const after = await observe(core);
      observeMs += performance.now() - t0;
      if (!result.ok) {
        counts.refused++;
        const changed = changedParts(before, after);
        if (changed.length > 0) {
          counts.stateChanges++;
          failures.push(
            `${target} refused (${result.error!.code}) yet changed ${changed
              .map((k) => (k === 'session' ? `session (${before[k]} → ${after[k]})` : k))
              .join(', ')}: ${brief(args)}`,
          );
        }
      }
      if (result.ok) {
        // An accepted call may rightly write the keychain: entries are compared only over refused calls.
        entriesAtStart = await keychainEntries();
      } else refusedSinceEntries++;
      if (core.session.current().status !== expected) {
        failures.push(`${target} moved the session to ${core.session.current().status}: ${brief(args)}`);
        break;
      }
      before = after;
    }
  }
  const entriesAtEnd = await keychainEntries();
  const changedEntries = changedParts(entriesAtStart, entriesAtEnd);
  if (changedEntries.length > 0 && refusedSinceEntries > 0)
    failures.push(`${state}: keychain entries changed over refused calls: ${changedEntries.join(', ')}`);
  console.log(
    `${state}: ${Math.round(performance.now() - started)} ms, observing ${Math.round(observeMs)} ms`,
  );
  return failures;
}

beforeAll(async () => {
  ws = await startWorkstation();
  countKeychainWrites();
  nobody = ws.newCore();
  asha = await signedIn(ws, 'dr.asha.rao');
  samuel = await signedIn(ws, 'dr.samuel.okafor');
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
  await must(asha, 'messages.send', {
    conversationId,
    text: 'Bed 9 for review after the ward round',
    urgent: false,
    ackRequired: true,
    patient: { mrn: 'MRN-004211', name: 'Jane Doe' },
  });
  const newest = (await must<MessageView[]>(asha, 'messages.page', { conversationId, limit: 10 }))[0]!.seq!;
  const samuelState = samuel.session.current();
  Object.assign(known, {
    conversationId: [conversationId],
    uptoSeq: [newest, newest + 1, Number.MAX_SAFE_INTEGER],
    seq: [newest, newest + 1, Number.MAX_SAFE_INTEGER],
    beforeSeq: [newest],
    afterSeq: [0],
    userId: [userId(ws.stack, 'dr.samuel.okafor')],
    userIds: [[userId(ws.stack, 'dr.samuel.okafor')]],
    profileId: samuelState.status === 'active' ? [samuelState.profile.profileId] : [],
  });
  // Dr Okafor signs out (his profile stays): nothing of his answers Dr Rao's messages while she is fuzzed.
  await must(samuel, 'session.signOut');
  stores.set(asha, asha.session.active().store);
}, 300_000);
afterAll(async () => {
  tally.print();
  await ws?.close();
});

/** The states in turn, on as few sign-ins as possible: Dr Rao at work, then her screen locked. */
const states: [StateName, () => Promise<Core>][] = [
  ['signed-out, no profile', async () => nobody],
  ['signed-out, profile kept', async () => samuel],
  ['active', async () => asha],
  [
    'locked',
    async () => {
      await must(asha, 'session.setPin', { pin: '2468' });
      await must(asha, 'session.lock');
      return asha;
    },
  ],
];

describe('every IPC call, in every session state, with generated arguments', () => {
  it.each(states)('%s: no crash, no internal, a refused call changes nothing', async (state, enter) => {
    const core = await enter();
    expect(core.session.current().status).toBe(state.startsWith('signed-out') ? 'signed-out' : state);
    const failures = await fuzzState(state, core);
    expect(failures).toEqual([]);
  });
});
