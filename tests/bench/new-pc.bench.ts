// History on a new PC (docs/key-design.md): the first sign-in on a new workstation to a readable history of N
// messages, against catch-up on a known device over the same N, in the same run. Target: catch-up time ÷
// new-PC time ≥ 0.5 (the new PC takes at most twice as long as a known device).
//
// One workstation with the hospital's key service. Dr Asha Rao on WARD3B-PC01 and Dr Samuel Okafor. Samuel
// sends N 1 KiB messages through his real core (format 2, sealed under a conversation key whose grant he
// published) while PC01 is locked out (its session closed, so offline). Then:
//   (a) catch-up: Asha resumes on PC01 (a known device holding the user and conversation keys);
//   (b) new PC: Asha signs in for the first time on WARD3B-PC02 (the key service releases her key).
// Both clocks start when the session turns active (the `session.state` event), so the browser login page of
// (b) and the PIN screen of (a) are left out; each stops when every message is verified in that PC's store.
// All messages are minutes old, well inside the 30-day retention of the policy and the hub.
// Needs the OS keychain: `npm run bench` runs under tests/setup/with-keychain.sh.
import type { Core } from '../../src/main/core';
import type { SessionState } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { connected, eventually, must, signedIn, startWorkstation } from '../support/workstation';
import { benchScale, printRatios, printTable, type Figure } from './report';

const N = benchScale() === 'smoke' ? 500 : 10_000;
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

interface Timeline {
  /** ms, on the `now()` clock; null when it did not happen during the watch. */
  active: number | null;
  keyReady: number | null;
  firstStored: number | null;
  firstValid: number | null;
  done: number;
}

/**
 * Watches one core from `start()` until every message up to `lastSeq` is stored verified and nothing waits for
 * a key: when the session turned active, when the user key turned ready, and when the first message sent while
 * PC01 was away (seq 3: seq 1 is the signed create entry, seq 2 the message PC01 read) was stored (in any state) and verified. The engine stores a sync page of 500 in one
 * transaction, so "first stored" is when the first page landed.
 */
