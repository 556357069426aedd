// A message to a role can need acknowledgement by a deadline, and escalates like any other (docs/roster.md,
// docs/escalation.md). Real IdP, hub, keychain and SQLite; the OPD desk's deadline clock is driven by the test.
// Meera Nair at OPD desk 2 messages "Cardiology on call" (Dr Asha Rao on IT's signed roster) and asks for
// acknowledgement within 2 minutes; nobody answers; at the deadline her client re-notifies Dr Rao and sends the
// message, quoted, to the desk policy's escalation target, Dr Samuel Okafor. A deadline the policy does not offer
// is refused before anything is sent.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { OsNotification } from '../../../src/main/core/notifications';
import type { ConversationView, MessageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import { testItKey } from '../../stack/hub/roster-seed';
import { controlledClock, type ControlledClock } from '../../support/controlled-clock';
import { ask, must, signedIn, startWorkstation, type Workstation } from '../../support/workstation';

interface AwaitingMine {
  conversationId: string;
  seq: number;
  senderUserId: string;
  text: string;
  deadlineAt: string | null;
  escalatedFrom: { conversationId: string; seq: number; recipients: string[] } | null;
}

let ws: Workstation;
let clock: ControlledClock;
let asha: Core;
let samuel: Core;
let meera: Core;
let ASHA: string, SAMUEL: string, MEERA: string;
const shown = new Map<string, OsNotification[]>();
const notifications = (who: string) => shown.get(who) ?? [];
const notifyAs = (who: string) => (n: OsNotification) => shown.set(who, [...notifications(who), n]);

const TROPONIN = 'Bed 12 chest pain, troponin rising, please review';

const mine = (core: Core) => must<AwaitingMine[]>(core, 'escalations.awaitingMine');
const others = (core: Core) =>
  must<Array<{ text: string; status: string }>>(core, 'escalations.awaitingOthers');
const steps = (core: Core, conversationId: string) =>
  must<Array<{ kind: string }>>(core, 'escalations.timeline', { conversationId }).then((s) =>
    s.map((x) => x.kind),
  );
async function allTexts(core: Core): Promise<string[]> {
  const conversations = await must<ConversationView[]>(core, 'conversations.list');
  const pages = await Promise.all(
    conversations.map((c) =>
      must<MessageView[]>(core, 'messages.page', { conversationId: c.conversationId, limit: 200 }),
    ),
  );
  return pages.flat().map((m) => m.text ?? '');
}

/** A workstation pinning the test hospital's IT key; `extra` adds machine policy. */
async function place(extra: Record<string, unknown> = {}) {
  const appDataDir = mkdtempSync(join(tmpdir(), 'cm-role-escalation-'));
  const policyFile = ws.policyFile(appDataDir, {
    adminSigningKeys: [(await testItKey()).publicKey],
    ...extra,
  });
  return { appDataDir, policyFile };
}

beforeAll(async () => {
  ws = await startWorkstation();
  clock = controlledClock();
  [ASHA, SAMUEL, MEERA] = ['dr.asha.rao', 'dr.samuel.okafor', 'opd.meera.nair'].map((u) =>
    userId(ws.stack, u),
  ) as [string, string, string];
  asha = await signedIn(ws, 'dr.asha.rao', { ...(await place()), notify: notifyAs('asha') });
  samuel = await signedIn(ws, 'dr.samuel.okafor', await place());
  // The OPD desk's machine policy escalates unacknowledged messages to Dr Okafor.
  meera = await signedIn(ws, 'opd.meera.nair', {
    ...(await place({ escalationTarget: { kind: 'user', userId: SAMUEL } })),
    clock,
  });
}, 240_000);
afterAll(async () => ws?.close());

const toCardiology = (text: string, extra: Record<string, unknown>) => ({
  roleId: 'cardiology-on-call',
  text,
  urgent: true,
  ackRequired: true,
  patient: null,
  toBackup: false,
  ...extra,
});

describe('a message to a role with an acknowledgement deadline', () => {
  it('a deadline the policy does not offer is refused and nothing is sent to the role', async () => {
    const refused = await ask(meera, 'roles.send', toCardiology('Bed 7 BP 70/40', { ackDeadlineMinutes: 7 }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('deadline_not_allowed');
      expect(refused.error.message).toMatch(/2, 5, 10, 15 minutes/);
    }
    expect(await others(meera)).toEqual([]);
    // No conversation was even made for it.
    expect(await must<ConversationView[]>(meera, 'conversations.list')).toEqual([]);
  });

  it('a patient tag outside the hospital MRN format is refused the same way, before the role is resolved', async () => {
    const refused = await ask(
      meera,
      'roles.send',
      toCardiology('Bed 7 BP 70/40', { patient: { mrn: 'not an MRN!', name: 'Mr John Petrov' } }),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_patient' } });
    expect(await must<ConversationView[]>(meera, 'conversations.list')).toEqual([]);
  });

  it('nobody acknowledges: at the deadline Dr Rao is reminded and Dr Okafor gets it', async () => {
    const sent = await must<{ conversationId: string; holders: string[] }>(
      meera,
      'roles.send',
      toCardiology(TROPONIN, { ackDeadlineMinutes: 2 }),
    );
    expect(sent.holders).toEqual([ASHA]);
    expect(await others(meera)).toMatchObject([{ text: TROPONIN, status: 'waiting' }]);

    // Dr Rao's client reads the deadline from Meera's signed payload.
    await expect
      .poll(async () => (await mine(asha)).map((m) => m.text), { timeout: 30_000 })
      .toContain(TROPONIN);
    const waiting = (await mine(asha)).find((m) => m.text === TROPONIN)!;
    expect(waiting.senderUserId).toBe(MEERA);
    expect(waiting.deadlineAt).not.toBeNull();
    const page = await must<MessageView[]>(asha, 'messages.page', {
      conversationId: waiting.conversationId,
      limit: 50,
    });
    expect(page.find((m) => m.seq === waiting.seq)?.toRole).toMatchObject({
      name: 'Cardiology on call',
      holders: [ASHA],
    });
    expect(await allTexts(samuel)).not.toContain(TROPONIN);
    const before = notifications('asha').filter((n) => n.urgent).length;

    clock.advance(2 * 60_000);

    await expect
      .poll(() => steps(meera, sent.conversationId), { timeout: 60_000 })
      .toEqual(['deadline-passed', 'renotified', 'escalated', 'sender-alerted']);
    // The holder's device shows the reminder.
    await expect
      .poll(async () => (await steps(asha, sent.conversationId)).includes('reminder-received'), {
        timeout: 30_000,
      })
      .toBe(true);
    expect(notifications('asha').filter((n) => n.urgent).length).toBeGreaterThan(before);
    // The policy's target has it, quoted from Meera's message to the role, awaiting acknowledgement.
    await expect
      .poll(async () => (await mine(samuel)).map((m) => m.text), { timeout: 60_000 })
      .toContain(TROPONIN);
    const escalated = (await mine(samuel)).find((m) => m.text === TROPONIN)!;
    expect(escalated.senderUserId).toBe(MEERA);
    expect(escalated.escalatedFrom).toMatchObject({
      conversationId: sent.conversationId,
      recipients: [ASHA],
    });
  });
});
