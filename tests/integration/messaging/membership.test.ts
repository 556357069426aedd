// Membership comes from each conversation's signed chain, never from the hub's word (issue 12, part 1). Against
// the real hub: a conversation made before control entries is upgraded by its creator's snapshot and still
// verifies; control entries from a non-admin, a non-member or out of order are quarantined and change nothing,
// while an admin's add and remove go through; and a member the hub adds on its own (a ghost in a direct
// conversation) is an alert on every member's computer, with nothing ever sealed to them.
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { sealEnvelope, type ControlChange } from '../../../src/main/core/envelope';
import { enrolDevice, loadDevice, type LoadedDevice } from '../../../src/main/core/keys';
import { VerificationReport, verifyReport } from '../../../src/main/core/messaging';
import { deliveryStatus } from '../../../src/renderer/src/workspace/acknowledgement';
import { alertText } from '../../../src/renderer/src/workspace/timeline';
import type { ConversationView, IntegrityAlertView, SessionState } from '../../../src/shared/contract';
import { HubMethod } from '../../../src/shared/hub-protocol';
import { appendEnvelopes, call, connect, editHubDatabase, userId } from '../../stack/hub/hub-test-kit';
import {
  connected,
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
  activeProfileId,
  deviceOf,
  sendText,
  messagePage,
} from '../../support/workstation';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let lena: Core;
let meera: Core;
const id = (username: string) => userId(ws.stack, username);
const nameOf = (userId: string) => ws.stack.idp.users.find((u) => u.id === userId)?.displayName ?? userId;

const listed = async (core: Core, conversationId: string) =>
  (await must<ConversationView[]>(core, 'conversations.list')).find(
    (c) => c.conversationId === conversationId,
  );
const alerts = (core: Core, conversationId: string) =>
  must<IntegrityAlertView[]>(core, 'integrity.alerts', { conversationId });

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, 'dr.asha.rao');
  samuel = await signedIn(ws, 'dr.samuel.okafor');
  lena = await signedIn(ws, 'dr.lena.fischer');
  meera = await signedIn(ws, 'opd.meera.nair');
}, 240_000);
afterAll(async () => ws?.close());

it(
  'upgrades a conversation made before control entries: the creator signs a snapshot, and its history still verifies',
  { timeout: 180_000 },
  async () => {
    // Meera is away; meanwhile the conversation is made the old way (the hub's CreateConversation alone, as
    // clients before control entries did) and Samuel writes in it.
    const meeraProfile = await activeProfileId(meera);
    const meeraDevice = await deviceOf(ws, meera);
    await must(meera, 'session.setPin', { pin: '2468' });
    await must(meera, 'session.switchUser');
    const old = await connect(ws.stack.hub.url, await ws.stack.token('opd.meera.nair'));
    await call(old, HubMethod.Hello, { deviceId: meeraDevice.deviceId });
    const { conversation } = await call(old, HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [id('dr.samuel.okafor')],
    });
    await old.stop();
    const conversationId = conversation.conversationId;
    await eventually(
      'Samuel has the conversation',
      async () => (await listed(samuel, conversationId)) !== undefined,
    );
    expect(await listed(samuel, conversationId)).toMatchObject({ membership: 'unconfirmed' });
    for (const text of ['Outpatient list for Thursday is ready', 'Bed 4 needs a porter at 10']) {
      await sendText(samuel, conversationId, text);
      await eventually('the hub has it', async () =>
        (await messagePage(samuel, conversationId)).some((m) => m.text === text && m.seq !== null),
      );
    }

    // Meera comes back: her computer syncs the old history, judged by the hub's record as before, and signs
    // the state the hub has kept, once.
    expect(await must<SessionState>(meera, 'session.signIn', { profileId: meeraProfile })).toMatchObject({
      status: 'locked',
    });
    await must(meera, 'session.unlockWithPin', { pin: '2468' });
    await connected(meera);
    const both = [id('opd.meera.nair'), id('dr.samuel.okafor')].sort();
    for (const core of [meera, samuel]) {
      await eventually(
        'membership confirmed',
        async () => (await listed(core, conversationId))?.membership === 'confirmed',
      );
      expect(await listed(core, conversationId)).toMatchObject({ members: both, membership: 'confirmed' });
    }
    await converse(
      conversationId,
      [
        [meera, 'Thanks, porter booked'],
        [samuel, 'Great'],
      ],
      [meera, samuel],
    );
    for (const core of [meera, samuel]) {
      const messages = await messagePage(core, conversationId);
      expect(messages.map((m) => [m.text, m.verdict])).toEqual([
        ['Great', 'valid'],
        ['Thanks, porter booked', 'valid'],
        ['Bed 4 needs a porter at 10', 'valid'],
        ['Outpatient list for Thursday is ready', 'valid'],
      ]);
      expect(await alerts(core, conversationId)).toEqual([]);
    }
    // The snapshot is in the chain, between the old messages and the new, and the report re-verifies it all.
    const { report } = await must<{ report: string }>(meera, 'messages.exportReport', { conversationId });
    const parsed = VerificationReport.parse(JSON.parse(report));
    expect(parsed.envelopes.map((e) => e.verdict)).toEqual(['valid', 'valid', 'valid', 'valid', 'valid']);
    expect(verifyReport(parsed).agrees).toBe(true);
  },
);

