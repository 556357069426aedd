// An announcement to a role (issue 14 item 3), end to end with the real IdP, hub, keychain and SQLite: Meera
// Nair at OPD desk 2 announces to "Cardiology on call" and Dr Okafor by name. The role resolves at send time to
// IT's verified holder; an empty role or one whose roster entry the hub forged refuses the whole announcement,
// naming the role, and nobody gets anything.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type {
  BroadcastPreviewView,
  ConversationView,
  MessageView,
  RoleView,
} from '../../../src/shared/contract';
import { editHubDatabase, userId } from '../../stack/hub/hub-test-kit';
import { testItKey } from '../../stack/hub/roster-seed';
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
const ids = { asha: '', samuel: '', meera: '' };

async function pinned(): Promise<{ appDataDir: string; policyFile: string }> {
  const appDataDir = mkdtempSync(join(tmpdir(), 'cm-role-announce-'));
  const policyFile = ws.policyFile(appDataDir, { adminSigningKeys: [(await testItKey()).publicKey] });
  return { appDataDir, policyFile };
}

const roles = (core: Core) => must<RoleView[]>(core, 'directory.roles', { query: '' });

/** Every verified message text a core holds, across all its conversations. */
async function texts(core: Core): Promise<string[]> {
  const conversations = await must<ConversationView[]>(core, 'conversations.list');
  const pages = await Promise.all(
    conversations.map((c) =>
      must<MessageView[]>(core, 'messages.page', { conversationId: c.conversationId, limit: 200 }),
    ),
  );
  return pages
    .flat()
    .filter((m) => m.verdict === 'valid')
    .map((m) => m.text ?? '');
}

const preview = (core: Core, roleIds: string[], userIds: string[] = []) =>
  must<BroadcastPreviewView>(core, 'broadcasts.preview', { roleIds, userIds });

const announce = (roleIds: string[], userIds: string[], text: string) => ({
  userIds,
  roleIds,
  text,
  urgent: false,
  ackRequired: true,
});

beforeAll(async () => {
  ws = await startWorkstation();
  ids.asha = userId(ws.stack, 'dr.asha.rao');
  ids.samuel = userId(ws.stack, 'dr.samuel.okafor');
  ids.meera = userId(ws.stack, 'opd.meera.nair');
  asha = await signedIn(ws, 'dr.asha.rao', await pinned());
  samuel = await signedIn(ws, 'dr.samuel.okafor', await pinned());
  meera = await signedIn(ws, 'opd.meera.nair', await pinned());
  await eventually('the roster is read', async () => (await roles(meera)).length === 4);
}, 300_000);
afterAll(async () => ws?.close());

