// Messaging a role (docs/roster.md), end to end with the real IdP, hub, keychain and SQLite: Meera Nair at
// OPD desk 2 messages "Cardiology on call"; it reaches whoever IT's signed roster names at send time, never
// anyone the hub says. A roster change moves the next message to the new holder; an empty role is refused
// before sending with the backup offered; a roster entry the hub forges, or replays from before, is refused
// alone and routes nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { SignedRosterEntry } from '../../../src/main/core/roles';
import type {
  ConversationView,
  MessageView,
  RoleResolutionView,
  RoleView,
} from '../../../src/shared/contract';
import { editHubDatabase, userId } from '../../stack/hub/hub-test-kit';
import { postRosterEntry } from '../../stack/hub/roster-admin';
import { seededRosterAt, signWithTestItKey, testItKey } from '../../stack/hub/roster-seed';
import {
  ask,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let meera: Core;
const ids: Record<'asha' | 'samuel' | 'meera' | 'lena', string> = {
  asha: '',
  samuel: '',
  meera: '',
  lena: '',
};

/** A workstation whose machine policy pins the test hospital's IT key. */
async function pinned(): Promise<{ appDataDir: string; policyFile: string }> {
  const appDataDir = mkdtempSync(join(tmpdir(), 'cm-roles-'));
  const policyFile = ws.policyFile(appDataDir, { adminSigningKeys: [(await testItKey()).publicKey] });
  return { appDataDir, policyFile };
}

const roles = (core: Core, query = '') => must<RoleView[]>(core, 'directory.roles', { query });
const roleOf = async (core: Core, roleId: string) => (await roles(core)).find((r) => r.roleId === roleId);

/** Every verified message text a core holds, across all its conversations. */
async function everything(core: Core): Promise<MessageView[]> {
  const conversations = await must<ConversationView[]>(core, 'conversations.list');
  const pages = await Promise.all(
    conversations.map((c) =>
      must<MessageView[]>(core, 'messages.page', { conversationId: c.conversationId, limit: 200 }),
    ),
  );
  return pages.flat().filter((m) => m.verdict === 'valid');
}
const texts = async (core: Core) => (await everything(core)).map((m) => m.text);

const toRole = (roleId: string, text: string, toBackup = false) => ({
  roleId,
  text,
  urgent: true,
  ackRequired: false,
  patient: null,
  toBackup,
});

beforeAll(async () => {
  ws = await startWorkstation();
  for (const name of ['asha', 'samuel', 'meera', 'lena'] as const) {
    ids[name] = userId(
      ws.stack,
      { asha: 'dr.asha.rao', samuel: 'dr.samuel.okafor', meera: 'opd.meera.nair', lena: 'dr.lena.fischer' }[
        name
      ],
    );
  }
  asha = await signedIn(ws, 'dr.asha.rao', await pinned());
  samuel = await signedIn(ws, 'dr.samuel.okafor', await pinned());
  meera = await signedIn(ws, 'opd.meera.nair', await pinned());
}, 300_000);
afterAll(async () => ws?.close());

describe('roles from IT’s signed roster', () => {
  it('lists the roles with their verified holders and backup, and finds one by name', async () => {
    await eventually('the roster is read', async () => (await roles(meera)).length === 4);
    const cardiology = await roleOf(meera, 'cardiology-on-call');
    expect(cardiology).toMatchObject({
      name: 'Cardiology on call',
      state: 'verified',
      holders: [{ userId: ids.asha, displayName: 'Dr Asha Rao' }],
      backup: { userId: ids.samuel, displayName: 'Dr Samuel Okafor' },
      serial: 1,
    });
    expect((await roles(meera, 'cardio')).map((r) => r.name)).toEqual(['Cardiology on call']);
    expect((await roles(meera, 'ward 3b')).map((r) => r.holders)).toEqual([[]]);
  });

  it('a roster change between two messages to Cardiology on call sends them to different people', async () => {
    const first = await must<{ conversationId: string; holders: string[] }>(
      meera,
      'roles.send',
      toRole('cardiology-on-call', 'Bed 12 chest pain, troponin rising, please review'),
    );
    expect(first.holders).toEqual([ids.asha]);
    await eventually('Dr Rao has the first message', async () =>
      (await texts(asha)).includes('Bed 12 chest pain, troponin rising, please review'),
    );
    const received = (await everything(asha)).find((m) => m.text?.startsWith('Bed 12'))!;
    expect(received.toRole).toEqual({
      roleId: 'cardiology-on-call',
      name: 'Cardiology on call',
      holders: [ids.asha],
      asBackup: false,
    });

    // IT hands the role to Dr Okafor at shift change.
    const handover = await signWithTestItKey({
      roleId: 'cardiology-on-call',
      name: 'Cardiology on call',
      holders: [ids.samuel],
      backup: ids.asha,
      serial: 2,
      signedAt: new Date().toISOString(),
    });
    expect((await postRosterEntry(ws.stack, handover)).status).toBe(200);
    await eventually(
      'the OPD desk sees the new holder',
      async () => (await roleOf(meera, 'cardiology-on-call'))?.holders[0]?.userId === ids.samuel,
    );

    const second = await must<{ conversationId: string; holders: string[] }>(
      meera,
      'roles.send',
      toRole('cardiology-on-call', 'Bed 14 new AF, rate 150'),
    );
    expect(second.holders).toEqual([ids.samuel]);
    expect(second.conversationId).not.toBe(first.conversationId);
    await eventually('Dr Okafor has the second message', async () =>
      (await texts(samuel)).includes('Bed 14 new AF, rate 150'),
    );
    // Each holder's device got only its own message; the first stayed where it went.
    expect(await texts(samuel)).not.toContain('Bed 12 chest pain, troponin rising, please review');
    await must(asha, 'messages.page', { conversationId: first.conversationId, limit: 10 });
    expect(await texts(asha)).toEqual(['Bed 12 chest pain, troponin rising, please review']);
    const sent = await everything(meera);
    expect(sent.map((m) => [m.text, m.toRole?.holders])).toEqual(
      expect.arrayContaining([
        ['Bed 12 chest pain, troponin rising, please review', [ids.asha]],
        ['Bed 14 new AF, rate 150', [ids.samuel]],
      ]),
    );
  });

  it('an empty role is refused before sending, with the backup offered; sending to the backup then works', async () => {
    const before = await texts(meera);
    const resolution = await must<RoleResolutionView>(meera, 'roles.resolve', {
      roleId: 'ward-3b-nurse-in-charge',
    });
    expect(resolution).toMatchObject({
      status: 'unstaffed',
      holders: [],
      backup: { userId: ids.samuel, displayName: 'Dr Samuel Okafor' },
    });
    const refused = await ask(meera, 'roles.send', toRole('ward-3b-nurse-in-charge', 'Bay 2 patient fell'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'role_unstaffed' } });
    expect(!refused.ok && refused.error.message).toContain('Backup: Dr Samuel Okafor');
    expect(await texts(meera)).toEqual(before);

    const backup = await must<{ holders: string[] }>(
      meera,
      'roles.send',
      toRole('ward-3b-nurse-in-charge', 'Bay 2 patient fell, please assess', true),
    );
    expect(backup.holders).toEqual([ids.samuel]);
    await eventually('the backup has it', async () =>
      (await everything(samuel)).some(
        (m) => m.text === 'Bay 2 patient fell, please assess' && m.toRole?.asBackup === true,
      ),
    );
  });

  it('a roster entry the hub forges is refused alone: audited, not listed as verified, and routes nothing', async () => {
    const ashaHad = await texts(asha);
    // Someone with the hub's files reroutes Cardiology on call back to Dr Rao, with a higher serial.
    await editHubDatabase(ws.stack, (db) => {
      db.prepare("UPDATE roster SET holders = ?, serial = 3 WHERE role_id = 'cardiology-on-call'").run(
        JSON.stringify([ids.asha]),
      );
    });
    await eventually('the forged entry is refused', async () => {
      const role = await roleOf(meera, 'cardiology-on-call');
      return role?.state === 'refused';
    });
    const cardiology = (await roleOf(meera, 'cardiology-on-call'))!;
    expect(cardiology).toMatchObject({ refusal: 'signature-invalid', holders: [], backup: null });
    // The other roles on the same page still count.
    expect((await roleOf(meera, 'opd-desk-2'))?.state).toBe('verified');
    expect((await roleOf(meera, 'radiology-registrar-on-call'))?.state).toBe('verified');

    const refused = await ask(meera, 'roles.send', toRole('cardiology-on-call', 'Bed 16 STEMI'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'role_unverified' } });
    expect(
      meera.session
        .active()
        .audit.list({ limit: 50 })
        .filter((e) => e.kind === 'roster-entry-refused')
        .map((e) => e.details),
    ).toContainEqual({ roleId: 'cardiology-on-call', reason: 'signature-invalid' });
    expect(await texts(asha)).toEqual(ashaHad);
  });

  it('an older entry IT really signed, replayed by the hub over a newer one, is refused', async () => {
    const seeded = await signWithTestItKey({
      roleId: 'cardiology-on-call',
      name: 'Cardiology on call',
      holders: [ids.asha],
      backup: ids.samuel,
      serial: 1,
      signedAt: seededRosterAt,
    });
    await editHubDatabase(ws.stack, (db) => putRow(db, seeded));
    await eventually('the replay is refused', async () => {
      const events = meera.session.active().audit.list({ limit: 50 });
      return events.some((e) => e.kind === 'roster-entry-refused' && e.details.reason === 'replayed');
    });
    expect(await roleOf(meera, 'cardiology-on-call')).toMatchObject({
      state: 'refused',
      refusal: 'replayed',
    });
    expect(await ask(meera, 'roles.send', toRole('cardiology-on-call', 'Bed 16 STEMI'))).toMatchObject({
      ok: false,
      error: { code: 'role_unverified' },
    });

    // IT's next change counts again.
    const next = await signWithTestItKey({
      roleId: 'cardiology-on-call',
      name: 'Cardiology on call',
      holders: [ids.samuel],
      backup: ids.asha,
      serial: 4,
      signedAt: new Date().toISOString(),
    });
    await editHubDatabase(ws.stack, (db) => putRow(db, next));
    await eventually(
      'IT’s newer entry counts',
      async () => (await roleOf(meera, 'cardiology-on-call'))?.state === 'verified',
    );
  });

  it('an admin change with a signature from another key is stored by the hub but refused by every client', async () => {
    const forged = {
      roleId: 'radiology-registrar-on-call',
      name: 'Radiology registrar on call',
      holders: [ids.meera],
      backup: null,
      serial: 2,
      signedAt: new Date().toISOString(),
      signature: Buffer.alloc(64, 7).toString('base64'),
    };
    expect((await postRosterEntry(ws.stack, forged)).status).toBe(200);
    await eventually(
      'Dr Rao’s workstation refuses it',
      async () => (await roleOf(asha, 'radiology-registrar-on-call'))?.refusal === 'signature-invalid',
    );
    expect(
      await ask(asha, 'roles.send', toRole('radiology-registrar-on-call', 'CT head please')),
    ).toMatchObject({
      ok: false,
      error: { code: 'role_unverified' },
    });
  });
});

