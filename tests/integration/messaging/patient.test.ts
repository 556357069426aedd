// A safe patient context, through the real hub: the hospital's MRN format (mrnPattern '^[0-9]{7}$') is enforced
// by the core, so a tag the composer would refuse is refused from any renderer, and nothing is stored or sent;
// a patient conversation is a signed control entry both members fold; and the patient view finds one MRN's
// messages across conversations, a page at a time.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { ConversationView, PatientPageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
  messagePage,
} from '../../support/workstation';

const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
const petrov = { mrn: '0042817', name: 'Mr John Petrov' };
const okoye = { mrn: '0091234', name: 'Mrs Ada Okoye' };

let ws: Workstation;
let asha: Core; // creates the conversations: their admin
let samuel: Core;
let ward: string; // a group: Dr Rao and Dr Okafor
let direct: string;

const hospitalPolicy = () =>
  ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-patient-policy-')), { mrnPattern: '^[0-9]{7}$' });
const conversation = async (core: Core, conversationId: string) =>
  (await must<ConversationView[]>(core, 'conversations.list')).find(
    (c) => c.conversationId === conversationId,
  );
const send = (core: Core, conversationId: string, text: string, patient: unknown) =>
  ask(core, 'messages.send', { conversationId, text, urgent: false, ackRequired: false, patient });

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, ASHA, { policyFile: hospitalPolicy() });
  samuel = await signedIn(ws, SAMUEL, { policyFile: hospitalPolicy() });
  ({ conversationId: ward } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'group',
    memberIds: [userId(ws.stack, SAMUEL)],
  }));
  ({ conversationId: direct } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, SAMUEL)],
  }));
  await eventually('both conversations are confirmed on both PCs', async () => {
    const all = await Promise.all(
      [asha, samuel].flatMap((c) => [conversation(c, ward), conversation(c, direct)]),
    );
    return all.every((c) => c?.membership === 'confirmed');
  });
}, 180_000);

afterAll(async () => {
  await ws?.close();
});

describe('a patient tag the hospital would not accept', () => {
  it('is refused by the core, and nothing is stored, queued or sent', async () => {
    const before = (await messagePage(asha, ward)).length;
    const cases = [
      [{ mrn: '42-817', name: petrov.name }, 'invalid_patient', "not in this hospital's format"],
      [{ mrn: petrov.mrn, name: '   ' }, 'invalid_patient', 'name is missing'],
      [{ mrn: petrov.mrn, name: '' }, 'invalid_args', ''],
      [{ mrn: '', name: petrov.name }, 'invalid_args', ''],
      [{ mrn: petrov.mrn }, 'invalid_args', ''],
    ] as const;
    for (const [patient, code, words] of cases) {
      const result = await send(asha, ward, 'Bed 12 potassium 6.9', patient);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(code);
        expect(result.error.message).toContain(words);
        expect(result.error.message).not.toContain('Petrov');
      }
    }
    // documents.attach is refused the same way, before a file is even chosen
    const attach = await ask(asha, 'documents.attach', {
      operationId: crypto.randomUUID(),
      conversationId: ward,
      text: 'ECG',
      urgent: false,
      ackRequired: false,
      patient: { mrn: 'ABC', name: petrov.name },
    });
    expect(attach.ok === false && attach.error.code).toBe('invalid_patient');
    expect((await messagePage(asha, ward)).length).toBe(before);
    expect(asha.messaging()!.messages.outboxSize()).toBe(0);

    // What Dr Okafor receives next is the good message alone: none of the refused ones reached the hub.
    await converse(ward, [[asha, 'Bed 12 potassium 6.9, repeat sent']], [asha, samuel]);
    const his = (await messagePage(samuel, ward)).map((m) => m.text);
    expect(his).toEqual(['Bed 12 potassium 6.9, repeat sent']);
  });
});

