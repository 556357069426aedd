// An urgent message nobody answers must reach someone who can act. Through the real hub, IdP, keychain and
// SQLite, with the deadline clock driven by the test: Dr Asha Rao sends Dr Samuel Okafor an urgent message
// that needs acknowledgement within 2 minutes; he does not answer; at the deadline her client re-notifies him
// (a signed reminder his client turns into a notification), sends the message, quoted, to Dr Lena Fischer, and
// alerts her; Dr Fischer acknowledges and the chain stops, and both sides' awaiting views say so. Dr Okafor is
// told, by a message Dr Rao's client signs, that Dr Fischer acknowledged: it leaves his awaiting view. Dr Rao
// signs in on a second workstation: it shows her message awaiting others honestly and runs no second chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { OsNotification } from '../../../src/main/core/notifications';
import type { ConversationView, MessageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import { controlledClock, type ControlledClock } from '../../support/controlled-clock';
import { ask, must, signedIn, startWorkstation, type Workstation } from '../../support/workstation';

interface AwaitingOthers {
  conversationId: string;
  text: string;
  msLeft: number;
  status: string;
  elsewhere: boolean;
}
interface AwaitingMine {
  conversationId: string;
  seq: number;
  senderUserId: string;
  text: string;
  deadlineAt: string | null;
  target: { kind: string; userId?: string } | null;
  escalatedFrom: { conversationId: string; seq: number; recipients: string[] } | null;
}
interface Step {
  kind: string;
  userId: string | null;
  seq: number | null;
}

let ws: Workstation;
let clock: ControlledClock;
let asha: Core;
let samuel: Core;
let lena: Core;
const shown = new Map<string, OsNotification[]>();
let conversationId: string;
let ASHA: string, SAMUEL: string, LENA: string;

const K = 'Bed 12 potassium 6.9, please review now';
const SATS = 'Bed 4 sats 84% on 15 L, please come';

const notifications = (who: string) => shown.get(who) ?? [];
const notifyAs = (who: string) => (n: OsNotification) => shown.set(who, [...notifications(who), n]);
const others = (core: Core) => must<AwaitingOthers[]>(core, 'escalations.awaitingOthers');
const mine = (core: Core) => must<AwaitingMine[]>(core, 'escalations.awaitingMine');
const steps = (core: Core, id = conversationId) =>
  must<Step[]>(core, 'escalations.timeline', { conversationId: id });
const kinds = async (core: Core) => (await steps(core)).map((s) => s.kind);
const page = (core: Core, id = conversationId) =>
  must<MessageView[]>(core, 'messages.page', { conversationId: id, limit: 200 });
/** The conversation as the list shows it: unread counts and the preview. */
const listed = async (core: Core, id = conversationId) =>
  (await must<ConversationView[]>(core, 'conversations.list')).find((c) => c.conversationId === id)!;

beforeAll(async () => {
  // With the key service: Dr Rao's history follows her to a second workstation.
  ws = await startWorkstation({ keyService: {} });
  clock = controlledClock();
  asha = await signedIn(ws, 'dr.asha.rao', { clock, notify: notifyAs('asha') });
  samuel = await signedIn(ws, 'dr.samuel.okafor', { notify: notifyAs('samuel') });
  lena = await signedIn(ws, 'dr.lena.fischer', { notify: notifyAs('lena') });
  [ASHA, SAMUEL, LENA] = ['dr.asha.rao', 'dr.samuel.okafor', 'dr.lena.fischer'].map((u) =>
    userId(ws.stack, u),
  ) as [string, string, string];
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [SAMUEL],
  }));
}, 180_000);

afterAll(async () => {
  await ws?.close();
});

const urgent = (text: string, extra: Record<string, unknown>) => ({
  conversationId,
  text,
  urgent: true,
  ackRequired: true,
  patient: null,
  ...extra,
});

