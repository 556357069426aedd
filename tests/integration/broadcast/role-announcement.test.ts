// An announcement to a role (issue 14 item 3), end to end with the real IdP, hub, keychain and SQLite: Meera
// Nair at OPD desk 2 announces to "Cardiology on call" and Dr Okafor by name. The role resolves at send time to
// IT's verified holder; an empty role or one whose roster entry the hub forged refuses the whole announcement,
// naming the role, and nobody gets anything.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { ConversationView, MessageView, RoleView } from '../../../src/shared/contract';
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