function watch(core: Core, conversationId: string, lastSeq: number) {
  const t: Omit<Timeline, 'done'> = { active: null, keyReady: null, firstStored: null, firstValid: null };
  const keyIsReady = () => core.messaging()?.userKeyStatus().status.state === 'ready';
  const unsubscribe = core.events.subscribe((name, payload) => {
    if (name === 'session.state' && (payload as { status?: string }).status === 'active') t.active ??= now();
    if (name === 'keys.changed' && t.keyReady === null && keyIsReady()) t.keyReady = now();
  });
  return {
    async until(): Promise<Timeline> {
      for (;;) {
        const store = core.messaging()?.messages;
        if (store) {
          if (t.keyReady === null && keyIsReady()) t.keyReady = now();
          const first = store.bySeq(conversationId, 3); // the first message PC01 missed
          if (first && t.firstStored === null) t.firstStored = now();
          if (first?.verdict === 'valid' && t.firstValid === null) t.firstValid = now();
          if (
            store.bySeq(conversationId, lastSeq)?.verdict === 'valid' &&
            store.awaitingKey(1).length === 0
          ) {
            const done = now();
            unsubscribe();
            return { ...t, done };
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

/** Every message of the conversation up to `lastSeq` is on this PC and verified (checked once, untimed). */
function checkAllVerified(core: Core, conversationId: string, lastSeq: number): void {
  const records = core.messaging()!.messages.verificationRecords(conversationId);
  const valid = records.filter((r) => r.seq !== null && r.seq <= lastSeq && r.verdict === 'valid').length;
  if (valid !== lastSeq) throw new Error(`only ${valid} of ${lastSeq} messages verified`);
}

const sinceActive = (t: Timeline, at: number | null) =>
  at === null || t.active === null ? '—' : `${((at - t.active) / 1000).toFixed(2)} s`;

const ws = await startWorkstation({ keyService: {} });
try {
  const pc01 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC01' });
  const samuel = await signedIn(ws, 'dr.samuel.okafor', { deviceName: 'WARD2A-PC07' });
  for (const core of [pc01, samuel])
    await eventually(
      'user key ready',
      async () => core.messaging()?.userKeyStatus().status.state === 'ready',
    );
  const { conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.asha.rao')],
  });
  const send = (text: string) =>
    must(samuel, 'messages.send', { conversationId, text, urgent: false, ackRequired: false, patient: null });

  // PC01 reads one message, so it holds the conversation key: a known device, not a new one.
  await send('Referral for bed 4: chest pain, troponin pending');
  await eventually(
    'PC01 has the first message',
    async () => pc01.messaging()?.messages.bySeq(conversationId, 2)?.verdict === 'valid',
  );
  const state = await must<SessionState>(pc01, 'session.setPin', { pin: '1470' });
  if (state.status !== 'active') throw new Error('not signed in');
  const pc01Profile = state.profile.profileId;
  await must(pc01, 'session.switchUser'); // PC01 is left: its session is closed and it is offline

  // N messages from Samuel while PC01 is away, through his real core (format 2, one conversation key).
  const seedStart = now();
  const text = 'x'.repeat(1000);
  for (let i = 0; i < N; i++) await send(`${i} ${text}`);
  while (samuel.messaging()!.messages.outboxSize() > 0) await new Promise((r) => setTimeout(r, 50));
  const seedSeconds = (now() - seedStart) / 1000;
  const lastSeq = N + 2; // the create entry, the message PC01 read, then N
  if (samuel.messaging()!.messages.bySeq(conversationId, lastSeq) === null)
    throw new Error(`the hub did not number all ${lastSeq} messages`);

  // (a) Catch-up on the known device.
  const a = watch(pc01, conversationId, lastSeq);
  const aStart = now();
  await must(pc01, 'session.signIn', { profileId: pc01Profile });
  await must(pc01, 'session.unlockWithPin', { pin: '1470' });
  const catchUp = await a.until();
  checkAllVerified(pc01, conversationId, lastSeq);
  await pc01.messaging()?.idle(); // its receipts and outbox pass finish before it is switched off
  await pc01.close(); // PC01 is switched off: only the key service can help PC02

  // (b) First sign-in on a new PC (the login page is answered by the harness's system browser).
  const pc02 = ws.newCore({ deviceName: 'WARD3B-PC02' });
  const b = watch(pc02, conversationId, lastSeq);
  ws.login.next(ws.credentials('dr.asha.rao'));
  const bStart = now();
  const signed = await must(pc02, 'session.signIn', {});
  if (signed.status !== 'active') throw new Error(`sign-in ended ${signed.status}`);
  const newPc = await b.until();
  await connected(pc02);
  checkAllVerified(pc02, conversationId, lastSeq);

  const figure = (name: string, t: Timeline, note: string): Figure => {
    const seconds = (t.done - t.active!) / 1000;
    return { name, ops: lastSeq, seconds, rate: lastSeq / seconds, note };
  };
  const a1 = figure(
    '(a) catch-up, known PC01 (session active → all verified)',
    catchUp,
    `${N} missed + 2 held`,
  );
  const b1 = figure('(b) new PC02 (session active → all verified)', newPc, `key service release`);
  const a0 = {
    ...a1,
    name: '(a) catch-up, from resume (sign-in + PIN → all verified)',
    seconds: (catchUp.done - aStart) / 1000,
  };
  const b0 = {
    ...b1,
    name: '(b) new PC02, from sign-in start (incl. login page)',
    seconds: (newPc.done - bStart) / 1000,
  };
  for (const f of [a0, b0]) f.rate = f.ops / f.seconds;

  console.log(
    `\nSeeding: ${N.toLocaleString('en-US')} sends through Samuel's core in ${seedSeconds.toFixed(1)} s (${Math.round(N / seedSeconds)}/s)`,
  );
  printTable(
    `History of ${lastSeq.toLocaleString('en-US')} messages (1 KiB text), format 2, one conversation`,
    [a1, b1, a0, b0],
  );
  console.log('\nTimeline after the session turned active');
  for (const [name, t] of [
    ['(a) PC01', catchUp],
    ['(b) PC02', newPc],
  ] as const) {
    console.log(
      `${name}: user key ready ${sinceActive(t, t.keyReady)}, first page stored ${sinceActive(t, t.firstStored)}, first verified ${sinceActive(t, t.firstValid)}, all verified ${sinceActive(t, t.done)}`,
    );
  }
  if (newPc.keyReady !== null && newPc.firstValid !== null && newPc.active !== null) {
    const total = newPc.done - newPc.active;
    const release = newPc.keyReady - newPc.active;
    const grant = newPc.firstValid - newPc.keyReady;
    console.log(
      `(b) key release ${((100 * release) / total).toFixed(1)}% of the new-PC time; key ready → first page verified (conversations, grant fetch, first 500) ${((100 * grant) / total).toFixed(1)}%`,
    );
  }
  const value = a1.seconds / b1.seconds;
  const value0 = a0.seconds / b0.seconds;
  printRatios('Ratios (catch-up time ÷ new-PC time)', [
    {
      name: 'from session active',
      value,
      target: '≥ 0.5',
      met: value >= 0.5,
    },
    {
      name: 'from the start of sign-in',
      value: value0,
      note: 'includes the login page on PC02, the PIN on PC01',
    },
  ]);
} finally {
  await ws.close();
}
