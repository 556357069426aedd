// Kill -9 of the app while an urgent message waits for acknowledgement. Dr Asha Rao's core runs in a child
// process (tests/faults/writer.ts, job 'escalate') against the real hub, store and keychain; it sends Dr Samuel
// Okafor an urgent message with a 2-minute deadline that escalates to Dr Lena Fischer, and is killed with SIGKILL
// before the deadline, or while the escalation steps run. A new core on the same profile (its deadline clock
// driven by the test) must resume the timer and escalate exactly once: one reminder to Dr Okafor, one quoted
// copy to Dr Fischer, one alert, however often the app is restarted afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { MessageView, SessionState } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { controlledClock } from '../support/controlled-clock';
import { eventually, must, signedIn, startWorkstation, type Workstation } from '../support/workstation';
import {
  ask,
  below,
  killAt,
  named,
  restartedCore,
  runUntilKilled,
  stopSpareWriter,
  type KillPlan,
} from './kill-harness';

const FULL = process.env.FAULTS_SCALE === 'full';
const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
const LENA = 'dr.lena.fischer';
const REMINDER = 'Reminder: this urgent message is waiting for your acknowledgement.';

let ws: Workstation;
let samuel: Core;
let lena: Core;
let ashaDir: string;
let ashaPolicy: string;
let ashaProfile: string;
const ashaPin = '2468';
let conversationId: string;
const outcomes: string[] = [];

beforeAll(async () => {
  ws = await startWorkstation();
  samuel = await signedIn(ws, SAMUEL);
  lena = await signedIn(ws, LENA);
  const asha = await signedIn(ws, ASHA);
  const state = await must<SessionState>(asha, 'session.setPin', { pin: ashaPin });
  if (state.status !== 'active') throw new Error('Asha is not signed in');
  ashaProfile = state.profile.profileId;
  ashaDir = ws.appDataDirOf(asha);
  ashaPolicy = ws.policyFileOf(asha);
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, SAMUEL)],
  }));
  await asha.close(); // from now on, only one core at a time opens Asha's profile
}, 180_000);

afterAll(async () => {
  if (outcomes.length > 0) console.log(['kill -9 mid-deadline:', ...outcomes].join('\n'));
  await stopSpareWriter();
  await ws?.close();
});

async function reopenAsha(
  clockAt: number,
): Promise<{ core: Core; clock: ReturnType<typeof controlledClock> }> {
  const clock = controlledClock(clockAt);
  const core = restartedCore(ws, ashaDir, ashaPolicy, ASHA, { clock });
  const opened = await ask<SessionState>(core, 'session.signIn', { profileId: ashaProfile });
  if (!opened.ok) throw new Error(`Asha's profile did not open after the kill: ${opened.error.code}`);
  await must(core, 'session.unlockWithPin', { pin: ashaPin });
  return { core, clock };
}

/** Every message Dr Fischer holds with this text, in any conversation. */
async function copiesAtLena(text: string): Promise<MessageView[]> {
  await lena.messaging()!.syncNow();
  const list = await must<{ conversationId: string }[]>(lena, 'conversations.list');
  const pages = await Promise.all(
    list.map((c) =>
      must<MessageView[]>(lena, 'messages.page', { conversationId: c.conversationId, limit: 200 }),
    ),
  );
  return pages.flat().filter((m) => m.text === text);
}

async function remindersAtSamuel(): Promise<number> {
  await samuel.messaging()!.syncNow();
  const page = await must<MessageView[]>(samuel, 'messages.page', { conversationId, limit: 200 });
  return page.filter((m) => m.text === REMINDER).length;
}

const steps = async (core: Core) =>
  (await must<{ kind: string }[]>(core, 'escalations.timeline', { conversationId })).map((s) => s.kind);

// Smoke: one kill while the timer is pending, one while the steps run; full: more points inside the steps.
const plans: KillPlan[] = [
  killAt('before the deadline (timer pending)', named('deadline')),
  killAt('50ms into the escalation steps', named('deadline-passed'), 50),
  ...(FULL
    ? [
        killAt('as the deadline passes', named('deadline-passed')),
        ...Array.from({ length: 6 }, () => {
          const ms = below(400);
          return killAt(`${ms}ms into the escalation steps`, named('deadline-passed'), ms);
        }),
      ]
    : []),
];

describe('kill -9 mid-deadline, then a restart on the same profile', () => {
  it('the timer resumes and the message escalates exactly once', async () => {
    for (const plan of plans) {
      const text = `Bed 12 potassium 6.9, review now ${randomUUID().slice(0, 8)}`;
      const remindersBefore = await remindersAtSamuel();
      const run = await runUntilKilled(
        ws,
        {
          path: 'escalate',
          policyFile: ashaPolicy,
          appDataDir: ashaDir,
          profileId: ashaProfile,
          pin: ashaPin,
          conversationId,
          texts: [text],
          escalateTo: userId(ws.stack, LENA),
        },
        plan,
        ASHA,
      );
      expect(run.killed).toBe(true);
      const queued = run.events.find((e) => e.at === 'queued');
      expect(queued, 'the urgent message was queued before the kill').toBeDefined();
      const deadlineAt = queued!.deadlineAt as number;

      // Restarted a minute before the deadline on her clock: the timer is still there, and fires at the deadline.
      let { core, clock } = await reopenAsha(deadlineAt - 60_000);
      await eventually('the outbox is empty', async () => core.messaging()?.messages.outboxSize() === 0);
      const awaiting = await must<{ text: string; msLeft: number; status: string }[]>(
        core,
        'escalations.awaitingOthers',
      );
      const mine = awaiting.find((a) => a.text === text)!;
      expect(mine).toBeDefined();
      if (mine.status === 'waiting') expect(mine.msLeft).toBe(60_000);
      clock.advance(60_000);
      await eventually(
        'the escalation steps ran',
        async () => (await steps(core)).filter((k) => k === 'sender-alerted').length >= outcomes.length + 1,
      );
      await eventually('the outbox is empty', async () => core.messaging()?.messages.outboxSize() === 0);
      await core.close();

      // Restarted again well after the deadline: nothing runs twice.
      ({ core, clock } = await reopenAsha(deadlineAt + 10 * 60_000));
      await eventually('connected', async () => core.connection.current().state === 'connected');
      clock.advance(60_000);
      await core.messaging()!.idle();
      const kinds = await steps(core);
      await core.close();

      await eventually('Dr Fischer has the quoted copy', async () => (await copiesAtLena(text)).length > 0);
      const copies = await copiesAtLena(text);
      const reminders = (await remindersAtSamuel()) - remindersBefore;
      outcomes.push(
        `| ${plan.label} | killed at ${run.killedAt} | ${copies.length} copy to Dr Fischer, ${reminders} reminder to Dr Okafor |`,
      );
      expect(copies).toHaveLength(1);
      expect(copies[0]).toMatchObject({
        verdict: 'valid',
        senderUserId: userId(ws.stack, ASHA),
        ackRequired: true,
      });
      expect(reminders).toBe(1);
      expect(kinds.filter((k) => k === 'escalated')).toHaveLength(outcomes.length);
    }
  });
});