describe('a patient conversation', () => {
  it('is a signed entry by an admin that both members fold; a member who is not an admin is refused', async () => {
    const refused = await ask(samuel, 'conversations.setPatient', { conversationId: ward, patient: okoye });
    expect(refused.ok === false && refused.error.code).toBe('invalid_args');
    const badMrn = await ask(asha, 'conversations.setPatient', {
      conversationId: ward,
      patient: { mrn: '12', name: petrov.name },
    });
    expect(badMrn.ok === false && badMrn.error.code).toBe('invalid_patient');

    await must(asha, 'conversations.setPatient', { conversationId: ward, patient: petrov });
    for (const core of [asha, samuel])
      await eventually(
        'the patient is folded',
        async () => (await conversation(core, ward))?.patient?.mrn === petrov.mrn,
      );
    expect((await conversation(samuel, ward))?.patient).toEqual(petrov);
    expect((await conversation(samuel, direct))?.patient).toBeNull();
    // The entry is state, not a message: nothing new in the timeline.
    expect((await messagePage(samuel, ward)).map((m) => m.text)).toEqual([
      'Bed 12 potassium 6.9, repeat sent',
    ]);

    await must(asha, 'conversations.setPatient', { conversationId: ward, patient: null });
    for (const core of [asha, samuel])
      await eventually(
        'the patient conversation ended',
        async () => (await conversation(core, ward))?.patient === null,
      );
    await must(asha, 'conversations.setPatient', { conversationId: ward, patient: petrov });
    await eventually(
      'set again on his PC',
      async () => (await conversation(samuel, ward))?.patient?.mrn === petrov.mrn,
    );
  });
});

describe('the patient view', () => {
  it('finds one MRN across conversations, newest first, in bounded pages', async () => {
    expect((await send(asha, ward, 'Petrov: K+ 6.9, calcium gluconate given', petrov)).ok).toBe(true);
    expect((await send(asha, direct, 'Okoye: discharge letter ready', okoye)).ok).toBe(true);
    // Newest first is the order they reached his PC: his reply comes after both of hers have.
    await eventually('her two messages are on his PC', async () => {
      const texts = [...(await messagePage(samuel, ward)), ...(await messagePage(samuel, direct))].map(
        (m) => m.text,
      );
      return (
        texts.includes('Petrov: K+ 6.9, calcium gluconate given') &&
        texts.includes('Okoye: discharge letter ready')
      );
    });
    expect((await send(samuel, direct, 'Petrov: reviewed, repeat U&E at 18:00', petrov)).ok).toBe(true);
    expect((await send(asha, direct, 'Pharmacy closes at 8', null)).ok).toBe(true);
    const found = async () =>
      (await must<PatientPageView>(samuel, 'messages.byPatient', { mrn: petrov.mrn, limit: 50 })).items;
    await eventually('both Petrov messages are on his PC', async () => (await found()).length === 2);
    const items = await found();
    expect(items.map((i) => [i.conversationId, i.text])).toEqual([
      [direct, 'Petrov: reviewed, repeat U&E at 18:00'],
      [ward, 'Petrov: K+ 6.9, calcium gluconate given'],
    ]);
    expect(items.every((i) => i.patient.mrn === petrov.mrn && i.patient.name === petrov.name)).toBe(true);

    const first = await must<PatientPageView>(samuel, 'messages.byPatient', { mrn: petrov.mrn, limit: 1 });
    expect(first.items.map((i) => i.text)).toEqual(['Petrov: reviewed, repeat U&E at 18:00']);
    expect(first.next).not.toBeNull();
    const second = await must<PatientPageView>(samuel, 'messages.byPatient', {
      mrn: petrov.mrn,
      limit: 1,
      beforeId: first.next,
    });
    expect(second.items.map((i) => i.text)).toEqual(['Petrov: K+ 6.9, calcium gluconate given']);
    expect(second.next).toBeNull();

    const tooMany = await ask(samuel, 'messages.byPatient', { mrn: petrov.mrn, limit: 101 });
    expect(tooMany.ok === false && tooMany.error.code).toBe('invalid_args');
    const nobody = await must<PatientPageView>(samuel, 'messages.byPatient', { mrn: '9999999', limit: 50 });
    expect(nobody).toEqual({ items: [], next: null });
  });
});