it(
  'quarantines control entries from a non-admin, a non-member and out of order, and takes an admin’s add and remove',
  { timeout: 240_000 },
  async () => {
    const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'group',
      memberIds: [id('dr.samuel.okafor')],
    });
    await converse(conversationId, [[samuel, 'Handover at 8 in the day room']], [asha, samuel]);
    const pair = [id('dr.asha.rao'), id('dr.samuel.okafor')].sort();
    expect(await listed(asha, conversationId)).toMatchObject({
      membership: 'confirmed',
      members: pair,
      admins: [id('dr.asha.rao')],
    });

    // Signed entries the hub delivers (it cannot forge them; members and outsiders can write them).
    const ashaDevice = await deviceOf(ws, asha);
    const samuelDevice = await deviceOf(ws, samuel);
    const lenaDevice = await deviceOf(ws, lena);
    await enrolDevice(ws.keychain, { profileId: 'membership-attacker', userId: samuelDevice.userId });
    const attacker = await loadDevice(ws.keychain, 'membership-attacker');
    const recipients = [ashaDevice, samuelDevice].map((d) => ({
      userId: d.userId,
      deviceId: d.deviceId,
      encryptionPublicKey: d.encryptionPublicKey,
    }));
    const prev = asha.messaging()!.messages.latestHashes(conversationId, 1);
    const control = (sender: Pick<LoadedDevice, 'userId' | 'deviceId' | 'sign'>, change: ControlChange) =>
      sealEnvelope({ sender, conversationId, prev, payload: { v: 1, kind: 'control', change }, recipients });
    const all = [id('dr.asha.rao'), id('dr.samuel.okafor'), id('dr.lena.fischer')];
    const injected = [
      // Samuel is a member but no admin.
      {
        sealed: await control(samuelDevice, {
          op: 'add',
          userIds: [id('dr.lena.fischer')],
          members: all,
          admins: [id('dr.asha.rao')],
          name: null,
          retentionDays: null,
        }),
        from: samuelDevice,
        reason: 'control-not-allowed',
      },
      // Lena is not a member at all.
      {
        sealed: await control(lenaDevice, { op: 'rename', name: 'Taken over' }),
        from: lenaDevice,
        reason: 'not-member',
      },
      // Asha is the creator, but the conversation already has its state.
      {
        sealed: await control(ashaDevice, {
          op: 'create',
          conversationKind: 'group',
          members: all,
          admins: [id('dr.asha.rao')],
        }),
        from: ashaDevice,
        reason: 'control-out-of-order',
      },
      // Signed by a key that is not Samuel's.
      {
        sealed: await control(
          { ...attacker, deviceId: samuelDevice.deviceId },
          { op: 'remove', userIds: [id('dr.asha.rao')] },
        ),
        from: samuelDevice,
        reason: 'bad-signature',
      },
    ];
    const [first] = (await appendEnvelopes(
      ws.stack,
      conversationId,
      injected.map(({ sealed, from }) => ({
        bytes: sealed.bytes,
        envelopeId: sealed.header.envelopeId,
        userId: from.userId,
        deviceId: from.deviceId,
      })),
    )) as [number];
    for (const core of [asha, samuel]) {
      await connected(core);
      await eventually(
        'the injected entries arrive',
        async () =>
          (await messagePage(core, conversationId)).filter((m) => m.verdict === 'quarantined').length ===
          injected.length,
      );
      const shown = (await messagePage(core, conversationId)).filter((m) => m.seq! >= first).reverse();
      expect(shown.map((m) => [m.seq, m.verdict, m.reason, m.text])).toEqual(
        injected.map((e, i) => [first + i, 'quarantined', e.reason, null]),
      );
      // Nothing changed: same members, same admins, no name.
      expect(await listed(core, conversationId)).toMatchObject({
        membership: 'confirmed',
        members: pair,
        admins: [id('dr.asha.rao')],
        name: null,
      });
    }

    // A non-admin cannot add; the admin can, and the one added reads what follows (she starts from that entry).
    expect(
      await samuel.dispatcher.dispatch('conversations.addMember', {
        conversationId,
        userIds: [id('dr.lena.fischer')],
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    await must(asha, 'conversations.addMember', { conversationId, userIds: [id('dr.lena.fischer')] });
    for (const core of [asha, samuel, lena]) {
      await eventually('Lena is a member by the chain', async () => {
        const view = await listed(core, conversationId);
        return view?.membership === 'confirmed' && view.members.includes(id('dr.lena.fischer'));
      });
      expect(await listed(core, conversationId)).toMatchObject({
        membership: 'confirmed',
        members: [...all].sort(),
      });
    }
    await converse(
      conversationId,
      [[samuel, 'Welcome, Lena: the CT list is on the board']],
      [asha, samuel, lena],
    );
    expect(
      (await messagePage(lena, conversationId)).filter((m) => m.verdict === 'valid').map((m) => m.text),
    ).toEqual(['Welcome, Lena: the CT list is on the board']);

    // And removes her: she is no member for the others any more, and nothing is sealed to her after it.
    await must(asha, 'conversations.removeMember', { conversationId, userIds: [id('dr.lena.fischer')] });
    for (const core of [asha, samuel]) {
      await eventually(
        'Lena is no member by the chain',
        async () => (await listed(core, conversationId))?.members.includes(id('dr.lena.fischer')) === false,
      );
    }
    await converse(conversationId, [[asha, 'Lena has moved to the day unit']], [asha, samuel]);
    expect(
      (await messagePage(lena, conversationId)).some((m) => m.text === 'Lena has moved to the day unit'),
    ).toBe(false);
    for (const core of [asha, samuel]) {
      expect((await alerts(core, conversationId)).filter((a) => a.kind === 'unconfirmed-member')).toEqual([]);
    }
  },
);

it(
  'a member the hub adds to a direct conversation on its own is an alert everywhere, and nothing is sealed to them',
  { timeout: 240_000 },
  async () => {
    const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
      kind: 'direct',
      memberIds: [id('dr.samuel.okafor')],
    });
    await converse(conversationId, [[asha, 'Can you see Mr Shah in bay 2?']], [asha, samuel]);

    // The hub (or whoever holds its files) adds Lena to the doctors' direct conversation.
    await editHubDatabase(ws.stack, (db) => {
      const c = db
        .prepare('SELECT last_seq, last_change_seq FROM conversations WHERE conversation_id = ?')
        .get(conversationId) as { last_seq: number; last_change_seq: number };
      db.prepare('INSERT INTO members (conversation_id, user_id) VALUES (?, ?)').run(
        conversationId,
        id('dr.lena.fischer'),
      );
      db.prepare('INSERT INTO membership_changes VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        conversationId,
        c.last_change_seq + 1,
        'added',
        id('dr.lena.fischer'),
        id('dr.asha.rao'),
        c.last_seq,
        new Date().toISOString(),
      );
      db.prepare('UPDATE conversations SET last_change_seq = ? WHERE conversation_id = ?').run(
        c.last_change_seq + 1,
        conversationId,
      );
    });

    // Both doctors are told, by name, in the conversation; the member list stays the signed one.
    for (const core of [asha, samuel]) {
      await connected(core);
      await eventually('the unconfirmed member is an alert', async () =>
        (await alerts(core, conversationId)).some((a) => a.kind === 'unconfirmed-member'),
      );
      const [alert] = (await alerts(core, conversationId)).filter((a) => a.kind === 'unconfirmed-member');
      expect(alertText(alert!, nameOf)).toBe(
        'The server lists Dr Lena Fischer as a member, but no member added them: nothing you send is sealed to them.',
      );
      expect(await listed(core, conversationId)).toMatchObject({
        membership: 'confirmed',
        members: [id('dr.asha.rao'), id('dr.samuel.okafor')].sort(),
        alerts: 1,
      });
      const audit = core.session.active().audit.list({ limit: 50 });
      expect(audit).toContainEqual(
        expect.objectContaining({
          kind: 'member-unconfirmed',
          details: { conversationId, userId: id('dr.lena.fischer') },
        }),
      );
    }

    // Asha's next message is sealed to the chain's members only; the hub refuses that, so it shows as not sent.
    const { envelopeId } = await sendText(asha, conversationId, 'Potassium is 6.1, repeat in an hour');
    await eventually('the message is marked not sent', async () =>
      (await messagePage(asha, conversationId)).some(
        (m) => m.envelopeId === envelopeId && m.sendFailure !== null,
      ),
    );
    const failed = (await messagePage(asha, conversationId)).find((m) => m.envelopeId === envelopeId)!;
    expect(failed).toMatchObject({ seq: null, sendFailure: 'membership_differs' });
    expect(deliveryStatus(failed)).toBe('Not sent: membership differs (see the alert)');

    // Lena's own computer: the hub lists the conversation for her, but she can read nothing in it. Her link
    // went down with the hub's restart too.
    await connected(lena);
    await lena.messaging()!.syncNow();
    const lenaView = await listed(lena, conversationId);
    expect(lenaView?.membership).toBe('unconfirmed');
    const lenaPage = await messagePage(lena, conversationId);
    expect(lenaPage.filter((m) => m.verdict === 'valid')).toEqual([]);
    expect(lenaPage.some((m) => m.text !== null)).toBe(false);
    // And no conversation key of it was ever sealed to her.
    const hubDb = new Database(join(ws.stack.dataDir, 'hub', 'hub.db'), { readonly: true });
    try {
      const grants = hubDb
        .prepare('SELECT recipients FROM conversation_keys WHERE conversation_id = ?')
        .pluck()
        .all(conversationId) as string[];
      expect(grants.length).toBeGreaterThan(0);
      for (const recipients of grants) {
        expect((JSON.parse(recipients) as { userId: string }[]).map((r) => r.userId)).not.toContain(
          id('dr.lena.fischer'),
        );
      }
    } finally {
      hubDb.close();
    }
  },
);