describe('an announcement to a role', () => {
  it('goes to the role’s verified holder and the named colleague, in one announcement', async () => {
    // Before sending, the OPD desk is shown whom it reaches: Dr Rao on call, Dr Okafor by name.
    expect(await preview(meera, ['cardiology-on-call'], [ids.samuel])).toMatchObject({
      recipients: 2,
      roles: [
        {
          roleId: 'cardiology-on-call',
          status: 'staffed',
          holders: [{ userId: ids.asha, displayName: 'Dr Asha Rao' }],
          problem: null,
        },
      ],
    });
    const sent = await must<{ conversationId: string }>(
      meera,
      'broadcasts.send',
      announce(['cardiology-on-call'], [ids.samuel], 'Cath lab closed 14:00-16:00 for maintenance'),
    );
    const conversation = (await must<ConversationView[]>(meera, 'conversations.list')).find(
      (c) => c.conversationId === sent.conversationId,
    );
    expect(conversation?.kind).toBe('announcement');
    expect(new Set(conversation?.members)).toEqual(new Set([ids.meera, ids.asha, ids.samuel]));
    for (const [name, core] of [
      ['Dr Rao (on call)', asha],
      ['Dr Okafor (by name)', samuel],
    ] as const)
      await eventually(`${name} has the announcement`, async () =>
        (await texts(core)).includes('Cath lab closed 14:00-16:00 for maintenance'),
      );
  });

  it('a role nobody holds refuses the whole announcement, naming the role; nothing is sent', async () => {
    const before = await must<ConversationView[]>(meera, 'conversations.list');
    // Told before sending, with the backup offered; the other role of the same announcement still resolves.
    const shown = await preview(meera, ['ward-3b-nurse-in-charge', 'cardiology-on-call']);
    expect(shown.roles).toMatchObject([
      {
        roleId: 'ward-3b-nurse-in-charge',
        status: 'unstaffed',
        holders: [],
        backup: { userId: ids.samuel, displayName: 'Dr Samuel Okafor' },
      },
      { roleId: 'cardiology-on-call', status: 'staffed', holders: [{ userId: ids.asha }] },
    ]);
    expect(shown.recipients).toBe(1);
    const refused = await ask(
      meera,
      'broadcasts.send',
      announce(['ward-3b-nurse-in-charge'], [ids.samuel], 'Ward 3B fire drill at 15:00'),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'role_unstaffed' } });
    expect(!refused.ok && refused.error.message).toContain('Ward 3B nurse in charge');
    expect(await must<ConversationView[]>(meera, 'conversations.list')).toHaveLength(before.length);
    expect(await texts(meera)).not.toContain('Ward 3B fire drill at 15:00');
  });

  it('a role whose holder is off shift is refused before sending, and its backup is offered instead', async () => {
    await must(asha, 'directory.setAvailability', { status: 'off_shift' });
    try {
      await eventually('the OPD desk sees Dr Rao off shift', async () => {
        const [role] = (await preview(meera, ['cardiology-on-call'])).roles;
        return role?.status === 'unstaffed';
      });
      const shown = await preview(meera, ['cardiology-on-call'], [ids.samuel]);
      expect(shown).toMatchObject({
        recipients: 1,
        roles: [
          {
            status: 'unstaffed',
            unavailable: [{ userId: ids.asha, displayName: 'Dr Asha Rao', status: 'off_shift' }],
            backup: { userId: ids.samuel, displayName: 'Dr Samuel Okafor' },
          },
        ],
      });
      const ashaHad = await texts(asha);
      const conversationsBefore = (await must<ConversationView[]>(meera, 'conversations.list')).length;
      const refused = await ask(
        meera,
        'broadcasts.send',
        announce(['cardiology-on-call'], [], 'Echo machine in bay 2 is back in service'),
      );
      expect(refused).toMatchObject({ ok: false, error: { code: 'role_unstaffed' } });
      expect(!refused.ok && refused.error.message).toContain('Its backup is Dr Samuel Okafor');
      expect(await must<ConversationView[]>(meera, 'conversations.list')).toHaveLength(conversationsBefore);

      // The one click: the role is replaced by its backup, and only he gets it.
      await must(
        meera,
        'broadcasts.send',
        announce([], [ids.samuel], 'Echo machine in bay 2 is back in service'),
      );
      await eventually('Dr Okafor, the backup, has it', async () =>
        (await texts(samuel)).includes('Echo machine in bay 2 is back in service'),
      );
      expect(await texts(asha)).toEqual(ashaHad);
    } finally {
      await must(asha, 'directory.setAvailability', { status: 'available' });
    }
  });

  it('refuses a deadline the policy does not offer before resolving anyone; no conversation is made', async () => {
    const before = (await must<ConversationView[]>(meera, 'conversations.list')).length;
    const refused = await ask(meera, 'broadcasts.send', {
      ...announce(['cardiology-on-call'], [ids.samuel], 'Sepsis screening audit due Friday'),
      ackDeadlineMinutes: 7,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'deadline_not_allowed' } });
    expect(await must<ConversationView[]>(meera, 'conversations.list')).toHaveLength(before);
  });

  it('a role the hub forged refuses the whole announcement; Dr Okafor, named too, gets nothing', async () => {
    await editHubDatabase(ws.stack, (db) => {
      db.prepare("UPDATE roster SET holders = ?, serial = 3 WHERE role_id = 'cardiology-on-call'").run(
        JSON.stringify([ids.samuel]),
      );
    });
    await eventually(
      'the forged entry is refused',
      async () => (await roles(meera)).find((r) => r.roleId === 'cardiology-on-call')?.state === 'refused',
    );
    // Told before sending, alone: the forged role says why; the radiology registrar in the same one still resolves.
    const shown = await preview(meera, ['cardiology-on-call', 'radiology-registrar-on-call'], [ids.samuel]);
    expect(shown.roles).toMatchObject([
      { roleId: 'cardiology-on-call', status: 'unverified', holders: [], backup: null },
      { roleId: 'radiology-registrar-on-call', status: 'staffed' },
    ]);
    expect(shown.roles[0]?.problem).toContain('did not pass the hospital IT signature check');
    const refused = await ask(
      meera,
      'broadcasts.send',
      announce(['cardiology-on-call'], [ids.samuel], 'All cardiology beds full, divert'),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'role_unverified' } });
    expect(!refused.ok && refused.error.message).toContain('Cardiology on call');
    expect(await texts(meera)).not.toContain('All cardiology beds full, divert');
  });

  it('refuses more roles than an announcement may name, before resolving any', async () => {
    const many = Array.from({ length: 17 }, (_, i) => `role-${i}`);
    const refused = await ask(meera, 'broadcasts.send', announce(many, [ids.samuel], 'Too many roles'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });
});