describe('acknowledgement deadlines and escalation', () => {
  it('a deadline the policy does not offer is refused and nothing is sent', async () => {
    const refused = await ask(asha, 'messages.send', urgent('Bed 7 BP 70/40', { ackDeadlineMinutes: 7 }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('deadline_not_allowed');
      expect(refused.error.message).toMatch(/2, 5, 10, 15 minutes/);
    }
    expect((await page(asha)).some((m) => m.text === 'Bed 7 BP 70/40')).toBe(false);
    expect(await others(asha)).toEqual([]);
  });

  it('Dr Okafor acknowledges in time: nothing escalates', async () => {
    await must(
      asha,
      'messages.send',
      urgent(SATS, { ackDeadlineMinutes: 5, escalateTo: { kind: 'user', userId: LENA } }),
    );
    await expect
      .poll(async () => (await mine(samuel)).map((m) => m.text), { timeout: 30_000 })
      .toContain(SATS);
    const waiting = (await mine(samuel)).find((m) => m.text === SATS)!;
    // The deadline and the target come from Dr Rao's signed payload.
    expect(waiting.target).toEqual({ kind: 'user', userId: LENA });
    expect(waiting.deadlineAt).not.toBeNull();
    await must(samuel, 'messages.acknowledge', { conversationId, seq: waiting.seq });
    await expect.poll(async () => (await others(asha)).length, { timeout: 30_000 }).toBe(0);
    expect((await mine(samuel)).map((m) => m.text)).not.toContain(SATS);
    clock.advance(6 * 60_000);
    expect(await kinds(asha)).toEqual(['acknowledged']);
    expect((await steps(asha))[0]!.userId).toBe(SAMUEL);
  });

  it('nobody answers: re-notify, escalate to Dr Fischer, alert Dr Rao; Dr Fischer acknowledges', async () => {
    await must(
      asha,
      'messages.send',
      urgent(K, { ackDeadlineMinutes: 2, escalateTo: { kind: 'user', userId: LENA } }),
    );
    // Dr Rao sees it awaiting others, with the full 2 minutes left on her clock.
    const [awaiting] = await others(asha);
    expect(awaiting).toMatchObject({ conversationId, text: K, msLeft: 120_000, status: 'waiting' });
    await expect.poll(async () => (await mine(samuel)).map((m) => m.text), { timeout: 30_000 }).toContain(K);
    const before = notifications('samuel').filter((n) => n.conversationId === conversationId).length;
    const listedBefore = await listed(samuel);

    clock.advance(60_000);
    expect((await others(asha))[0]!.msLeft).toBe(60_000);
    clock.advance(60_000);

    // Her timeline shows the steps, in order.
    await expect
      .poll(() => kinds(asha), { timeout: 60_000 })
      .toEqual(['acknowledged', 'deadline-passed', 'renotified', 'escalated', 'sender-alerted']);
    expect(notifications('asha').some((n) => n.title === 'No acknowledgement' && n.urgent)).toBe(true);
    // His client turns her signed reminder into a new urgent notification and a step in his timeline.
    await expect
      .poll(async () => (await kinds(samuel)).includes('reminder-received'), { timeout: 30_000 })
      .toBe(true);
    expect(
      notifications('samuel').filter((n) => n.conversationId === conversationId && n.urgent).length,
    ).toBeGreaterThan(before);

    // Dr Fischer has the message, quoted from Dr Rao's conversation with Dr Okafor, awaiting her acknowledgement.
    await expect.poll(async () => (await mine(lena)).map((m) => m.text), { timeout: 60_000 }).toContain(K);
    const escalated = (await mine(lena)).find((m) => m.text === K)!;
    expect(escalated.senderUserId).toBe(ASHA);
    expect(escalated.escalatedFrom).toMatchObject({ conversationId, recipients: [SAMUEL] });
    const copy = (await page(lena, escalated.conversationId)).find((m) => m.seq === escalated.seq)!;
    expect(copy).toMatchObject({ verdict: 'valid', senderUserId: ASHA, urgent: true, ackRequired: true });

    const notifiedBeforeResolution = notifications('samuel').length;
    await must(lena, 'messages.acknowledge', {
      conversationId: escalated.conversationId,
      seq: escalated.seq,
    });
    // The chain stops: shown late on Dr Rao's side, gone from both awaiting views.
    await expect.poll(async () => (await others(asha)).length, { timeout: 30_000 }).toBe(0);
    expect((await steps(asha)).find((s) => s.kind.startsWith('acknowledged'))).toMatchObject({
      kind: 'acknowledged',
      userId: SAMUEL,
    });
    expect((await steps(asha)).filter((s) => s.kind === 'acknowledged-late')).toEqual([
      expect.objectContaining({ userId: LENA }),
    ]);
    expect((await mine(lena)).map((m) => m.text)).not.toContain(K);
    // Exactly one escalated copy went out.
    expect((await page(lena, escalated.conversationId)).filter((m) => m.text === K)).toHaveLength(1);

    // Dr Okafor is told, by Dr Rao's signed message naming hers, that Dr Fischer acknowledged it.
    const original = (await page(asha)).find((m) => m.text === K)!;
    await expect
      .poll(async () => (await steps(samuel)).filter((s) => s.kind === 'resolved-received'), {
        timeout: 30_000,
      })
      .toEqual([expect.objectContaining({ userId: LENA, seq: original.seq })]);
    expect((await mine(samuel)).map((m) => m.text)).not.toContain(K);
    // Closing the item is not news: no notification pops up with the resolution's text.
    expect(notifications('samuel')).toHaveLength(notifiedBeforeResolution);
    expect((await steps(asha)).at(-1)).toMatchObject({ kind: 'resolution-sent', userId: LENA });
    // Told once, and a message acknowledged in time (Dr Okafor's own) told nobody anything.
    const resolutions = (await page(samuel)).filter(
      (m) => m.senderUserId === ASHA && /^Acknowledged:/.test(m.text ?? ''),
    );
    expect(resolutions).toHaveLength(1);
    // Her reminder and resolution are his timeline's step rows: still stored, but not unread messages, not the
    // list's preview and not bubbles.
    const stepMessages = (await page(samuel)).filter(
      (m) => m.senderUserId === ASHA && /^(Reminder|Acknowledged):/.test(m.text ?? ''),
    );
    expect(stepMessages.map((m) => m.escalationStep).sort()).toEqual(['reminder', 'resolved']);
    expect(await listed(samuel)).toMatchObject({
      unread: listedBefore.unread,
      urgentUnread: listedBefore.urgentUnread,
      lastMessage: { preview: listedBefore.lastMessage!.preview },
    });
    expect((await page(asha)).filter((m) => m.escalationStep).map((m) => m.escalationStep)).toEqual(
      expect.arrayContaining(['reminder', 'resolved']),
    );
  });

  it('a colleague cannot close it for Dr Okafor: only its sender’s signed word counts', async () => {
    // In a group with both of them, Dr Fischer's client (modified: the app offers no way to) says Dr Rao's
    // message was acknowledged. Signed by Dr Fischer, verified as hers: it still changes nothing for him.
    const { conversationId: group } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'group',
      memberIds: [SAMUEL, LENA],
    });
    const LACTATE = 'Bed 3 lactate 5.1, please review';
    await must(asha, 'messages.send', { ...urgent(LACTATE, {}), conversationId: group });
    await expect
      .poll(async () => (await mine(samuel)).map((m) => m.text), { timeout: 30_000 })
      .toContain(LACTATE);
    await expect
      .poll(async () => (await page(lena, group)).some((m) => m.text === LACTATE && m.seq !== null), {
        timeout: 30_000,
      })
      .toBe(true);
    const original = (await page(lena, group)).find((m) => m.text === LACTATE)!;
    const hash = lena.messaging()!.messages.bySeq(group, original.seq!)!.hash;
    await lena.messaging()!.send({
      conversationId: group,
      payload: {
        v: 1,
        kind: 'text',
        text: 'Acknowledged: this message no longer awaits your acknowledgement.',
        urgent: false,
        ackRequired: false,
        patient: null,
        escalation: {
          step: 'resolved',
          seq: original.seq!,
          envelopeHash: hash,
          by: LENA,
          at: new Date().toISOString(),
        },
      },
    });
    await expect
      .poll(
        async () => (await page(samuel, group)).some((m) => m.senderUserId === LENA && m.verdict === 'valid'),
        {
          timeout: 30_000,
        },
      )
      .toBe(true);
    expect((await mine(samuel)).map((m) => m.text)).toContain(LACTATE);
    expect((await steps(samuel, group)).map((s) => s.kind)).not.toContain('resolved-received');
    // Not her step to take: it stays an ordinary message he can read, never hidden as a step.
    expect((await page(samuel, group)).find((m) => m.senderUserId === LENA)!.escalationStep).toBeNull();
  });

  it('Dr Rao signs in on WARD3B-PC02: her open deadline is shown there honestly, and only PC01 escalates', async () => {
    const BP = 'Bed 9 BP 68/35 after the second bolus, please come';
    await must(
      asha,
      'messages.send',
      urgent(BP, { ackDeadlineMinutes: 2, escalateTo: { kind: 'user', userId: LENA } }),
    );
    await expect.poll(async () => (await mine(samuel)).map((m) => m.text), { timeout: 30_000 }).toContain(BP);
    const pc2Clock = controlledClock();
    const ashaPc2 = await signedIn(ws, 'dr.asha.rao', { clock: pc2Clock, deviceName: 'WARD3B-PC02' });
    await expect
      .poll(async () => (await others(ashaPc2)).filter((o) => o.text === BP), { timeout: 60_000 })
      .toEqual([expect.objectContaining({ conversationId, elsewhere: true })]);
    // PC02's clock passes the deadline: it runs nothing of its own.
    pc2Clock.advance(3 * 60_000);
    const reminders = async () =>
      (await page(samuel)).filter((m) => m.senderUserId === ASHA && /^Reminder:/.test(m.text ?? '')).length;
    const remindersBefore = await reminders();
    // PC01's clock passes it: one reminder, one quoted copy to Dr Fischer.
    clock.advance(2 * 60_000);
    await expect.poll(async () => (await mine(lena)).map((m) => m.text), { timeout: 60_000 }).toContain(BP);
    await expect.poll(reminders, { timeout: 30_000 }).toBe(remindersBefore + 1);
    expect((await steps(ashaPc2)).map((s) => s.kind)).not.toContain('deadline-passed');

    // Dr Fischer acknowledges: PC01's resolution closes it on PC02 and at Dr Okafor's.
    const escalated = (await mine(lena)).find((m) => m.text === BP)!;
    await must(lena, 'messages.acknowledge', {
      conversationId: escalated.conversationId,
      seq: escalated.seq,
    });
    await expect
      .poll(async () => (await others(ashaPc2)).map((o) => o.text), { timeout: 60_000 })
      .not.toContain(BP);
    await expect
      .poll(async () => (await mine(samuel)).map((m) => m.text), { timeout: 30_000 })
      .not.toContain(BP);
    expect(await reminders()).toBe(remindersBefore + 1);
    expect((await page(lena, escalated.conversationId)).filter((m) => m.text === BP)).toHaveLength(1);
  });
});