describe('a holder who is in theatre', () => {
  it('is not messaged: the sender is told who is in theatre and offered the backup, before anything is sent', async () => {
    // Cardiology on call is Dr Okafor's now (serial 4, backup Dr Rao); he goes into theatre.
    await must(samuel, 'directory.setAvailability', { status: 'in_theatre' });
    const samuelHad = await texts(samuel);
    await eventually('the OPD desk sees him in theatre', async () => {
      const r = await must<RoleResolutionView>(meera, 'roles.resolve', { roleId: 'cardiology-on-call' });
      return r.status === 'unstaffed';
    });
    expect(
      await must<RoleResolutionView>(meera, 'roles.resolve', { roleId: 'cardiology-on-call' }),
    ).toMatchObject({
      status: 'unstaffed',
      unavailable: [{ userId: ids.samuel, displayName: 'Dr Samuel Okafor', status: 'in_theatre' }],
      backup: { userId: ids.asha, displayName: 'Dr Asha Rao' },
    });
    const refused = await ask(meera, 'roles.send', toRole('cardiology-on-call', 'Bed 18 chest pain'));
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'role_unstaffed',
        message: 'Dr Samuel Okafor is in theatre. Backup: Dr Asha Rao. Nothing was sent.',
      },
    });
    expect(await texts(samuel)).toEqual(samuelHad);
    await must(samuel, 'directory.setAvailability', { status: 'available' });
  });
});

function putRow(db: Database.Database, e: SignedRosterEntry): void {
  db.prepare(
    'UPDATE roster SET name = ?, holders = ?, backup = ?, serial = ?, signed_at = ?, signature = ? WHERE role_id = ?',
  ).run(e.name, JSON.stringify(e.holders), e.backup, e.serial, e.signedAt, e.signature, e.roleId);
}
